// @vitest-environment happy-dom
import { StrictMode } from "react";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuthClient } from "@authsvc/client/react";
import { FakeApi, json, USER } from "@authsvc/client/testing";
import { App } from "../App";
import { linkToken } from "./EmailLink";

let api: FakeApi;

/** The app opened at `url` (StrictMode, as main.tsx renders it); signed in unless told. */
function open(url: string, { signedIn = false } = {}) {
  if (!signedIn) api.cookies.delete("signed_in");
  window.history.replaceState(null, "", url);
  const client = createAuthClient({
    baseURL: window.location.origin,
    fetch: api.fetch,
    readCookie: api.readCookie,
    writeCookie: (name, value) =>
      value === null ? api.cookies.delete(name) : api.cookies.set(name, value),
  });
  render(
    <StrictMode>
      <App client={client} />
    </StrictMode>,
  );
  return client;
}

const verifyCalls = () => api.count("POST", "/api/auth/email-link/verify/");
const continueButton = () => screen.findByRole("button", { name: "Continue" });

beforeEach(() => {
  api = new FakeApi();
});

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

describe("linkToken", () => {
  it("reads token= from a fragment, with or without '#'", () => {
    expect(linkToken("#token=abc_-9")).toBe("abc_-9");
    expect(linkToken("token=abc&x=1")).toBe("abc");
    expect(linkToken("#token=")).toBeNull();
    expect(linkToken("")).toBeNull();
  });
});

