// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import type { FormEvent } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { Field, FormError } from "../components/Form";
import { useAsyncAction } from "./useAsyncAction";

afterEach(cleanup);

const wrongCode = {
  code: "INVALID_OTP",
  message: "server text",
  status: 400,
  statusText: "",
  fields: {},
  retryAfter: null,
};
const tooMany = { ...wrongCode, code: "TOO_MANY_REQUESTS", status: 429, retryAfter: 30 };

function CodeForm({ failure }: { failure: object }) {
  const { error, fields, run } = useAsyncAction();
  const [otp, setOtp] = useState("");
  const [name, setName] = useState("");
  function submit(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      throw failure;
    }, event);
  }
  return (
    <form onSubmit={submit} noValidate>
      <FormError message={error} />
      <Field
        label="Code"
        name="otp"
        value={otp}
        onChange={(e) => setOtp(e.target.value)}
        error={fields.otp}
      />
      <Field label="Name" name="name" value={name} onChange={(e) => setName(e.target.value)} />
      <button type="submit">Go</button>
    </form>
  );
}

/** Types into a field as a browser does (an input event), then lets pending work run. */
async function edit(input: HTMLElement, value: string) {
  await act(async () => {
    fireEvent.input(input, { target: { value } });
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
  expect((input as HTMLInputElement).value).toBe(value); // the new value is kept
}

async function submitForm() {
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Go" }));
  });
}

describe("useAsyncAction after a failed submit", () => {
  it("a field's message goes once that field is edited, and only then", async () => {
    render(<CodeForm failure={wrongCode} />);
    await submitForm();
    const code = screen.getByLabelText("Code");
    expect(code.getAttribute("aria-invalid")).toBe("true");
    await edit(screen.getByLabelText("Name"), "Ada");
    expect(code.getAttribute("aria-invalid")).toBe("true"); // another field: still wrong
    await edit(code, "123456");
    expect(code.getAttribute("aria-invalid")).toBeNull();
    expect(screen.queryByText(/That code is not right/)).toBeNull();
  });

  it("the form's message goes at the next edit", async () => {
    render(<CodeForm failure={tooMany} />);
    await submitForm();
    expect(screen.getByRole("alert").textContent).toMatch(/Too many attempts/);
    await edit(screen.getByLabelText("Name"), "A");
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("useAsyncAction: a validation error", () => {
  const invalid = (fields: Record<string, string[]>) => ({
    ...wrongCode,
    code: "VALIDATION_ERROR",
    message: "Some fields are not valid.",
    fields,
  });

  it("whose every message sits under its field gets no banner above them", async () => {
    render(<CodeForm failure={invalid({ otp: ["Six digits."] })} />);
    await submitForm();
    expect(screen.getByText("Six digits.").id).toBe(
      screen.getByLabelText("Code").getAttribute("aria-describedby"),
    );
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("with a message for a field the form does not have keeps the banner", async () => {
    render(<CodeForm failure={invalid({ otp: ["Six digits."], email: ["Bad."] })} />);
    await submitForm();
    expect(screen.getByRole("alert").textContent).toBe("Some fields are not valid.");
    expect(screen.getByText("Six digits.")).toBeTruthy();
  });
});

describe("useAsyncAction: an empty required field", () => {
  it("says the field's own words when it has them (data-missing)", async () => {
    function RepeatForm() {
      const { fields, run } = useAsyncAction();
      const [repeat, setRepeat] = useState("");
      return (
        <form
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void run(async () => {}, event);
          }}
          noValidate
        >
          <Field
            label="Repeat the new password"
            name="repeat"
            required
            data-missing="Repeat the new password."
            value={repeat}
            onChange={(e) => setRepeat(e.target.value)}
            error={fields.repeat}
          />
          <button type="submit">Go</button>
        </form>
      );
    }
    render(<RepeatForm />);
    await submitForm();
    expect(screen.getByText("Repeat the new password.")).toBeTruthy(); // not "Enter your repeat…"
  });
});
