/**
 * better-auth's twoFactor calls and the twoFactorRedirect answer of every sign-in path, in a
 * browser's page (cookie transport) against the fake API.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createAuthClient } from "./client.js";
import type { CreateAuthClientOptions } from "./client.js";
import {
  BACKUP_CODES,
  EMAIL_CODE,
  FakeApi,
  FakeAuthenticator,
  PASSWORD,
  TOTP_CODE,
  USER,
} from "./testing/fakeApi.js";

const BASE = "http://app.test";
let api: FakeApi;
let authenticator: FakeAuthenticator;
let timers: number;

function browserClient(options: Partial<CreateAuthClientOptions> = {}) {
  return createAuthClient({
    baseURL: BASE,
    transport: "cookie",
    fetch: api.fetch,
    readCookie: api.readCookie,
    writeCookie: (name, value) =>
      value === null ? api.cookies.delete(name) : api.cookies.set(name, value),
    setTimer: () => (timers += 1),
    clearTimer: () => {},
    credentials: authenticator.credentials,
    ...options,
  });
}

/** A page of a browser that never signed in. */
async function signedOutPage(options: Partial<CreateAuthClientOptions> = {}) {
  api.cookies.delete("signed_in");
  const client = browserClient(options);
  await client.$core.start();
  return client;
}

async function signedInPage() {
  const client = await signedOutPage();
  await client.signIn.email({ email: USER.email, password: PASSWORD });
  api.requests = [];
  return client;
}

const sent = (path: string) => api.requests.filter((r) => r.path === `/api/auth/${path}`);

beforeEach(() => {
  api = new FakeApi();
  authenticator = new FakeAuthenticator();
  timers = 0;
});

describe("twoFactorRedirect: a sign-in that asks for a second step", () => {
  it("signIn.email resolves to {twoFactorRedirect, twoFactorMethods}: no token, still signed out", async () => {
    api.twoFactor = true;
    const onTwoFactorRedirect = vi.fn();
    const client = await signedOutPage({ onTwoFactorRedirect });
    const listener = vi.fn();
    client.$core.subscribe(listener);

    const { data, error } = await client.signIn.email({ email: USER.email, password: PASSWORD });
    expect(error).toBeNull();
    expect(data).toEqual({ twoFactorRedirect: true, twoFactorMethods: ["totp", "backup-code"] });
    expect(data?.twoFactorRedirect).toBe(true);
    expect(onTwoFactorRedirect).toHaveBeenCalledWith({
      twoFactorMethods: ["totp", "backup-code"],
    });
    expect(client.getAccessToken()).toBeNull();
    expect(client.$core.getState().status).toBe("signedOut");
    expect(api.cookies.has("signed_in")).toBe(false); // nothing to restore on the next load
    expect(listener).not.toHaveBeenCalled();
    expect(timers).toBe(0);
  });

  it("without a second factor the answer is the sign-in, with no twoFactorRedirect", async () => {
    const client = await signedOutPage();
    const { data } = await client.signIn.email({ email: USER.email, password: PASSWORD });
    expect(data).toEqual({ redirect: false, token: "access-1", user: USER });
    expect(data?.twoFactorRedirect).toBeUndefined();
  });

  it("signIn.emailOtp, emailOtp.verifyEmail (signed out) and magicLink.verify redirect too", async () => {
    api.twoFactor = true;
    api.methods = ["totp", "backup-code", "passkey"];
    const client = await signedOutPage();
    const redirect = {
      twoFactorRedirect: true,
      twoFactorMethods: ["totp", "backup-code", "passkey"],
    };
    expect((await client.signIn.emailOtp({ email: USER.email, otp: EMAIL_CODE })).data).toEqual(
      redirect,
    );
    expect(
      (await client.emailOtp.verifyEmail({ email: USER.email, otp: EMAIL_CODE })).data,
    ).toEqual(redirect);
    api.links.set("tok-sign-in", "sign-in");
    expect((await client.magicLink.verify({ token: "tok-sign-in" })).data).toEqual({
      outcome: "twoFactorRedirect",
      ...redirect,
    });
    expect(client.getAccessToken()).toBeNull();
    // Each answer is then the pending sign-in's second step, as after signIn.email.
    const { data } = await client.twoFactor.verifyTotp({ code: TOTP_CODE });
    expect(data).toEqual({ token: "access-1", user: { ...USER, twoFactorEnabled: true } });
  });
});

