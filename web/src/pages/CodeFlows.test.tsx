// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EMAIL_CODE, FakeApi, json, USER } from "@authsvc/client/testing";
import type { RecordedRequest } from "@authsvc/client/testing";
import { renderApp, type } from "./pages.testing";

let api: FakeApi;

const renderAt = (path: string, state: unknown = null) => renderApp(api, { path, state });

const sends = () =>
  api.requests
    .filter((r) => r.path === "/api/auth/email-otp/send/")
    .map((r) => (r.body as { email: string }).email);

/** email-otp/check/ as the server answers a forget-password code: a reset token for the right
 * one, INVALID_OTP for any other. */
function checkCodes() {
  api.overrides.set("POST /api/auth/email-otp/check/", (request: RecordedRequest) => {
    if ((request.body as { otp: string }).otp !== EMAIL_CODE) {
      return json(400, { code: "INVALID_OTP", message: "The code is not valid." });
    }
    const resetToken = `reset-${api.resetTokens.size + 1}`;
    api.resetTokens.add(resetToken);
    return json(200, { success: true, resetToken });
  });
}

beforeEach(() => {
  api = new FakeApi();
  api.signedIn = false;
});

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

describe("forgotten password", () => {
  it("the code step: 'Use another email' goes back to the address; 'Send a new code' waits", async () => {
    checkCodes();
    renderAt("/forgot-password");
    type(await screen.findByLabelText("Email"), "typo@example.com");
    fireEvent.click(screen.getByRole("button", { name: "Send me a code" }));
    fireEvent.click(await screen.findByRole("button", { name: "Use another email" }));
    const email = (await screen.findByLabelText("Email")) as HTMLInputElement;
    expect(email.value).toBe("typo@example.com"); // to correct, not to type again
    type(email, USER.email);
    fireEvent.click(screen.getByRole("button", { name: "Send me a code" }));
    await screen.findByText(/a code is on its way/);
    expect(sends()).toEqual(["typo@example.com", USER.email]);

    // The wait before a new code is the button's own: it keeps the focus meanwhile.
    const resend = screen.getByRole("button", { name: /^Send a new code \(in \d+ s\)$/ });
    expect(resend.getAttribute("aria-disabled")).toBe("true");
    fireEvent.click(resend);
    expect(sends()).toHaveLength(2);
  });

  it("the third wrong code says the code is used up; a new password, then the success takes the focus", async () => {
    checkCodes();
    renderAt("/forgot-password");
    type(await screen.findByLabelText("Email"), USER.email);
    fireEvent.click(screen.getByRole("button", { name: "Send me a code" }));
    const code = await screen.findByLabelText("6-digit code");
    const said: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      type(code, "000000");
      fireEvent.click(screen.getByRole("button", { name: "Continue" }));
      await waitFor(() => expect(api.count("POST", "/api/auth/email-otp/check/")).toBe(attempt));
      await screen.findByRole("button", { name: "Continue" });
      said.push(document.querySelector(".field-error")?.textContent ?? "");
    }
    expect(said).toEqual([
      "That code is not right. Check it, or ask for a new one.",
      "That code is not right. Check it, or ask for a new one.",
      "Too many wrong codes. Ask for a new one.",
    ]);

    type(code, EMAIL_CODE);
    fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    const password = await screen.findByLabelText("New password");
    await waitFor(() => expect(document.activeElement).toBe(password));
    const username = document.querySelector('input[autocomplete="username"]') as HTMLInputElement;
    expect([username.hidden, username.value]).toEqual([true, USER.email]);
    type(password, "a brand new secret");
    fireEvent.click(screen.getByRole("button", { name: "Set new password" }));
    // An empty repeat is asked for, not called a mismatch.
    expect(await screen.findByText("Repeat the new password.")).toBeTruthy();
    expect(screen.queryByText("The two passwords do not match.")).toBeNull();
    type(screen.getByLabelText("Repeat the new password"), "a brand new secret");
    fireEvent.click(screen.getByRole("button", { name: "Set new password" }));

    const done = await screen.findByText(
      "Your password has been changed. Every device was signed out.",
    );
    await waitFor(() => expect(document.activeElement).toBe(done));
    expect(screen.getByRole("link", { name: "Sign in" }).className).toBe("button primary wide");
  });
});

describe("verify email", () => {
  it("'Send a new code' puts the focus on the new code's field; verified, the success takes it", async () => {
    api.signedIn = true;
    api.overrides.set("GET /api/auth/session/", () =>
      json(200, {
        user: { ...USER, emailVerified: false },
        session: { id: "s1", expiresAt: "2030-01-01T00:00:00Z" },
      }),
    );
    // From the dashboard right after sign-up: the code mailed then is waiting.
    renderAt("/verify-email", { usr: { codeSent: true }, key: "k", idx: 0 });
    const first = await screen.findByLabelText("6-digit code");
    type(first, "123");
    fireEvent.click(screen.getByRole("button", { name: "Send a new code" }));
    await screen.findByText("A new code is on its way. Only the newest code works.");
    const code = screen.getByLabelText("6-digit code") as HTMLInputElement;
    await waitFor(() => expect(document.activeElement).toBe(code));
    expect(code.value).toBe(""); // the digits typed were for the old code
    expect(sends()).toEqual([USER.email]);

    type(code, EMAIL_CODE);
    fireEvent.click(screen.getByRole("button", { name: "Verify email" }));
    const done = await screen.findByText("Your email is verified. Thank you!");
    await waitFor(() => expect(document.activeElement).toBe(done));
  });
});
