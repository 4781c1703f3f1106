// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EmailField, NewPasswordField, PasswordField } from "./AuthFields";
import { EnterCodeStep, SendCodeStep } from "./CodeSteps";

afterEach(cleanup);

const idle = { pending: false, error: null, fields: {} };

describe("fields", () => {
  it("EmailField: labelled Email, name/type/autocomplete email, passes the plain value", () => {
    const onChange = vi.fn();
    render(<EmailField value="" onChange={onChange} error="Bad email." />);
    const input = screen.getByLabelText("Email") as HTMLInputElement;
    expect([input.name, input.type, input.autocomplete, input.required]).toEqual([
      "email",
      "email",
      "email",
      true,
    ]);
    expect(input.readOnly).toBe(false);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    fireEvent.change(input, { target: { value: "a@b.c" } });
    expect(onChange).toHaveBeenCalledWith("a@b.c");
  });

  it("PasswordField defaults to the current password; NewPasswordField asks for 8+ characters", () => {
    render(
      <>
        <PasswordField value="" onChange={() => {}} />
        <NewPasswordField label="New password" value="" onChange={() => {}} />
      </>,
    );
    const current = screen.getByLabelText("Password") as HTMLInputElement;
    expect([current.name, current.type, current.autocomplete]).toEqual([
      "password",
      "password",
      "current-password",
    ]);
    const chosen = screen.getByLabelText("New password") as HTMLInputElement;
    expect([chosen.name, chosen.autocomplete, chosen.minLength]).toEqual([
      "password",
      "new-password",
      8,
    ]);
    expect(screen.getByText("At least 8 characters, not a common password.").id).toBe(
      chosen.getAttribute("aria-describedby"),
    );
  });
});

describe("code steps", () => {
  it("SendCodeStep shows the intro, the email and 'Send me a code' (busy while pending)", () => {
    render(
      <SendCodeStep
        action={{ ...idle, pending: true }}
        intro="We will email you a code."
        email="a@b.c"
        onEmailChange={() => {}}
        onSubmit={() => {}}
      />,
    );
    expect(screen.getByText("We will email you a code.").className).toBe("muted");
    expect((screen.getByLabelText("Email") as HTMLInputElement).value).toBe("a@b.c");
    const button = screen.getByRole("button", { name: "Sending…" }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
  });

  it("EnterCodeStep: resend is called without an event; 'Use another email' only when asked", () => {
    const onResend = vi.fn();
    const onUseAnotherEmail = vi.fn();
    const { rerender } = render(
      <EnterCodeStep
        action={idle}
        notice="A code is on its way."
        otp=""
        onOtpChange={() => {}}
        onSubmit={() => {}}
        submitLabel="Continue"
        pendingLabel="Checking…"
        resend={{ onResend, availableIn: 0, sends: 1 }}
      />,
    );
    expect(screen.getByRole("status").textContent).toBe("A code is on its way.");
    expect(screen.queryByRole("button", { name: "Use another email" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Send a new code" }));
    expect(onResend).toHaveBeenCalledWith();

    rerender(
      <EnterCodeStep
        action={idle}
        notice="A code is on its way."
        otp=""
        onOtpChange={() => {}}
        onSubmit={() => {}}
        submitLabel="Sign in"
        pendingLabel="Signing in…"
        resend={{ onResend, availableIn: 0, sends: 1 }}
        onUseAnotherEmail={onUseAnotherEmail}
      />,
    );
    fireEvent.click(screen.getByRole("button", { name: "Use another email" }));
    expect(onUseAnotherEmail).toHaveBeenCalledOnce();
    expect(screen.getByRole("button", { name: "Send a new code" }).parentElement?.className).toBe(
      "row",
    );
  });

  it("EnterCodeStep: an error replaces the notice; a resend waits and says a new code went out", () => {
    const onResend = vi.fn();
    const { rerender } = render(
      <EnterCodeStep
        action={{ ...idle, error: "Too many attempts.", fields: { otp: "Bad code." } }}
        notice="A code is on its way."
        otp=""
        onOtpChange={() => {}}
        onSubmit={() => {}}
        submitLabel="Continue"
        pendingLabel="Checking…"
        resend={{ onResend, availableIn: 0, sends: 1 }}
      />,
    );
    expect(screen.queryByRole("status")).toBeNull(); // never "on its way" beside an error
    expect(screen.getByRole("alert").textContent).toBe("Too many attempts.");
    expect(screen.getByText("Bad code.")).toBeTruthy();

    rerender(
      <EnterCodeStep
        action={idle}
        notice="A code is on its way."
        otp=""
        onOtpChange={() => {}}
        onSubmit={() => {}}
        submitLabel="Continue"
        pendingLabel="Checking…"
        resend={{ onResend, availableIn: 27, sends: 2 }}
      />,
    );
    expect(screen.getByRole("status").textContent).toBe(
      "A new code is on its way. Only the newest code works.",
    );
    // Unavailable yet focusable: a press while a code goes out keeps the focus where it was.
    const button = screen.getByRole("button", { name: "Send a new code (in 27 s)" });
    expect(button.getAttribute("aria-disabled")).toBe("true");
    fireEvent.click(button);
    expect(onResend).not.toHaveBeenCalled();
  });
});

describe("pasted codes", () => {
  it("never sends fewer than 6 digits (a short code would spend a guess)", () => {
    const onSubmit = vi.fn((event: { preventDefault: () => void }) => event.preventDefault());
    render(
      <EnterCodeStep
        action={idle}
        notice="sent"
        otp="87395"
        onOtpChange={vi.fn()}
        onSubmit={onSubmit}
        submitLabel="Go"
        pendingLabel="…"
        resend={{ onResend: vi.fn(), availableIn: 0, sends: 1 }}
      />,
    );
    fireEvent.click(screen.getByRole("button", { name: "Go" }));
    expect(onSubmit).not.toHaveBeenCalled();
    screen.getByText("Enter all 6 digits of the code.");
  });
});

describe("show/hide password", () => {
  it("toggles between hidden and shown, and says which it is", () => {
    render(<PasswordField value="s3cret words" onChange={vi.fn()} />);
    const input = screen.getByLabelText("Password") as HTMLInputElement;
    expect(input.type).toBe("password");
    fireEvent.click(screen.getByRole("button", { name: "Show password" }));
    expect(input.type).toBe("text");
    const hide = screen.getByRole("button", { name: "Hide password" });
    expect(hide.getAttribute("aria-pressed")).toBe("true");
    fireEvent.click(hide);
    expect(input.type).toBe("password");
  });
});
