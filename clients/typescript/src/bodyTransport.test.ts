/**
 * Outside a browser (no `document`, as in these tests) the client uses the body transport: the
 * refresh, device, flow, pending sign-in and challenge tokens travel in JSON bodies and are kept
 * by the client, never in cookies.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createAuthClient } from "./client.js";
import type { CreateAuthClientOptions } from "./client.js";
import type { StoredToken, TokenStore } from "./core.js";
import {
  EMAIL_CODE,
  FakeApi,
  FakeAuthenticator,
  PASSWORD,
  TOTP_CODE,
  USER,
} from "./testing/fakeApi.js";

const BASE = "http://api.test";
let api: FakeApi;
let authenticator: FakeAuthenticator;

/** A script's client: no cookie functions, no transport named (Node's default). */
function scriptClient(options: Partial<CreateAuthClientOptions> = {}) {
  return createAuthClient({
    baseURL: BASE,
    fetch: api.fetch,
    setTimer: () => 0,
    clearTimer: () => {},
    credentials: authenticator.credentials,
    ...options,
  });
}

const sent = (path: string) => api.requests.filter((r) => r.path === `/api/auth/${path}`);
const last = (path: string) => sent(path).at(-1)!;

/** A store an app passes (asynchronous, as one over a file or a keychain would be). */
function asyncStore(initial: Partial<Record<StoredToken, string>> = {}) {
  const values = new Map(Object.entries(initial)) as Map<StoredToken, string>;
  const store: TokenStore = {
    get: async (name) => values.get(name) ?? null,
    set: async (name, value) =>
      void (value === null ? values.delete(name) : values.set(name, value)),
  };
  return { store, values };
}

beforeEach(() => {
  api = new FakeApi();
  api.cookies.clear(); // a script has no cookies at all
  authenticator = new FakeAuthenticator();
});

describe("body transport: the refresh token", () => {
  it("is the default outside a browser: every request asks for it, none sends a CSRF token", async () => {
    const client = scriptClient();
    expect(client.$core.transport).toBe("body");
    const { data } = await client.signIn.email({ email: USER.email, password: PASSWORD });
    expect(data).toMatchObject({ token: "access-1", user: USER });
    await client.$core.refresh();
    await client.signOut();
    expect(api.requests.map((r) => r.path)).toEqual([
      "/api/auth/sign-in/",
      "/api/auth/refresh/",
      "/api/auth/sign-out/",
    ]); // no csrf/
    for (const r of api.requests) {
      expect(r.headers.get("X-Refresh-Token-Transport")).toBe("body");
      expect(r.headers.get("X-CSRFToken")).toBeNull();
    }
  });

  it("keeps the refresh token, sends it to refresh/ and keeps the rotated one, sends the newest to sign-out/", async () => {
    const { store, values } = asyncStore();
    const client = scriptClient({ tokenStore: store });
    await client.signIn.email({ email: USER.email, password: PASSWORD });
    expect(values.get("refreshToken")).toBe(api.refreshToken);
    const first = api.refreshToken;

    expect(await client.$core.refresh()).toBe(true);
    expect(last("refresh/").body).toEqual({ refreshToken: first });
    expect(values.get("refreshToken")).toBe(api.refreshToken);
    expect(api.refreshToken).not.toBe(first);
    expect(client.getAccessToken()).toBe("access-2");

    const newest = api.refreshToken;
    await client.signOut();
    expect(last("sign-out/").body).toEqual({ refreshToken: newest });
    expect(values.has("refreshToken")).toBe(false);
    expect(values.get("deviceToken")).toBe(api.deviceToken); // the device stays known
  });

  it("restores a sign-in from an app's store: refresh with the stored token, then the session", async () => {
    const { store } = asyncStore({ refreshToken: "refresh-stored" });
    api.refreshToken = "refresh-stored";
    const client = scriptClient({ tokenStore: store });
    await client.$core.start();
    expect(api.requests.map((r) => r.path)).toEqual(["/api/auth/refresh/", "/api/auth/session/"]);
    expect(client.$core.getState()).toMatchObject({ status: "signedIn", user: USER });
  });

  it("getSession right after a sign-up answers the session: no refresh, one GET session/", async () => {
    const client = scriptClient();
    const signUp = await client.signUp.email({
      email: USER.email,
      password: PASSWORD,
      name: "Ada",
    });
    expect(signUp.error).toBeNull();
    const { data, error } = await client.getSession();
    expect(error).toBeNull();
    expect(data).toMatchObject({ user: USER, session: { id: "s1" } });
    expect(api.requests.map((r) => r.path)).toEqual(["/api/auth/sign-up/", "/api/auth/session/"]);
  });

  it("getSession as a script's first call restores from the store with one GET session/", async () => {
    const { store } = asyncStore({ refreshToken: "refresh-stored" });
    api.refreshToken = "refresh-stored";
    const client = scriptClient({ tokenStore: store });
    const [first, second] = await Promise.all([client.getSession(), client.getSession()]);
    expect(first.data).toMatchObject({ user: USER, session: { id: "s1" } });
    expect(second.data).toEqual(first.data); // both waited for the restore: its answer
    expect(api.requests.map((r) => r.path)).toEqual(["/api/auth/refresh/", "/api/auth/session/"]);
    await client.getSession(); // after the restore: the server is asked again
    expect(sent("session/")).toHaveLength(2);
  });

  it("its refresh timer keeps no Node process alive: a script ends when its work is done", async () => {
    const realSetTimeout = globalThis.setTimeout;
    const timers: { handle: ReturnType<typeof setTimeout>; ms: number }[] = [];
    vi.spyOn(globalThis, "setTimeout").mockImplementation(((callback: () => void, ms = 0) => {
      const handle = realSetTimeout(callback, ms);
      timers.push({ handle, ms });
      return handle;
    }) as typeof setTimeout);
    const client = createAuthClient({ baseURL: BASE, fetch: api.fetch });
    await client.signIn.email({ email: USER.email, password: PASSWORD });
    const refreshTimer = timers.find((t) => t.ms > 60_000); // the token's lifetime less a minute
    expect(refreshTimer?.handle.hasRef()).toBe(false);
    await client.signOut();
  });

  it("with nothing stored, start() makes no call; a refused refresh forgets the token", async () => {
    const empty = scriptClient();
    await empty.$core.start();
    expect(empty.$core.getState().status).toBe("signedOut");
    expect(await empty.$core.refresh()).toBe(false);
    expect(empty.$core.getState().endedBy).toBeNull(); // nothing ended: there was no sign-in
    expect(api.requests).toEqual([]);

    const { store, values } = asyncStore({ refreshToken: "refresh-revoked" });
    api.refreshToken = "something-else";
    const client = scriptClient({ tokenStore: store });
    await client.$core.start();
    expect(client.$core.getState()).toMatchObject({ status: "signedOut", endedBy: "expired" });
    expect(values.has("refreshToken")).toBe(false);
  });

  it("sends the device token a sign-in gave with the next sign-ins", async () => {
    const client = scriptClient();
    await client.signIn.email({ email: USER.email, password: PASSWORD });
    expect(last("sign-in/").body).toEqual({ email: USER.email, password: PASSWORD });
    await client.signOut();
    await client.signIn.email({ email: USER.email, password: PASSWORD });
    expect(last("sign-in/").body).toMatchObject({ deviceToken: api.deviceToken });
  });

  it("sends a code's flow token back with the code", async () => {
    const client = scriptClient();
    await client.emailOtp.sendVerificationOtp({ email: USER.email, type: "sign-in" });
    await client.signIn.emailOtp({ email: USER.email, otp: EMAIL_CODE });
    expect(last("email-otp/sign-in/").body).toMatchObject({ flowToken: "flow-1" });
    await client.emailOtp.sendVerificationOtp({ email: USER.email, type: "sign-in" });
    expect(last("email-otp/send/").body).toMatchObject({ flowToken: "flow-1" }); // the same flow
  });
});

