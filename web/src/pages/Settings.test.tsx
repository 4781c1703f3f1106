// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEVICE, EMAIL_CODE, FakeApi, json, USER } from "@authsvc/client/testing";
import type { RecordedRequest } from "@authsvc/client/testing";
import { renderApp, type } from "./pages.testing";
import { tokenWith } from "../auth/signInProof.testing";

let api: FakeApi;
const OTHER = {
  ...DEVICE,
  id: "e".repeat(32),
  device: "Firefox on Windows",
  ipAddress: null,
  current: false,
};

const renderSettings = () => renderApp(api, { path: "/settings" });

/** The trusted devices card, once its list (or its empty state) is there. */
async function devicesCard() {
  const heading = await screen.findByRole("heading", { name: "Trusted devices" });
  const card = heading.closest(".card") as HTMLElement;
  await waitFor(() => expect(within(card).queryByRole("status")).toBeNull()); // loaded
  return card;
}

beforeEach(() => {
  api = new FakeApi();
});

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

describe("settings: trusted devices", () => {
  it("lists each device by its readable name, marks this one, with last use and trust end", async () => {
    api.devices = [DEVICE, OTHER];
    renderSettings();
    const card = await devicesCard();
    const items = within(card).getAllByTestId("device");
    expect(items.map((item) => item.querySelector("strong")?.textContent)).toEqual([
      "Chrome on Linux",
      "Firefox on Windows",
    ]);
    expect(within(items[0]).getByText("This device").className).toBe("badge badge-current");
    expect(within(items[1]).queryByText("This device")).toBeNull();
    // A no-break space ties each "·" to what it ends: no line of the details starts with one.
    expect(items[0].textContent).toMatch(
      /192\.0\.2\.1\u00a0· last used .+\u00a0· trusted until .+/,
    );
    expect(items[1].textContent).toMatch(/unknown address\u00a0· last used/);
    // Every device can be revoked, this one too (it stays signed in); each button names it.
    expect(
      within(card)
        .getAllByRole("button")
        .map((button) => button.getAttribute("aria-label")?.split(",")[0]),
    ).toEqual(["Revoke Chrome on Linux (this device)", "Revoke Firefox on Windows"]);
  });

  it("revokes a device: DELETE devices/{id}/, then the list without it", async () => {
    api.devices = [DEVICE, OTHER];
    renderSettings();
    const card = await devicesCard();
    fireEvent.click(within(card).getByRole("button", { name: /^Revoke Firefox on Windows,/ }));
    await waitFor(() => expect(within(card).getAllByTestId("device")).toHaveLength(1));
    expect(api.count("DELETE", `/api/auth/devices/${OTHER.id}/`)).toBe(1);
    expect(within(card).getByTestId("device").textContent).toContain("This device");
    expect(within(card).queryByRole("alert")).toBeNull();
    expect(api.count("GET", "/api/auth/session/")).toBe(1); // still signed in
  });

  it("a device revoked elsewhere: the NOT_FOUND sentence, and the list as it is now", async () => {
    api.devices = [DEVICE, OTHER];
    renderSettings();
    const card = await devicesCard();
    api.devices = [DEVICE]; // revoked from another tab meanwhile
    fireEvent.click(within(card).getByRole("button", { name: /^Revoke Firefox on Windows,/ }));
    expect((await within(card).findByRole("alert")).textContent).toBe("That no longer exists.");
    await waitFor(() => expect(within(card).getAllByTestId("device")).toHaveLength(1));
    expect(within(card).getByRole("button", { name: /^Revoke Chrome on Linux/ })).toBeTruthy();
  });

  it("says so when no device is trusted (this one revoked, say)", async () => {
    api.devices = [DEVICE];
    renderSettings();
    const card = await devicesCard();
    fireEvent.click(within(card).getByRole("button", { name: /^Revoke Chrome on Linux/ }));
    expect(await within(card).findByText("No trusted devices.")).toBeTruthy();
    expect(within(card).queryByRole("list")).toBeNull();
  });
});

/** This sign-in was proven by `amr` (the access tokens that refresh/ hands out say so). */
function signedInBy(amr: string[]) {
  const token = tokenWith({ sub: USER.id, amr });
  api.overrides.set("POST /api/auth/refresh/", () => {
    api.validToken = token;
    const expires = new Date(Date.now() + 600_000).toISOString();
    return json(200, { accessToken: token, accessTokenExpiresAt: expires });
  });
}

/** password/change/ answers with `answer(body)`; the bodies it got. */
function passwordChange(answer: (body: Record<string, unknown>) => Response) {
  const bodies: Record<string, unknown>[] = [];
  api.overrides.set("POST /api/auth/password/change/", (request: RecordedRequest) => {
    const body = request.body as Record<string, unknown>;
    bodies.push(body);
    return answer(body);
  });
  return bodies;
}

const changed = () => json(200, { user: USER });
async function passwordCard(heading: string) {
  const element = (await screen.findByRole("heading", { name: heading, level: 2 })).closest(
    ".card",
  ) as HTMLElement;
  return element;
}

