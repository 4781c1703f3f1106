// @vitest-environment happy-dom
import { StrictMode } from "react";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuthClient } from "@authsvc/client/react";
import {
  BACKUP_CODES,
  EMAIL_CODE,
  FakeApi,
  FakeAuthenticator,
  PASSWORD,
  TOTP_CODE,
  USER,
} from "@authsvc/client/testing";
import { App } from "../App";
import { type } from "./pages.testing";

let api: FakeApi;
let authenticator: FakeAuthenticator;

/** The app opened signed out at `url` (StrictMode, as main.tsx renders it). */
function open(url: string) {
  api.cookies.delete("signed_in");
  api.signedIn = false;
  window.history.replaceState(null, "", url);
  const client = createAuthClient({
    baseURL: window.location.origin,
    fetch: api.fetch,
    readCookie: api.readCookie,
    writeCookie: (name, value) =>
      value === null ? api.cookies.delete(name) : api.cookies.set(name, value),
    credentials: authenticator.credentials,
  });
  render(
    <StrictMode>
      <App client={client} />
    </StrictMode>,
  );
  return client;
}

async function signInWithPassword() {
  type(await screen.findByLabelText("Email"), USER.email);
  type(screen.getByLabelText("Password"), PASSWORD);
  fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
}

const secondStep = () => screen.findByRole("heading", { name: "Confirm it is you" });

/** A sign-in by emailed code, on to the second step it is asked for. */
async function signInWithCodeToSecondStep() {
  open("/sign-in/code");
  type(await screen.findByLabelText("Email"), USER.email);
  fireEvent.click(screen.getByRole("button", { name: "Send me a code" }));
  type(await screen.findByLabelText("6-digit code"), EMAIL_CODE);
  fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
  await secondStep();
}
const dashboard = () => screen.findByRole("heading", { name: "Welcome, Ada Lovelace!" });
/** The last passkey request the browser got: modal, or "conditional" (autofill). */
const lastRequest = () => {
  const call = authenticator.calls.at(-1);
  return call?.kind === "get" ? (call.options.mediation ?? "modal") : call?.kind;
};
const body = (path: string) => api.requests.find((r) => r.path === path)?.body;

/** This authenticator holds a passkey of USER that the fake server knows. */
function holdPasskey() {
  authenticator.credentialId = "Y3JlZGVudGlhbC0x";
  api.credentialIds.set(authenticator.credentialId, "passkey-1");
}

beforeEach(() => {
  api = new FakeApi();
  api.twoFactor = true;
  authenticator = new FakeAuthenticator();
});

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

