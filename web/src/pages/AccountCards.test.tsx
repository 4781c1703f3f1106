// @vitest-environment happy-dom
import { cleanup, fireEvent, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  FakeApi,
  FakeAuthenticator,
  json,
  PASSWORD,
  TOTP_CODE,
  USER,
} from "@authsvc/client/testing";
import type { Passkey } from "@authsvc/client";
import { renderApp, settingsCard, type } from "./pages.testing";
import { tokenWith } from "../auth/signInProof.testing";

let api: FakeApi;
let authenticator: FakeAuthenticator;

const renderSettings = () => renderApp(api, { path: "/settings", authenticator });
const card = settingsCard;

/** "Delete my account…" pressed: the step-up form, once the account's passkeys are known. */
async function deleteStepUp(passkeysKnown = true) {
  const zone = await card("Delete account");
  fireEvent.click(within(zone).getByRole("button", { name: "Delete my account…" }));
  await within(zone).findByText("For your safety, confirm it is you.");
  if (passkeysKnown) await waitFor(() => expect(api.count("GET", "/api/auth/passkeys/")).toBe(2));
  return zone;
}

/** The "… instead" buttons offered under the form. */
const otherWays = (zone: HTMLElement) =>
  within(within(zone).getByRole("list", { name: "Other ways to confirm it is you" }))
    .getAllByRole("button")
    .map((button) => button.textContent);

const confirmedForDeletion = (zone: HTMLElement) =>
  within(zone).findByLabelText('Type "DELETE" to confirm');

const reauthenticated = () =>
  api.requests.filter((r) => r.path === "/api/auth/reauthenticate/").map((r) => r.body);

const PHONE: Passkey = {
  id: "p".repeat(32),
  name: "Phone",
  createdAt: "2025-01-01T00:00:00Z",
  lastUsedAt: null,
  backedUp: false,
  deviceType: "singleDevice",
};

/** This authenticator holds PHONE, a passkey of USER that the fake server knows. */
function holdPasskey() {
  api.passkeys = [PHONE];
  authenticator.credentialId = "Y3JlZGVudGlhbC0x";
  api.credentialIds.set(authenticator.credentialId, PHONE.id);
}

beforeEach(() => {
  api = new FakeApi();
  authenticator = new FakeAuthenticator();
});

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