describe("settings: password", () => {
  it("signed in by password: the current one, the new one and its repeat, the same rule as a reset", async () => {
    signedInBy(["pwd"]);
    const bodies = passwordChange(changed);
    renderSettings();
    const card = await passwordCard("Change password");
    // A password manager files the new password under the account's address.
    const username = card.querySelector('input[autocomplete="username"]') as HTMLInputElement;
    expect([username.hidden, username.value]).toEqual([true, USER.email]);
    type(within(card).getByLabelText("Current password"), "correct horse");
    type(within(card).getByLabelText("New password"), "a brand new secret");
    fireEvent.click(within(card).getByRole("button", { name: "Change password" }));
    const repeat = within(card).getByLabelText("Repeat the new password");
    expect(await within(card).findByText("Repeat the new password.")).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(repeat));

    type(repeat, "a brand new secreT");
    fireEvent.click(within(card).getByRole("button", { name: "Change password" }));
    expect(await within(card).findByText("The two passwords do not match.")).toBeTruthy();
    expect(bodies).toEqual([]); // nothing sent until both are the same

    type(repeat, "a brand new secret");
    fireEvent.click(within(card).getByRole("button", { name: "Change password" }));
    const done = await within(card).findByText("Your password has been changed.");
    await waitFor(() => expect(document.activeElement).toBe(done)); // the focus is not lost
    expect(bodies).toEqual([
      {
        currentPassword: "correct horse",
        newPassword: "a brand new secret",
        revokeOtherSessions: true,
      },
    ]);
  });

  it("an account made by an emailed code sets one: none asked for; an old sign-in confirms by a code first", async () => {
    signedInBy(["otp"]);
    api.overrides.set("POST /api/auth/reauthenticate/", (request: RecordedRequest) => {
      const ok = (request.body as { otp?: string }).otp === EMAIL_CODE;
      if (!ok) return json(400, { code: "INVALID_OTP", message: "The code is wrong." });
      api.fresh = true;
      return json(200, { user: USER, ...api.issueToken() });
    });
    api.fresh = false;
    const bodies = passwordChange(() =>
      api.fresh
        ? changed()
        : json(403, { code: "REAUTHENTICATION_REQUIRED", message: "Prove it is you again." }),
    );
    renderSettings();
    const card = await passwordCard("Set a password");
    expect(within(card).queryByLabelText("Current password")).toBeNull();
    type(within(card).getByLabelText("New password"), "my first password");
    type(within(card).getByLabelText("Repeat the new password"), "my first password");
    fireEvent.click(within(card).getByRole("button", { name: "Set password" }));

    // No password to offer: an emailed code, sent when asked for.
    const send = await within(card).findByRole("button", { name: "Email me a code" });
    await waitFor(() => expect(document.activeElement).toBe(send));
    expect(within(card).queryByLabelText("Your password")).toBeNull();
    expect(within(card).queryByRole("button", { name: "Use my password instead" })).toBeNull();
    fireEvent.click(send);
    const code = await within(card).findByLabelText("6-digit code");
    await waitFor(() => expect(document.activeElement).toBe(code));
    expect(within(card).getByRole("button", { name: /^Send a new code/ })).toBeTruthy();
    type(code, EMAIL_CODE);
    fireEvent.click(within(card).getByRole("button", { name: "Confirm" }));

    const done = await within(card).findByText("Your password has been set.");
    await waitFor(() => expect(document.activeElement).toBe(done));
    expect(bodies).toEqual([
      { newPassword: "my first password", revokeOtherSessions: true },
      { newPassword: "my first password", revokeOtherSessions: true },
    ]);
  });

  it("signed in by a code, an account that has a password is asked for it after the first try", async () => {
    signedInBy(["otp"]);
    const bodies = passwordChange((body) =>
      body.currentPassword === undefined
        ? json(400, { code: "INVALID_PASSWORD", message: "The password is wrong." })
        : changed(),
    );
    renderSettings();
    const card = await passwordCard("Set a password");
    type(within(card).getByLabelText("New password"), "a brand new secret");
    type(within(card).getByLabelText("Repeat the new password"), "a brand new secret");
    fireEvent.click(within(card).getByRole("button", { name: "Set password" }));

    const current = await within(card).findByLabelText("Current password");
    expect(within(card).getByText("Enter your current password.")).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(current));
    expect(within(card).getByRole("heading", { name: "Change password" })).toBeTruthy();
    expect(within(card).queryByRole("alert")).toBeNull(); // said under the field alone

    type(current, "correct horse");
    fireEvent.click(within(card).getByRole("button", { name: "Change password" }));
    await within(card).findByText("Your password has been changed.");
    expect(bodies.map((body) => body.currentPassword)).toEqual([undefined, "correct horse"]);
  });
});

describe("settings: security activity", () => {
  it("lists what the other cards just did, without a reload", async () => {
    const event = (type: string) => ({
      type,
      createdAt: "2025-01-02T10:00:00Z",
      ipAddress: "192.0.2.1",
      device: "Chrome on Linux",
    });
    let events = [event("signed_in_password")];
    api.overrides.set("GET /api/auth/security-events/", () =>
      json(200, { count: events.length, next: null, previous: null, results: events }),
    );
    api.devices = [DEVICE, OTHER];
    renderSettings();
    const heading = await screen.findByRole("heading", { name: "Recent security activity" });
    const activity = heading.closest(".card") as HTMLElement;
    await within(activity).findByText("Signed in with your password");
    const row = within(activity).getByTestId("security-event");
    expect(row.textContent).toMatch(/\d{4}, .+\u00a0· Chrome on Linux\u00a0· 192\.0\.2\.1$/);

    events = [event("sign_ins_revoked"), ...events]; // what the server records meanwhile
    const card = await devicesCard();
    fireEvent.click(within(card).getByRole("button", { name: /^Revoke Firefox on Windows,/ }));
    expect(await within(activity).findByText("Signed out of other devices")).toBeTruthy();
    expect(api.count("GET", "/api/auth/security-events/")).toBe(2);
  });
});