describe("twoFactor.verifyTotp, verifyBackupCode: the second step", () => {
  it("verifyTotp signs this page in like any sign-in: token, state, listeners, restore hint", async () => {
    api.twoFactor = true;
    const client = await signedOutPage();
    await client.signIn.email({ email: USER.email, password: PASSWORD });
    const listener = vi.fn();
    client.$core.subscribe(listener);

    const { data, error } = await client.twoFactor.verifyTotp({ code: TOTP_CODE });
    expect(error).toBeNull();
    expect(data).toEqual({ token: "access-1", user: { ...USER, twoFactorEnabled: true } });
    const [request] = sent("two-factor/verify-totp/");
    expect(request.headers.get("Authorization")).toBeNull(); // the pending cookie, no Bearer
    expect(request.credentials).toBe("include");
    expect(request.body).toEqual({ code: TOTP_CODE, trustDevice: false });
    expect(client.getAccessToken()).toBe("access-1");
    expect(client.$core.getState()).toMatchObject({ status: "signedIn", user: data?.user });
    expect(listener).toHaveBeenCalled();
    expect(api.cookies.get("signed_in")).toBe("1");
    expect(timers).toBe(1); // refreshed before it expires
  });

  it("a wrong code is INVALID_TWO_FACTOR_CODE and the pending sign-in can still be answered", async () => {
    api.twoFactor = true;
    const client = await signedOutPage();
    await client.signIn.email({ email: USER.email, password: PASSWORD });
    const onError = vi.fn();
    const wrong = await client.twoFactor.verifyTotp({ code: "000000" }, { onError });
    expect(wrong).toMatchObject({
      data: null,
      error: { code: "INVALID_TWO_FACTOR_CODE", status: 400 },
    });
    expect(onError).toHaveBeenCalledWith({ error: wrong.error });
    expect(client.getAccessToken()).toBeNull();
    const right = await client.twoFactor.verifyTotp({ code: TOTP_CODE, trustDevice: true });
    expect(right.error).toBeNull();
    expect(sent("two-factor/verify-totp/")[1].body).toEqual({ code: TOTP_CODE, trustDevice: true });
  });

  it("with no pending sign-in (it expired, or none began) it is TWO_FACTOR_SIGN_IN_EXPIRED", async () => {
    api.twoFactor = true;
    const client = await signedOutPage();
    const { error } = await client.twoFactor.verifyTotp({ code: TOTP_CODE });
    expect(error).toMatchObject({ code: "TWO_FACTOR_SIGN_IN_EXPIRED", status: 401 });
  });

  it("verifyBackupCode signs in with a recovery code, which then works no more", async () => {
    api.twoFactor = true;
    const client = await signedOutPage();
    await client.signIn.email({ email: USER.email, password: PASSWORD });
    const first = await client.twoFactor.verifyBackupCode({ code: BACKUP_CODES[0] });
    expect(first).toEqual({
      data: { token: "access-1", user: { ...USER, twoFactorEnabled: true } },
      error: null,
    });
    expect(sent("two-factor/verify-backup-code/")[0].body).toEqual({
      code: BACKUP_CODES[0],
      trustDevice: false,
    });
    await client.signOut();
    await client.signIn.email({ email: USER.email, password: PASSWORD });
    const again = await client.twoFactor.verifyBackupCode({ code: BACKUP_CODES[0] });
    expect(again.error).toMatchObject({ code: "INVALID_TWO_FACTOR_CODE" });
  });

  it("a signed-in page that signs in again answers the new sign-in's second step, not an enrolment", async () => {
    const client = await signedInPage();
    api.twoFactor = true;
    const { data } = await client.signIn.email({ email: USER.email, password: PASSWORD });
    expect(data?.twoFactorRedirect).toBe(true);
    await client.twoFactor.verifyTotp({ code: TOTP_CODE });
    expect(sent("two-factor/verify-totp/")[0].headers.get("Authorization")).toBeNull();
  });
});

describe("a pending sign-in that is over", () => {
  it("is forgotten after TWO_FACTOR_SIGN_IN_EXPIRED: a signed-in page's verifyTotp is its enrolment again", async () => {
    const client = await signedInPage();
    await client.twoFactor.enable({ password: PASSWORD });
    api.twoFactor = true;
    await client.signIn.email({ email: USER.email, password: PASSWORD });
    api.pending = null; // five minutes later
    const expired = await client.twoFactor.verifyTotp({ code: TOTP_CODE });
    expect(expired.error?.code).toBe("TWO_FACTOR_SIGN_IN_EXPIRED");
    const enrolment = await client.twoFactor.verifyTotp({ code: TOTP_CODE });
    expect(enrolment.error).toBeNull();
    const [first, second] = sent("two-factor/verify-totp/");
    expect(first.headers.get("Authorization")).toBeNull();
    expect(second.headers.get("Authorization")).toBe("Bearer access-1");
  });
});