describe("the second step of a sign-in", () => {
  it("a password sign-in asks for it; a wrong code, then the app's code signs in", async () => {
    const client = open("/sign-in");
    await signInWithPassword();
    await secondStep();
    expect(window.location.pathname).toBe("/sign-in/two-factor");
    // The title is set by an effect after the page renders.
    await waitFor(() => expect(document.title).toBe("Confirm it is you · Classroom"));
    expect(client.getAccessToken()).toBeNull(); // no token before the second step
    // Only what the account has: no passkey here.
    expect(screen.getByRole("button", { name: "Use a recovery code instead" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Use a passkey instead" })).toBeNull();
    const trust = screen.getByLabelText("Trust this device for 30 days") as HTMLInputElement;
    expect(trust.checked).toBe(false);

    const code = screen.getByLabelText("6-digit code");
    await waitFor(() => expect(document.activeElement).toBe(code));
    type(code, "000000");
    fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    expect(
      await screen.findByText(
        "That code is not right. Check it, or use another way to confirm it is you.",
      ),
    ).toBeTruthy();
    type(screen.getByLabelText("6-digit code"), TOTP_CODE);
    fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    await dashboard();
    expect(window.location.pathname).toBe("/dashboard");
    expect(body("/api/auth/two-factor/verify-totp/")).toEqual({
      code: "000000",
      trustDevice: false,
    });
    expect(client.getAccessToken()).not.toBeNull();
  });

  it("a recovery code, trusting this device", async () => {
    open("/sign-in");
    await signInWithPassword();
    await secondStep();
    fireEvent.click(screen.getByRole("button", { name: "Use a recovery code instead" }));
    const field = screen.getByLabelText("Recovery code");
    await waitFor(() => expect(document.activeElement).toBe(field));
    expect(screen.getByRole("button", { name: "Use your authenticator app instead" })).toBeTruthy();
    type(field, ` ${BACKUP_CODES[0]} `);
    fireEvent.click(screen.getByLabelText("Trust this device for 30 days"));
    fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    await dashboard();
    expect(body("/api/auth/two-factor/verify-backup-code/")).toEqual({
      code: BACKUP_CODES[0],
      trustDevice: true,
    });
  });

  it("a passkey, when the account has one", async () => {
    api.methods = ["totp", "backup-code", "passkey"];
    holdPasskey();
    open("/sign-in");
    await signInWithPassword();
    await secondStep();
    fireEvent.click(screen.getByRole("button", { name: "Use a passkey instead" }));
    fireEvent.click(screen.getByRole("button", { name: "Use a passkey" }));
    await dashboard();
    expect(lastRequest()).toBe("modal");
    expect(api.count("POST", "/api/auth/two-factor/verify-passkey/")).toBe(1);
  });

  it("an expired pending sign-in goes back to sign-in and says why", async () => {
    open("/sign-in");
    await signInWithPassword();
    await secondStep();
    api.pending = null; // 5 minutes later
    type(screen.getByLabelText("6-digit code"), TOTP_CODE);
    fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    expect((await screen.findByRole("alert")).textContent).toBe(
      "This sign-in has expired or had too many wrong answers. Sign in again.",
    );
    expect(window.location.pathname).toBe("/sign-in");
    await signInWithPassword(); // the next try starts clean
    await secondStep();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("after an expired one the form has the address typed again, kept in no storage or history", async () => {
    open("/settings"); // signed out: sign in first, then on to settings
    await signInWithPassword();
    await secondStep();
    api.pending = null;
    type(screen.getByLabelText("6-digit code"), TOTP_CODE);
    fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    await screen.findByRole("alert");
    expect(window.location.pathname).toBe("/sign-in");
    expect(screen.getByLabelText("Email")).toHaveProperty("value", USER.email);
    expect(screen.getByLabelText("Password")).toHaveProperty("value", "");
    // Handed over in the router's state and read once: the history entry no longer holds it.
    await waitFor(() => expect(JSON.stringify(window.history.state)).not.toContain(USER.email));
    expect(localStorage.length + sessionStorage.length).toBe(0);
    expect([...api.cookies.keys()].some((name) => api.cookies.get(name)?.includes("@"))).toBe(
      false,
    );

    // Where the user was headed is kept: the next sign-in goes there.
    type(screen.getByLabelText("Password"), PASSWORD);
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await secondStep();
    type(screen.getByLabelText("6-digit code"), TOTP_CODE);
    fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    await screen.findByRole("heading", { name: "Settings", level: 1 });
    expect(body("/api/auth/sign-in/")).toMatchObject({ email: USER.email });
  });

  it("a code sign-in's address is filled in on the sign-in form after it expired", async () => {
    await signInWithCodeToSecondStep();
    api.pending = null;
    type(screen.getByLabelText("6-digit code"), TOTP_CODE);
    fireEvent.click(screen.getByRole("button", { name: "Continue" }));
    await screen.findByRole("heading", { name: "Sign in", level: 1 });
    expect(screen.getByLabelText("Email")).toHaveProperty("value", USER.email);
  });

  it("a code sign-in and an emailed link go to the second step too", async () => {
    await signInWithCodeToSecondStep();
    cleanup();

    api.links.set("tok-1", "sign-in");
    open("/auth/link#token=tok-1");
    fireEvent.click(await screen.findByRole("button", { name: "Continue" }));
    await secondStep();
    expect(window.location.pathname).toBe("/sign-in/two-factor");
  });

  it("opened without a sign-in's list: the authenticator app and recovery codes", async () => {
    open("/sign-in/two-factor");
    await secondStep();
    expect(screen.getByLabelText("6-digit code")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Use a recovery code instead" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Use a passkey instead" })).toBeNull();
    expect(screen.getByRole("link", { name: "Back to sign in" })).toBeTruthy();
  });
});

describe("sign-in with a passkey", () => {
  it("the email field offers passkeys; autofill waits from the start and signs in on a pick", async () => {
    api.twoFactor = false;
    holdPasskey();
    open("/sign-in");
    const email = (await screen.findByLabelText("Email")) as HTMLInputElement;
    expect(email.getAttribute("autocomplete")).toBe("username webauthn");
    await waitFor(() => expect(authenticator.conditionalWaiting).toBe(true));
    expect(screen.queryByRole("alert")).toBeNull(); // StrictMode's first request ended quietly
    authenticator.pick();
    await dashboard();
    expect(api.count("POST", "/api/auth/passkey/sign-in/")).toBe(1);
  });

  it("the button replaces the autofill request and signs in, with no second step", async () => {
    holdPasskey(); // two-factor is on: a passkey is multi-factor by itself
    open("/sign-in");
    await waitFor(() => expect(authenticator.conditionalWaiting).toBe(true));
    fireEvent.click(screen.getByRole("button", { name: "Sign in with a passkey" }));
    await dashboard();
    expect(lastRequest()).toBe("modal");
    expect(api.count("POST", "/api/auth/passkey/sign-in/")).toBe(1);
  });

  it("a dismissed dialog says so, and autofill waits again", async () => {
    holdPasskey();
    open("/sign-in");
    await waitFor(() => expect(authenticator.conditionalWaiting).toBe(true));
    authenticator.refuse = "NotAllowedError";
    fireEvent.click(screen.getByRole("button", { name: "Sign in with a passkey" }));
    expect((await screen.findByRole("alert")).textContent).toBe(
      "No passkey was used: the request was cancelled or timed out. Try again.",
    );
    await waitFor(() => expect(authenticator.conditionalWaiting).toBe(true));
    expect(api.count("POST", "/api/auth/passkey/sign-in/")).toBe(0);
  });

  it("leaving the page ends the autofill request", async () => {
    open("/sign-in");
    await waitFor(() => expect(authenticator.conditionalWaiting).toBe(true));
    fireEvent.click(screen.getByRole("link", { name: "Sign in with a code instead" }));
    await screen.findByRole("heading", { name: "Sign in with a code" });
    await waitFor(() => expect(authenticator.conditionalWaiting).toBe(false));
  });
});
