// @vitest-environment happy-dom
import { StrictMode } from "react";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { createAuthClient } from "@authsvc/client/react";
import { FakeApi, USER } from "@authsvc/client/testing";
import { AuthProvider, useAuth } from "./auth/AuthProvider";

let api: FakeApi;

function makeClient() {
  return createAuthClient({
    baseURL: window.location.origin,
    fetch: api.fetch,
    readCookie: api.readCookie,
  });
}

function Status() {
  const { status, user } = useAuth();
  return <p data-testid="status">{status === "signedIn" ? `hello ${user?.name}` : status}</p>;
}

beforeEach(() => {
  api = new FakeApi();
  window.localStorage.clear();
  window.sessionStorage.clear();
});

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

describe("AuthProvider / useAuth", () => {
  it("restores the session on mount, once even under StrictMode", async () => {
    render(
      <StrictMode>
        <AuthProvider client={makeClient()}>
          <Status />
        </AuthProvider>
      </StrictMode>,
    );
    expect(screen.getByTestId("status").textContent).toBe("loading");
    await waitFor(() =>
      expect(screen.getByTestId("status").textContent).toBe("hello Ada Lovelace"),
    );
    expect(api.count("GET", "/api/auth/csrf/")).toBe(1);
    expect(api.count("POST", "/api/auth/refresh/")).toBe(1);
  });

  it("shows signed out when there is no session to restore", async () => {
    api.signedIn = false;
    render(
      <AuthProvider client={makeClient()}>
        <Status />
      </AuthProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("status").textContent).toBe("signedOut"));
  });

  it("throws a clear error outside the provider", () => {
    expect(() => render(<Status />)).toThrow(/inside <AuthProvider>/);
  });
});

describe("pages", () => {
  it("sign-in: maps the API error, signs in, shows the role's dashboard, keeps no token in storage", async () => {
    api.signedIn = false;
    window.history.replaceState(null, "", "/sign-in");
    const client = makeClient();
    render(<App client={client} />);

    const email = await screen.findByLabelText("Email");
    fireEvent.change(email, { target: { value: USER.email } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "wrong" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Wrong email or password.");

    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "correct horse" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("heading", { name: "Welcome, Ada Lovelace!" })).toBeTruthy();
    expect(screen.getByTestId("teacher-view")).toBeTruthy();
    expect(window.location.pathname).toBe("/dashboard");
    const signInBody = api.requests.find((r) => r.path === "/api/auth/sign-in/")?.body;
    expect(signInBody).toMatchObject({ rememberMe: true });

    const stored = JSON.stringify({ ...window.localStorage, ...window.sessionStorage });
    expect(stored).not.toContain(client.getAccessToken()!);
    expect(window.localStorage.length + window.sessionStorage.length).toBe(0);

    fireEvent.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
    expect(screen.getByText("You have signed out.")).toBeTruthy();
    expect(client.getAccessToken()).toBeNull();
    expect(api.count("POST", "/api/auth/sign-out/")).toBe(1);
  });

  it("a signed-out visitor of a protected page is sent to sign-in", async () => {
    api.signedIn = false;
    window.history.replaceState(null, "", "/settings");
    render(<App client={makeClient()} />);
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
    expect(window.location.pathname).toBe("/sign-in");
  });

  it("an empty sign-up marks every empty field, sends nothing, and focuses the first", async () => {
    api.signedIn = false;
    window.history.replaceState(null, "", "/sign-up");
    render(<App client={makeClient()} />);
    fireEvent.click(await screen.findByRole("button", { name: "Create account" }));
    await waitFor(() => expect(screen.getByText("Enter your name.")).toBeTruthy());
    screen.getByText("Enter your email.");
    screen.getByText("Enter your password.");
    const name = screen.getByLabelText("Name");
    expect(name.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByLabelText("Email").getAttribute("aria-invalid")).toBe("true");
    expect(api.count("POST", "/api/auth/sign-up/")).toBe(0);
    await waitFor(() => expect(document.activeElement).toBe(name));
  });

  it("an error of one field shows under it and takes the focus", async () => {
    api.signedIn = false;
    window.history.replaceState(null, "", "/sign-in");
    render(<App client={makeClient()} />);
    fireEvent.change(await screen.findByLabelText("Email"), { target: { value: USER.email } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "wrong" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    // A wrong email or password names neither field: the form's box shows it and takes focus.
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Wrong email or password.");
    await waitFor(() => expect(document.activeElement).toBe(alert));
  });
});