describe("twoFactor.enable, verifyTotp (enrolment), generateBackupCodes, disable", () => {
  it("enable gives the URI and recovery codes; verifyTotp with the Bearer token turns it on", async () => {
    const client = await signedInPage();
    const enabled = await client.twoFactor.enable({ password: PASSWORD });
    expect(enabled).toEqual({
      data: { totpURI: expect.stringMatching(/^otpauth:\/\/totp\//), backupCodes: BACKUP_CODES },
      error: null,
    });
    expect(sent("two-factor/enable/")[0].headers.get("Authorization")).toBe("Bearer access-1");
    expect(sent("two-factor/enable/")[0].body).toEqual({ password: PASSWORD });

    const listener = vi.fn();
    client.$core.subscribe(listener);
    const { data } = await client.twoFactor.verifyTotp({ code: TOTP_CODE });
    expect(data).toEqual({ token: "access-1", user: { ...USER, twoFactorEnabled: true } });
    const [request] = sent("two-factor/verify-totp/");
    expect(request.headers.get("Authorization")).toBe("Bearer access-1");
    expect(request.body).toEqual({ code: TOTP_CODE });
    expect(client.$core.getState().user?.twoFactorEnabled).toBe(true);
    expect(listener).toHaveBeenCalled();
    expect(client.getAccessToken()).toBe("access-1"); // the same sign-in
  });

  it("enable: a wrong password is INVALID_PASSWORD; a stale sign-in REAUTHENTICATION_REQUIRED", async () => {
    const client = await signedInPage();
    const wrong = await client.twoFactor.enable({ password: "nope" });
    expect(wrong.error).toMatchObject({ code: "INVALID_PASSWORD", status: 400 });
    api.fresh = false;
    const stale = await client.twoFactor.enable({ password: PASSWORD });
    expect(stale.error).toMatchObject({ code: "REAUTHENTICATION_REQUIRED", status: 403 });
  });

  it("generateBackupCodes: with the password it steps up first; without, a stale sign-in is refused", async () => {
    api.twoFactor = true;
    const client = await signedOutPage();
    await client.signIn.email({ email: USER.email, password: PASSWORD });
    await client.twoFactor.verifyTotp({ code: TOTP_CODE });
    api.fresh = false;
    const refused = await client.twoFactor.generateBackupCodes();
    expect(refused.error).toMatchObject({ code: "REAUTHENTICATION_REQUIRED" });
    api.requests = [];
    const { data } = await client.twoFactor.generateBackupCodes({ password: PASSWORD });
    expect(data).toEqual({ status: true, backupCodes: BACKUP_CODES });
    expect(api.requests.map((r) => r.path)).toEqual([
      "/api/auth/reauthenticate/",
      "/api/auth/two-factor/generate-backup-codes/",
    ]);
    expect(api.requests[0].body).toEqual({ password: PASSWORD });
  });

  it("disable turns it off and the user in state says so", async () => {
    api.twoFactor = true;
    const client = await signedOutPage();
    await client.signIn.email({ email: USER.email, password: PASSWORD });
    await client.twoFactor.verifyTotp({ code: TOTP_CODE });
    const wrong = await client.twoFactor.disable({ password: "nope" });
    expect(wrong.error?.code).toBe("INVALID_PASSWORD");
    const { data } = await client.twoFactor.disable({ password: PASSWORD });
    expect(data).toEqual({ status: true, user: USER });
    expect(client.$core.getState().user?.twoFactorEnabled).toBe(false);
    expect(
      (await client.signIn.email({ email: USER.email, password: PASSWORD })).data,
    ).toMatchObject({ user: USER });
  });
});

describe("reauthenticate by authenticator code or passkey", () => {
  it("{code}: a TOTP code renews the sign-in's authTime (a new access token)", async () => {
    api.twoFactor = true;
    const client = await signedOutPage();
    await client.signIn.email({ email: USER.email, password: PASSWORD });
    await client.twoFactor.verifyTotp({ code: TOTP_CODE });
    const { data, error } = await client.reauthenticate({ code: TOTP_CODE });
    expect(error).toBeNull();
    expect(data?.user.email).toBe(USER.email);
    expect(sent("reauthenticate/")[0].body).toEqual({ code: TOTP_CODE });
    expect(client.getAccessToken()).toBe("access-2");
    const wrong = await client.reauthenticate({ code: "000000" });
    expect(wrong.error?.code).toBe("INVALID_TWO_FACTOR_CODE");
  });

  it("{passkey: true}: options, the browser's dialog, then the credential to reauthenticate/", async () => {
    const client = await signedInPage();
    await client.passkey.addPasskey();
    api.requests = [];
    const { error } = await client.reauthenticate({ passkey: true });
    expect(error).toBeNull();
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /api/auth/passkey/authentication-options/",
      "POST /api/auth/reauthenticate/",
    ]);
    const body = api.requests[1].body as { credential: { response: Record<string, string> } };
    expect(Object.keys(body)).toEqual(["credential"]); // the challenge is the cookie's
    expect(body.credential.response.signature).toMatch(/^[\w-]+$/);
    expect(api.requests[1].headers.get("Authorization")).toBe("Bearer access-1");
    expect(client.getAccessToken()).toBe("access-2");
  });
});
