// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  BACKUP_CODES,
  FakeApi,
  FakeAuthenticator,
  json,
  PASSWORD,
  TOTP_CODE,
  USER,
} from "@authsvc/client/testing";
import type { Passkey } from "@authsvc/client";
import { renderApp, settingsCard, type } from "./pages.testing";
import { qrPath } from "../components/QrCode";
import { RecoveryCodes, recoveryCodesText, totpSecret } from "./SecondFactorCards";

let api: FakeApi;
let authenticator: FakeAuthenticator;

const renderSettings = () => renderApp(api, { path: "/settings", authenticator });
const card = settingsCard;

const PHONE: Passkey = {
  id: "p".repeat(32),
  name: "Phone",
  createdAt: "2025-01-01T00:00:00Z",
  lastUsedAt: "2025-01-02T10:00:00Z",
  backedUp: false,
  deviceType: "singleDevice",
};

beforeEach(() => {
  api = new FakeApi();
  authenticator = new FakeAuthenticator();
});

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

describe("helpers", () => {
  it("totpSecret: the key of an otpauth:// URI in groups of 4; nothing from a bad URI", () => {
    expect(totpSecret("otpauth://totp/Classroom:a%40b.c?secret=JBSWY3DPEHPK3PXP&issuer=C")).toBe(
      "JBSW Y3DP EHPK 3PXP",
    );
    expect(totpSecret("not a uri")).toBe("");
  });

  it("qrPath: a square code with its quiet zone, one 1×1 square per dark module", () => {
    const { size, path } = qrPath("otpauth://totp/Classroom:a%40b.c?secret=JBSWY3DPEHPK3PXP");
    expect(size).toBeGreaterThanOrEqual(21 + 8);
    expect(path.startsWith("M4 4h1v1h-1z")).toBe(true); // the finder pattern's first module
  });

  it("recoveryCodesText: whose codes, one a line, and what they are for", () => {
    const text = recoveryCodesText("ada@example.com", BACKUP_CODES);
    expect(text.split("\n").slice(0, 5)).toEqual([
      "Recovery codes for ada@example.com (Classroom)",
      "",
      ...BACKUP_CODES,
    ]);
    expect(text).toContain("Each code signs you in once");
  });
});

describe("recovery codes", () => {
  it("copies every code, one a line, and says so", async () => {
    const writeText = vi.fn(async () => {});
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    render(<RecoveryCodes codes={BACKUP_CODES} email={USER.email} />);
    const list = screen.getByRole("list", { name: "Your recovery codes" });
    expect(
      within(list)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual(BACKUP_CODES);
    fireEvent.click(screen.getByRole("button", { name: "Copy codes" }));
    expect((await screen.findByRole("status")).textContent).toBe("Copied.");
    expect(writeText).toHaveBeenCalledWith(BACKUP_CODES.join("\n"));
    vi.unstubAllGlobals();
  });

  it("downloads them as a .txt file", async () => {
    let saved: Blob | null = null;
    vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => {
      saved = blob as Blob;
      return "blob:codes";
    });
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push(this);
    });
    render(<RecoveryCodes codes={BACKUP_CODES} email={USER.email} />);
    fireEvent.click(screen.getByRole("button", { name: "Download (.txt)" }));
    expect(clicked).toHaveLength(1);
    expect(clicked[0].download).toBe("classroom-recovery-codes.txt");
    expect(clicked[0].getAttribute("href")).toBe("blob:codes");
    expect(clicked[0].isConnected).toBe(false); // not left in the page
    expect(saved).not.toBeNull();
    expect(await saved!.text()).toBe(recoveryCodesText(USER.email, BACKUP_CODES));
  });
});