describe("body transport: twoFactorToken", () => {
  it("keeps the pending sign-in's token and sends it with the second step; then it is gone", async () => {
    api.twoFactor = true;
    const client = scriptClient();
    const { data } = await client.signIn.email({ email: USER.email, password: PASSWORD });
    expect(data).toEqual({ twoFactorRedirect: true, twoFactorMethods: ["totp", "backup-code"] });
    expect(data).not.toHaveProperty("twoFactorToken"); // kept inside the client
    const pending = api.pending;
    expect(pending).toMatch(/^pending-/);

    const wrong = await client.twoFactor.verifyTotp({ code: "000000" });
    expect(wrong.error?.code).toBe("INVALID_TWO_FACTOR_CODE");
    expect(last("two-factor/verify-totp/").body).toMatchObject({ twoFactorToken: pending });

    const right = await client.twoFactor.verifyTotp({ code: TOTP_CODE });
    expect(right.data).toMatchObject({ token: "access-1" });
    expect(last("two-factor/verify-totp/").body).toEqual({
      code: TOTP_CODE,
      trustDevice: false,
      twoFactorToken: pending,
    });
    expect(api.refreshToken).toMatch(/^refresh-/);
    expect(await client.$core.refresh()).toBe(true); // the refresh token came with the sign-in

    await client.signOut();
    await client.twoFactor.verifyBackupCode({ code: "aaaaa-11111" });
    expect(last("two-factor/verify-backup-code/").body).not.toHaveProperty("twoFactorToken");
  });

  it("a second sign-in's token replaces the first one's", async () => {
    api.twoFactor = true;
    const client = scriptClient();
    await client.signIn.email({ email: USER.email, password: PASSWORD });
    const first = api.pending;
    await client.signIn.emailOtp({ email: USER.email, otp: EMAIL_CODE });
    const second = api.pending;
    expect(second).not.toBe(first);
    const { error } = await client.twoFactor.verifyBackupCode({ code: "aaaaa-11111" });
    expect(error).toBeNull();
    expect(last("two-factor/verify-backup-code/").body).toMatchObject({ twoFactorToken: second });
  });
});

describe("body transport: challengeToken", () => {
  it("sends the challenge token of the options back with the credential", async () => {
    const owner = scriptClient();
    await owner.signIn.email({ email: USER.email, password: PASSWORD });
    await owner.passkey.addPasskey();
    await owner.signOut();

    const client = scriptClient();
    const signIn = await client.signIn.passkey();
    expect(signIn.error).toBeNull();
    const options = last("passkey/authentication-options/");
    expect(options.headers.get("X-Refresh-Token-Transport")).toBe("body");
    const challenge = api.requests.indexOf(options);
    expect(last("passkey/sign-in/").body).toMatchObject({
      challengeToken: `challenge-${challenge}`,
    });

    // The second step by passkey sends both the pending sign-in's and the challenge's tokens.
    api.twoFactor = true;
    await client.signOut();
    await client.signIn.email({ email: USER.email, password: PASSWORD });
    const pending = api.pending;
    const step = await client.twoFactor.verifyPasskey();
    expect(step.error).toBeNull();
    expect(last("two-factor/verify-passkey/").body).toMatchObject({
      twoFactorToken: pending,
      challengeToken: expect.stringMatching(/^challenge-/),
    });

    const stepUp = await client.reauthenticate({ passkey: true });
    expect(stepUp.error).toBeNull();
    expect(last("reauthenticate/").body).toMatchObject({
      challengeToken: expect.stringMatching(/^challenge-/),
    });
  });
});
