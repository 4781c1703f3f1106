// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuthClient } from "@authsvc/client/react";
import { DEVICE, FakeApi } from "@authsvc/client/testing";
import { App } from "../App";

let api: FakeApi;
const OTHER = {
  ...DEVICE,
  id: "e".repeat(32),
  device: "Firefox on Windows",
  ipAddress: null,
  current: false,
};

function renderSettings() {
  window.history.replaceState(null, "", "/settings");
  const client = createAuthClient({
    baseURL: window.location.origin,
    fetch: api.fetch,
    readCookie: api.readCookie,
  });
  render(<App client={client} />);
}

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
    expect(items[0].textContent).toMatch(/192\.0\.2\.1 · last used .+ · trusted until .+/);
    expect(items[1].textContent).toMatch(/unknown address · last used/);
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