describe("settings: two-factor authentication", () => {
  it("turns on: password, QR code and key, a first code, then the recovery codes once", async () => {
    renderSettings();
    const twoFactor = await card("Two-factor authentication");
    fireEvent.click(
      within(twoFactor).getByRole("button", { name: "Turn on two-factor authentication" }),
    );
    type(within(twoFactor).getByLabelText("Your password"), PASSWORD);
    fireEvent.click(within(twoFactor).getByRole("button", { name: "Continue" }));

    const qr = await within(twoFactor).findByRole("img", {
      name: "QR code of your authenticator key",
    });
    expect(qr.tagName.toLowerCase()).toBe("svg");
    expect(within(twoFactor).getByTestId("totp-secret").textContent).toBe("JBSW Y3DP EHPK 3PXP");
    expect(api.requests.find((r) => r.path === "/api/auth/two-factor/enable/")?.body).toEqual({
      password: PASSWORD,
    });

    const code = within(twoFactor).getByLabelText("6-digit code");
    type(code, "123");
    fireEvent.click(within(twoFactor).getByRole("button", { name: "Turn on" }));
    expect(within(twoFactor).getByText("Enter all 6 digits of the code.")).toBeTruthy();
    expect(api.count("POST", "/api/auth/two-factor/verify-totp/")).toBe(0); // nothing spent

    type(code, "000000");
    fireEvent.click(within(twoFactor).getByRole("button", { name: "Turn on" }));
    expect(
      await within(twoFactor).findByText(
        "That code is not right. Check it, or use another way to confirm it is you.",
      ),
    ).toBeTruthy();

    type(within(twoFactor).getByLabelText("6-digit code"), TOTP_CODE);
    fireEvent.click(within(twoFactor).getByRole("button", { name: "Turn on" }));
    expect(await within(twoFactor).findByText("Two-factor authentication is on.")).toBeTruthy();
    const codes = within(twoFactor).getByRole("list", { name: "Your recovery codes" });
    expect(
      within(codes)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual(BACKUP_CODES);

    fireEvent.click(within(twoFactor).getByRole("button", { name: "I have saved my codes" }));
    expect(within(twoFactor).getByText("On").className).toBe("badge badge-on");
    expect(within(twoFactor).queryByRole("list")).toBeNull(); // shown once
    expect(within(twoFactor).getByRole("button", { name: "Make new recovery codes" })).toBeTruthy();
  });

  it("an old sign-in confirms it is you first, then carries on", async () => {
    api.fresh = false;
    renderSettings();
    const twoFactor = await card("Two-factor authentication");
    fireEvent.click(
      within(twoFactor).getByRole("button", { name: "Turn on two-factor authentication" }),
    );
    type(within(twoFactor).getByLabelText("Your password"), PASSWORD);
    fireEvent.click(within(twoFactor).getByRole("button", { name: "Continue" }));
    expect(await within(twoFactor).findByText("For your safety, confirm it is you.")).toBeTruthy();
    type(within(twoFactor).getByLabelText("Your password"), PASSWORD);
    fireEvent.click(within(twoFactor).getByRole("button", { name: "Confirm" }));
    await within(twoFactor).findByRole("img", { name: "QR code of your authenticator key" });
    expect(api.count("POST", "/api/auth/reauthenticate/")).toBe(1);
    expect(api.count("POST", "/api/auth/two-factor/enable/")).toBe(2);
  });

  it("a wrong password found after the step-up is said at the password step", async () => {
    api.fresh = false;
    renderSettings();
    const twoFactor = await card("Two-factor authentication");
    fireEvent.click(
      within(twoFactor).getByRole("button", { name: "Turn on two-factor authentication" }),
    );
    type(within(twoFactor).getByLabelText("Your password"), "not it");
    fireEvent.click(within(twoFactor).getByRole("button", { name: "Continue" }));
    await within(twoFactor).findByText("For your safety, confirm it is you.");
    type(within(twoFactor).getByLabelText("Your password"), PASSWORD);
    fireEvent.click(within(twoFactor).getByRole("button", { name: "Confirm" }));
    expect((await within(twoFactor).findByRole("alert")).textContent).toBe(
      "Your current password is not correct.",
    );
    expect(
      within(twoFactor).getByText("Enter your password to set up an authenticator app."),
    ).toBeTruthy();
    expect(within(twoFactor).queryByText("For your safety, confirm it is you.")).toBeNull();
  });

  it("makes new recovery codes, and turns off with the password", async () => {
    api.twoFactor = true;
    renderSettings();
    const twoFactor = await card("Two-factor authentication");
    fireEvent.click(within(twoFactor).getByRole("button", { name: "Make new recovery codes" }));
    expect(
      await within(twoFactor).findByText(
        "Here are your new recovery codes. The old ones no longer work.",
      ),
    ).toBeTruthy();
    fireEvent.click(within(twoFactor).getByRole("button", { name: "I have saved my codes" }));

    fireEvent.click(within(twoFactor).getByRole("button", { name: "Turn off…" }));
    type(within(twoFactor).getByLabelText("Your password"), "not it");
    const off = within(twoFactor).getByRole("button", {
      name: "Turn off two-factor authentication",
    });
    fireEvent.click(off);
    expect(
      await within(twoFactor).findByText("Your current password is not correct."),
    ).toBeTruthy();
    type(within(twoFactor).getByLabelText("Your password"), PASSWORD);
    fireEvent.click(off);
    expect(
      await within(twoFactor).findByText(
        "Two-factor authentication is off. Your authenticator app and recovery codes no longer work.",
      ),
    ).toBeTruthy();
    expect(
      within(twoFactor).getByRole("button", { name: "Turn on two-factor authentication" }),
    ).toBeTruthy();
  });

  it("cancel goes back to the start, focus on the button that began it", async () => {
    renderSettings();
    const twoFactor = await card("Two-factor authentication");
    fireEvent.click(
      within(twoFactor).getByRole("button", { name: "Turn on two-factor authentication" }),
    );
    fireEvent.click(within(twoFactor).getByRole("button", { name: "Cancel" }));
    const start = within(twoFactor).getByRole("button", {
      name: "Turn on two-factor authentication",
    });
    await waitFor(() => expect(document.activeElement).toBe(start));
    expect(api.count("POST", "/api/auth/two-factor/enable/")).toBe(0);
  });

  it("an unverified address: verify it first, in both cards", async () => {
    api.overrides.set("GET /api/auth/session/", () =>
      json(200, {
        user: { ...USER, emailVerified: false },
        session: { id: "s1", expiresAt: "2030-01-01T00:00:00Z" },
      }),
    );
    renderSettings();
    for (const name of ["Two-factor authentication", "Passkeys"]) {
      const element = await card(name);
      await within(element).findByText(/Verify your email address first\./);
      expect(within(element).getByRole("link", { name: "Verify it now" })).toBeTruthy();
      expect(
        within(element).queryByRole("button", { name: /^(Turn on|Add a passkey)/ }),
      ).toBeNull();
    }
  });
});

describe("settings: passkeys", () => {
  it("lists each passkey: name, synced or device-bound, added, last used", async () => {
    api.passkeys = [
      { ...PHONE, id: "q".repeat(32), name: "Laptop", backedUp: true, lastUsedAt: null },
      PHONE,
    ];
    renderSettings();
    const passkeys = await card("Passkeys");
    const items = within(passkeys).getAllByTestId("passkey");
    expect(items.map((item) => item.querySelector("strong")?.textContent)).toEqual([
      "Laptop",
      "Phone",
    ]);
    expect(within(items[0]).getByText("Synced")).toBeTruthy();
    expect(items[0].textContent).toMatch(/added .+\u00a0· never used/);
    expect(within(items[1]).getByText("Device-bound")).toBeTruthy();
    expect(items[1].textContent).toMatch(/added .+\u00a0· last used .+/);
    expect(within(items[1]).getByRole("button", { name: "Rename passkey Phone" })).toBeTruthy();
  });

  it("adds one with a name, renames it, and deletes it after a confirmation", async () => {
    renderSettings();
    const passkeys = await card("Passkeys");
    expect(within(passkeys).getByText("No passkeys yet.")).toBeTruthy();
    type(within(passkeys).getByLabelText("Name of the new passkey (optional)"), " Work laptop ");
    fireEvent.click(within(passkeys).getByRole("button", { name: "Add a passkey" }));
    expect(await within(passkeys).findByText("Passkey “Work laptop” added.")).toBeTruthy();
    expect(authenticator.calls.map((call) => call.kind)).toEqual(["create"]);
    const register = api.requests.find((r) => r.path === "/api/auth/passkey/register/");
    expect((register?.body as { name: string }).name).toBe("Work laptop");
    let item = await within(passkeys).findByTestId("passkey");
    expect(item.querySelector("strong")?.textContent).toBe("Work laptop");
    expect(within(passkeys).getByLabelText("Name of the new passkey (optional)")).toHaveProperty(
      "value",
      "",
    );

    fireEvent.click(within(item).getByRole("button", { name: "Rename passkey Work laptop" }));
    const field = within(passkeys).getByLabelText("New name for “Work laptop”");
    await waitFor(() => expect(document.activeElement).toBe(field));
    type(field, "Office laptop");
    fireEvent.click(within(passkeys).getByRole("button", { name: "Save name" }));
    await waitFor(() =>
      expect(within(passkeys).getByTestId("passkey").querySelector("strong")?.textContent).toBe(
        "Office laptop",
      ),
    );

    item = within(passkeys).getByTestId("passkey");
    fireEvent.click(within(item).getByRole("button", { name: /^Delete passkey Office laptop,/ }));
    expect(
      within(item).getByText("Delete this passkey? It will no longer sign you in."),
    ).toBeTruthy();
    expect(api.requests.some((r) => r.method === "DELETE")).toBe(false); // not yet
    fireEvent.click(
      within(item).getByRole("button", { name: "Delete passkey Office laptop for good" }),
    );
    expect(await within(passkeys).findByText("No passkeys yet.")).toBeTruthy();
  });

  it("deleting with an old sign-in confirms it is you first, then deletes", async () => {
    api.passkeys = [PHONE];
    api.fresh = false;
    renderSettings();
    const passkeys = await card("Passkeys");
    fireEvent.click(within(passkeys).getByRole("button", { name: /^Delete passkey Phone,/ }));
    fireEvent.click(
      within(passkeys).getByRole("button", { name: "Delete passkey Phone for good" }),
    );
    expect(await within(passkeys).findByText("For your safety, confirm it is you.")).toBeTruthy();
    type(within(passkeys).getByLabelText("Your password"), PASSWORD);
    fireEvent.click(within(passkeys).getByRole("button", { name: "Confirm" }));
    expect(await within(passkeys).findByText("No passkeys yet.")).toBeTruthy();
    expect(api.count("DELETE", `/api/auth/passkeys/${PHONE.id}/`)).toBe(2);
  });

  it("a dismissed dialog says no passkey was added", async () => {
    authenticator.refuse = "NotAllowedError";
    renderSettings();
    const passkeys = await card("Passkeys");
    fireEvent.click(within(passkeys).getByRole("button", { name: "Add a passkey" }));
    expect((await within(passkeys).findByRole("alert")).textContent).toBe(
      "No passkey was added: the request was cancelled or timed out.",
    );
    expect(api.count("POST", "/api/auth/passkey/register/")).toBe(0);
  });
});