describe("/auth/link", () => {
  it("does nothing on load: one button, the fragment gone from the address bar and history", async () => {
    api.links.set("tok-1", "sign-in");
    open("/auth/link#token=tok-1");
    expect(await continueButton()).toBeTruthy();
    expect(screen.getAllByRole("button")).toHaveLength(1);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Continue from your email");
    expect(window.location.pathname).toBe("/auth/link");
    expect(window.location.hash).toBe("");
    expect(window.location.href).not.toContain("tok-1");
    // The title is set by an effect after the page renders.
    await waitFor(() => expect(document.title).toBe("Email link · Classroom"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(verifyCalls()).toBe(0); // a scanner that opens the link uses nothing
    expect(api.requests).toEqual([]); // a signed-out browser makes no call at all
  });

  it("a sign-in link: one press signs this browser in and opens the dashboard", async () => {
    api.links.set("tok-1", "sign-in");
    const client = open("/auth/link#token=tok-1");
    fireEvent.click(await continueButton());
    expect(await screen.findByRole("heading", { name: "Welcome, Ada Lovelace!" })).toBeTruthy();
    expect(window.location.pathname).toBe("/dashboard");
    const sent = api.requests.find((r) => r.path === "/api/auth/email-link/verify/");
    expect(sent?.body).toEqual({ token: "tok-1" });
    expect(sent?.headers.get("Authorization")).toBeNull();
    expect(client.getAccessToken()).toBe("access-1");
    expect(verifyCalls()).toBe(1);
  });

  it("signed in, a verification link goes with the Bearer token: verified, the focus on it", async () => {
    api.links.set("tok-v", "email-verification");
    open("/auth/link#token=tok-v", { signedIn: true });
    expect(await screen.findByText(USER.email)).toBeTruthy(); // "You are signed in as ..."
    fireEvent.click(await continueButton());
    const heading = await screen.findByRole("heading", { name: "Email verified" });
    await waitFor(() => expect(document.activeElement).toBe(heading));
    expect(screen.getByRole("status").textContent).toBe(
      `Your email ${USER.email} is verified. Thank you!`,
    );
    const sent = api.requests.find((r) => r.path === "/api/auth/email-link/verify/");
    expect(sent?.headers.get("Authorization")).toBe("Bearer access-1");
    expect(screen.getByRole("link", { name: "Go to the dashboard" }).getAttribute("href")).toBe(
      "/dashboard",
    );
  });

  it("a forgotten-password link: a new password right there, then on to sign in", async () => {
    api.links.set("tok-r", "forget-password");
    open("/auth/link#token=tok-r");
    fireEvent.click(await continueButton());
    await screen.findByRole("heading", { name: "Choose a new password" });
    const password = screen.getByLabelText("New password");
    await waitFor(() => expect(document.activeElement).toBe(password));
    fireEvent.change(password, { target: { value: "a brand new one" } });
    fireEvent.change(screen.getByLabelText("Repeat the new password"), {
      target: { value: "a brand new 0ne" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Set new password" }));
    expect(await screen.findByText("The two passwords do not match.")).toBeTruthy();
    expect(api.count("POST", "/api/auth/password/reset/")).toBe(0);

    fireEvent.change(screen.getByLabelText("Repeat the new password"), {
      target: { value: "a brand new one" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Set new password" }));
    await screen.findByRole("heading", { name: "Password changed" });
    expect(screen.getByRole("status").textContent).toBe(
      "Your password has been changed. Every device was signed out.",
    );
    const reset = api.requests.find((r) => r.path === "/api/auth/password/reset/");
    expect(reset?.body).toEqual({ resetToken: "reset-1", password: "a brand new one" });
    fireEvent.click(screen.getByRole("link", { name: "Sign in" }));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
  });

  it("a reset while signed in signs this tab out too (every sign-in ends)", async () => {
    api.links.set("tok-r", "forget-password");
    const client = open("/auth/link#token=tok-r", { signedIn: true });
    fireEvent.click(await continueButton());
    fireEvent.change(await screen.findByLabelText("New password"), {
      target: { value: "a brand new one" },
    });
    fireEvent.change(screen.getByLabelText("Repeat the new password"), {
      target: { value: "a brand new one" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Set new password" }));
    await screen.findByRole("heading", { name: "Password changed" });
    expect(client.getAccessToken()).toBeNull();
    expect(screen.queryByRole("navigation")).toBeNull();
  });

  it("an email change (or its undo): a sentence true for both; this tab's ended sign-in is noticed", async () => {
    api.links.set("tok-c", "email-change");
    const client = open("/auth/link#token=tok-c", { signedIn: true });
    fireEvent.click(await continueButton());
    const heading = await screen.findByRole("heading", { name: "Done" });
    await waitFor(() => expect(document.activeElement).toBe(heading));
    expect(screen.getByRole("status").textContent).toBe(
      "Every device signed in to the account was signed out.",
    );
    screen.getByText(/If the link confirmed a new email address, sign in with that address\./);
    screen.getByText(/If it undid a change of address, .* choose a new password/);
    expect(screen.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe("/sign-in");
    expect(screen.getByRole("link", { name: "Forgot your password?" })).toBeTruthy();
    await waitFor(() => expect(client.getAccessToken()).toBeNull());
    expect(screen.queryByRole("navigation")).toBeNull();
  });

  it("a used link: the INVALID_LINK sentence, focused, no button to press again, ways on", async () => {
    open("/auth/link#token=used");
    fireEvent.click(await continueButton());
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe(
      "This link is invalid, expired or already used. Ask for a new one.",
    );
    await waitFor(() => expect(document.activeElement).toBe(alert));
    expect(screen.queryByRole("button")).toBeNull();
    expect(screen.queryByText(/Press Continue/)).toBeNull(); // nothing left to press
    expect(screen.getByRole("link", { name: "Sign in with a new code" }).getAttribute("href")).toBe(
      "/sign-in/code",
    );
    expect(screen.getByRole("link", { name: "Forgot your password?" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Sign in with a password" })).toBeTruthy();
  });

  it("an undo too late (the old address taken since) says so; signed in, the ways on stay inside", async () => {
    api.overrides.set("POST /api/auth/email-link/verify/", () =>
      json(422, { code: "USER_ALREADY_EXISTS", message: "A user with this email already exists." }),
    );
    open("/auth/link#token=tok-u", { signedIn: true });
    fireEvent.click(await continueButton());
    expect((await screen.findByRole("alert")).textContent).toBe(
      "An account with this email already exists. Sign in instead.",
    );
    expect(screen.queryByRole("button", { name: "Continue" })).toBeNull();
    expect(screen.getByRole("link", { name: "Back to the dashboard" })).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Sign in with a new code" })).toBeNull();
  });

  it("a network failure keeps the button: the link is still good", async () => {
    api.links.set("tok-1", "sign-in");
    api.overrides.set("POST /api/auth/email-link/verify/", () => {
      api.overrides.delete("POST /api/auth/email-link/verify/"); // back online after this one
      return Promise.reject(new TypeError("Failed to fetch"));
    });
    open("/auth/link#token=tok-1");
    fireEvent.click(await continueButton());
    expect((await screen.findByRole("alert")).textContent).toBe(
      "Could not reach the server. Check your connection and try again.",
    );
    fireEvent.click(await continueButton());
    expect(await screen.findByRole("heading", { name: "Welcome, Ada Lovelace!" })).toBeTruthy();
  });

  it("no token in the fragment: the link is incomplete, nothing to press", async () => {
    open("/auth/link");
    expect((await screen.findByRole("alert")).textContent).toBe(
      "This link is incomplete. Open it again from the email, or ask for a new one.",
    );
    expect(screen.queryByRole("button")).toBeNull();
    expect(screen.getByRole("link", { name: "Sign in with a new code" })).toBeTruthy();
    expect(api.requests).toEqual([]);
  });
});