describe("settings: confirm it is you", () => {
  it("offers the password and an emailed code to every account, nothing more without factors", async () => {
    renderSettings();
    const zone = await deleteStepUp();
    const password = within(zone).getByLabelText("Your password");
    await waitFor(() => expect(document.activeElement).toBe(password));
    expect(otherWays(zone)).toEqual(["Email me a code instead"]);
    type(password, PASSWORD);
    fireEvent.click(within(zone).getByRole("button", { name: "Confirm" }));
    await confirmedForDeletion(zone);
    expect(reauthenticated()).toEqual([{ password: PASSWORD }]);
  });

  it("with two-factor on and a passkey: the authenticator app and the passkey too, one at a time", async () => {
    api.twoFactor = true;
    holdPasskey();
    renderSettings();
    const zone = await deleteStepUp();
    expect(otherWays(zone)).toEqual([
      "Email me a code instead",
      "Use my authenticator app instead",
      "Use a passkey instead",
    ]);

    fireEvent.click(within(zone).getByRole("button", { name: "Use my authenticator app instead" }));
    const code = within(zone).getByLabelText("6-digit code");
    await waitFor(() => expect(document.activeElement).toBe(code));
    expect(within(zone).queryByLabelText("Your password")).toBeNull(); // one way at a time
    expect(code.getAttribute("autocomplete")).toBe("one-time-code");
    expect(otherWays(zone)).toEqual([
      "Use my password instead",
      "Email me a code instead",
      "Use a passkey instead",
    ]);

    fireEvent.click(within(zone).getByRole("button", { name: "Use a passkey instead" }));
    const use = within(zone).getByRole("button", { name: "Use a passkey" });
    await waitFor(() => expect(document.activeElement).toBe(use));
    expect(within(zone).queryByRole("textbox")).toBeNull();
    expect(
      within(zone).getByText(
        "Use a passkey of your account: on this device, a phone or a security key.",
      ),
    ).toBeTruthy();

    fireEvent.click(within(zone).getByRole("button", { name: "Use my password instead" }));
    await waitFor(() =>
      expect(document.activeElement).toBe(within(zone).getByLabelText("Your password")),
    );
    expect(reauthenticated()).toEqual([]); // switching sends nothing
    expect(api.count("POST", "/api/auth/email-otp/send/")).toBe(0);
  });

  it("a code of the authenticator app: a short one is said at once, a wrong one under the field", async () => {
    api.twoFactor = true;
    renderSettings();
    const zone = await deleteStepUp();
    fireEvent.click(within(zone).getByRole("button", { name: "Use my authenticator app instead" }));
    const code = within(zone).getByLabelText("6-digit code");
    type(code, "123");
    fireEvent.click(within(zone).getByRole("button", { name: "Confirm" }));
    expect(within(zone).getByText("Enter all 6 digits of the code.")).toBeTruthy();
    expect(code.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(code);
    expect(reauthenticated()).toEqual([]); // a short code is no wrong answer spent
    type(code, "1234");
    expect(within(zone).queryByText("Enter all 6 digits of the code.")).toBeNull();

    type(code, "000000");
    fireEvent.click(within(zone).getByRole("button", { name: "Confirm" }));
    const wrong = await within(zone).findByText(
      "That code is not right. Check it, or use another way to confirm it is you.",
    );
    expect(wrong.id).toBe(code.getAttribute("aria-describedby"));
    await waitFor(() => expect(document.activeElement).toBe(code));

    type(code, TOTP_CODE);
    fireEvent.click(within(zone).getByRole("button", { name: "Confirm" }));
    await confirmedForDeletion(zone);
    expect(reauthenticated()).toEqual([{ code: "000000" }, { code: TOTP_CODE }]);
  });

  it("an action that needs a recent sign-in carries on after the authenticator's code", async () => {
    api.twoFactor = true;
    api.fresh = false;
    renderSettings();
    const twoFactor = await card("Two-factor authentication");
    fireEvent.click(within(twoFactor).getByRole("button", { name: "Make new recovery codes" }));
    await within(twoFactor).findByText("For your safety, confirm it is you.");
    fireEvent.click(
      within(twoFactor).getByRole("button", { name: "Use my authenticator app instead" }),
    );
    type(within(twoFactor).getByLabelText("6-digit code"), TOTP_CODE);
    fireEvent.click(within(twoFactor).getByRole("button", { name: "Confirm" }));
    expect(
      await within(twoFactor).findByText(
        "Here are your new recovery codes. The old ones no longer work.",
      ),
    ).toBeTruthy();
    expect(reauthenticated()).toEqual([{ code: TOTP_CODE }]);
    expect(api.count("POST", "/api/auth/two-factor/generate-backup-codes/")).toBe(2);
  });

  it("a passkey: the browser's dialog, then the action", async () => {
    holdPasskey();
    renderSettings();
    const zone = await deleteStepUp();
    fireEvent.click(within(zone).getByRole("button", { name: "Use a passkey instead" }));
    fireEvent.click(within(zone).getByRole("button", { name: "Use a passkey" }));
    await confirmedForDeletion(zone);
    expect(authenticator.calls.map((call) => call.kind)).toEqual(["get"]);
    expect(authenticator.calls[0].options).not.toHaveProperty("mediation"); // a modal dialog
    const [proof] = reauthenticated() as { credential: { id: string } }[];
    expect(proof.credential.id).toBe(authenticator.credentialId);
  });

  it("a dismissed dialog and a refused passkey say so; the password still works", async () => {
    holdPasskey();
    renderSettings();
    const zone = await deleteStepUp();
    fireEvent.click(within(zone).getByRole("button", { name: "Use a passkey instead" }));
    authenticator.refuse = "NotAllowedError";
    fireEvent.click(within(zone).getByRole("button", { name: "Use a passkey" }));
    expect((await within(zone).findByRole("alert")).textContent).toBe(
      "No passkey was used: the request was cancelled or timed out. Try again.",
    );
    expect(reauthenticated()).toEqual([]);

    api.credentialIds.clear(); // a passkey this server does not know (400 INVALID_PASSKEY)
    fireEvent.click(within(zone).getByRole("button", { name: "Use a passkey" }));
    await waitFor(() => expect(reauthenticated()).toHaveLength(1));
    await waitFor(() =>
      expect(within(zone).getByRole("alert").textContent).toBe(
        "This passkey could not be verified. Try again, or use another way.",
      ),
    );

    fireEvent.click(within(zone).getByRole("button", { name: "Use my password instead" }));
    expect(within(zone).queryByRole("alert")).toBeNull(); // another way starts clean
    type(within(zone).getByLabelText("Your password"), PASSWORD);
    fireEvent.click(within(zone).getByRole("button", { name: "Confirm" }));
    await confirmedForDeletion(zone);
  });

  it("an emailed code is sent when asked for, and has its own field", async () => {
    api.twoFactor = true;
    renderSettings();
    const zone = await deleteStepUp();
    fireEvent.click(within(zone).getByRole("button", { name: "Use my authenticator app instead" }));
    type(within(zone).getByLabelText("6-digit code"), "111");
    fireEvent.click(within(zone).getByRole("button", { name: "Email me a code instead" }));
    await within(zone).findByText(/We sent a code to/);
    expect(api.requests.find((r) => r.path === "/api/auth/email-otp/send/")?.body).toEqual({
      email: USER.email,
      type: "reauthentication",
    });
    const code = within(zone).getByLabelText("6-digit code") as HTMLInputElement;
    expect(code.value).toBe(""); // not the authenticator's digits
    await waitFor(() => expect(document.activeElement).toBe(code));
    expect(otherWays(zone)).toEqual([
      "Use my password instead",
      "Use my authenticator app instead",
    ]);
  });
});

describe("settings: confirm it is you after a sign-in without the password", () => {
  it("an emailed code comes first, sent when asked for; the password is offered below", async () => {
    const token = tokenWith({ sub: USER.id, amr: ["otp"] }); // a sign-in by an emailed code
    api.overrides.set("POST /api/auth/refresh/", () => {
      api.validToken = token;
      return json(200, { accessToken: token, accessTokenExpiresAt: "2099-01-01T00:00:00Z" });
    });
    renderSettings();
    const zone = await deleteStepUp();
    const send = within(zone).getByRole("button", { name: "Email me a code" });
    await waitFor(() => expect(document.activeElement).toBe(send));
    expect(within(zone).queryByLabelText("Your password")).toBeNull();
    expect(otherWays(zone)).toEqual(["Use my password instead"]);
    expect(api.count("POST", "/api/auth/email-otp/send/")).toBe(0); // nothing mailed on opening
    fireEvent.click(send);
    const code = await within(zone).findByLabelText("6-digit code");
    await waitFor(() => expect(document.activeElement).toBe(code));
    expect(api.count("POST", "/api/auth/email-otp/send/")).toBe(1);
    // The code's own "Send a new code", waiting out its 30 s first.
    const resend = within(zone).getByRole("button", { name: /^Send a new code \(in \d+ s\)$/ });
    expect(resend.getAttribute("aria-disabled")).toBe("true");
  });
});

describe("settings: profile", () => {
  it("a bad picture address is said under its field alone; a save says so and takes the focus", async () => {
    api.overrides.set("PATCH /api/auth/user/", (request) => {
      const { image } = request.body as { image: string | null };
      if (image && !image.startsWith("https://")) {
        return json(400, {
          code: "VALIDATION_ERROR",
          message: "Some fields are not valid.",
          fields: { image: ["Enter an https:// URL."] },
        });
      }
      return json(200, { user: { ...USER, image } });
    });
    renderSettings();
    const profile = await card("Profile");
    const picture = within(profile).getByLabelText("Picture URL");
    type(picture, "http://example.com/a.png");
    fireEvent.click(within(profile).getByRole("button", { name: "Save profile" }));
    const message = await within(profile).findByText("Enter an https:// URL.");
    expect(message.id).toBe(picture.getAttribute("aria-describedby"));
    expect(within(profile).queryByRole("alert")).toBeNull(); // no "Some fields are not valid." too
    await waitFor(() => expect(document.activeElement).toBe(picture));

    type(picture, "");
    fireEvent.click(within(profile).getByRole("button", { name: "Save profile" }));
    const saved = await within(profile).findByText("Your profile has been saved.");
    await waitFor(() => expect(document.activeElement).toBe(saved));
  });
});

describe("settings: change email", () => {
  it("the code step has 'Send a new code'; the third wrong code is said to be used up", async () => {
    api.overrides.set("POST /api/auth/email/change/", () => json(200, { success: true }));
    api.overrides.set("POST /api/auth/email/change/confirm/", () =>
      json(400, { code: "INVALID_OTP", message: "The code is not valid." }),
    );
    renderSettings();
    const email = await card("Email address");
    type(within(email).getByLabelText("New email address"), "ada.new@example.com");
    fireEvent.click(within(email).getByRole("button", { name: "Send a code to the new address" }));
    const code = await within(email).findByLabelText("6-digit code");
    expect(
      within(email)
        .getByRole("button", { name: /^Send a new code \(in \d+ s\)$/ })
        .getAttribute("aria-disabled"),
    ).toBe("true");
    const wrong = "That code is not right. Check it, or ask for a new one.";
    // The API answers INVALID_OTP to all three; the third used the code up.
    const said = [wrong, wrong, "Too many wrong codes. Ask for a new one."];
    for (const [attempt, sentence] of said.entries()) {
      type(code, "000000");
      fireEvent.click(within(email).getByRole("button", { name: "Change email" }));
      await waitFor(() =>
        expect(api.count("POST", "/api/auth/email/change/confirm/")).toBe(attempt + 1),
      );
      await waitFor(() =>
        expect(within(email).getByRole("button", { name: "Change email" })).toBeTruthy(),
      );
      expect(email.querySelector(".field-error")?.textContent).toBe(sentence);
    }
  });
});
