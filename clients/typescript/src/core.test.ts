import { beforeEach, describe, expect, it, vi } from "vitest";
import { createAuthClient } from "./client.js";
import { AuthClient } from "./core.js";
import type { AuthClientOptions } from "./core.js";
import { ApiError } from "./errors.js";
import type { ClientErrorCode, ErrorCode } from "./errors.js";
import { DEVICE, deferred, FakeApi, json, USER } from "./testing/fakeApi.js";

const BASE = "http://app.test";

let api: FakeApi;
let timers: { callback: () => void; ms: number }[];

function makeClient(options: AuthClientOptions = {}) {
  return new AuthClient({
    baseUrl: BASE,
    transport: "cookie", // a browser's page (these tests run in Node, where "body" is the default)
    fetch: api.fetch,
    readCookie: api.readCookie,
    writeCookie: (name, value) =>
      value === null ? api.cookies.delete(name) : api.cookies.set(name, value),
    setTimer: (callback, ms) => {
      timers.push({ callback, ms });
      return timers.length;
    },
    clearTimer: () => {},
    ...options,
  });
}

async function signedInClient() {
  const client = makeClient();
  await client.signIn({ email: USER.email, password: "correct horse" });
  api.requests = [];
  return client;
}

beforeEach(() => {
  api = new FakeApi();
  timers = [];
});

describe("restore on page load", () => {
  it("gets the CSRF cookie, refreshes with it, then loads the session", async () => {
    const client = makeClient();
    expect(client.getState().status).toBe("loading");
    await client.start();

    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/auth/csrf/",
      "POST /api/auth/refresh/",
      "GET /api/auth/session/",
    ]);
    const refresh = api.requests[1];
    expect(refresh.headers.get("X-CSRFToken")).toBe("csrf-1");
    expect(refresh.credentials).toBe("include");
    expect(api.requests[2].headers.get("Authorization")).toBe("Bearer access-1");
    expect(client.getState()).toMatchObject({
      status: "signedIn",
      user: USER,
      sessionId: "s1",
    });
    expect(client.getAccessToken()).toBe("access-1");
  });

  it("ends signed out, saying the sign-in ended, when the refresh cookie is dead", async () => {
    api.signedIn = false; // e.g. signed out from another device while this page was closed
    const client = makeClient();
    await client.start();
    expect(client.getState().status).toBe("signedOut");
    expect(client.getState().endedBy).toBe("expired");
    expect(client.getAccessToken()).toBeNull();
    expect(api.count("GET", "/api/auth/session/")).toBe(0);
  });

  it("a browser with no sign-in to restore ends signed out with no reason", async () => {
    api.cookies.delete("signed_in");
    const client = makeClient();
    await client.start();
    expect(client.getState()).toMatchObject({ status: "signedOut", endedBy: null });
  });

  it("restores once however often start() is called (StrictMode double effects)", async () => {
    const client = makeClient();
    await Promise.all([client.start(), client.start(), client.start()]);
    expect(api.count("POST", "/api/auth/refresh/")).toBe(1);
  });

  it("fetches a new CSRF cookie and retries once when refresh answers CSRF_FAILED", async () => {
    api.cookies.set("csrftoken", "stale");
    let first = true;
    api.overrides.set("POST /api/auth/refresh/", () => {
      if (first) {
        first = false;
        api.cookies.set("csrftoken", "fresh");
        return json(403, { code: "CSRF_FAILED", message: "CSRF verification failed." });
      }
      return json(200, api.issueToken());
    });
    const client = makeClient();
    expect(await client.refresh()).toBe(true);
    const refreshes = api.requests.filter((r) => r.path === "/api/auth/refresh/");
    expect(refreshes.map((r) => r.headers.get("X-CSRFToken"))).toEqual(["stale", "fresh"]);
  });

  it("ends signed out (not stuck loading) when the server cannot be reached", async () => {
    const client = makeClient({
      fetch: () => Promise.reject(new TypeError("Failed to fetch")),
    });
    await client.start();
    expect(client.getState().status).toBe("signedOut");
  });
});

describe("getSession on a page load", () => {
  it("restores, and answers with the restore's own GET session/ (not a second one)", async () => {
    const client = createAuthClient({
      baseURL: BASE,
      transport: "cookie",
      fetch: api.fetch,
      readCookie: api.readCookie,
      setTimer: () => 0,
      clearTimer: () => {},
    });
    const { data } = await client.getSession();
    expect(data).toMatchObject({ user: USER, session: { id: "s1" } });
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/auth/csrf/",
      "POST /api/auth/refresh/",
      "GET /api/auth/session/",
    ]);
    await client.getSession();
    expect(api.count("GET", "/api/auth/session/")).toBe(2); // a later call asks again
    expect(api.count("POST", "/api/auth/refresh/")).toBe(1);
  });
});

describe("user loading", () => {
  it("reuses the user a restore just loaded, and asks again once it is stale", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    api.now = () => now;
    const client = makeClient({ now: () => now });
    await client.start();
    expect(await client.loadUser(10_000)).toEqual(USER);
    expect(api.count("GET", "/api/auth/session/")).toBe(1);
    now += 11_000;
    await client.loadUser(10_000);
    expect(api.count("GET", "/api/auth/session/")).toBe(2);
  });

  it("always asks after a sign-in (the sign-in's answer is not the session)", async () => {
    const client = await signedInClient();
    await client.loadUser(10_000);
    expect(api.count("GET", "/api/auth/session/")).toBe(1);
  });
});

describe("single-flight refresh", () => {
  it("shares one refresh request among parallel callers", async () => {
    const client = await signedInClient();
    const gate = deferred<void>();
    api.refreshGate = gate.promise;

    const results = Array.from({ length: 10 }, () => client.refresh());
    gate.resolve();
    expect(await Promise.all(results)).toEqual(Array(10).fill(true));
    expect(api.count("POST", "/api/auth/refresh/")).toBe(1);
    expect(client.getAccessToken()).toBe("access-2");
  });

  it("N parallel API calls that get 401 cause exactly one refresh, then each retries once", async () => {
    const client = await signedInClient();
    api.validToken = "rotated-by-server"; // the in-memory token is now rejected
    const gate = deferred<void>();
    api.refreshGate = gate.promise;

    const calls = Array.from({ length: 5 }, () => client.listSessions());
    await new Promise((r) => setTimeout(r, 10)); // let all five hit their 401
    gate.resolve();
    await Promise.all(calls);

    expect(api.count("POST", "/api/auth/refresh/")).toBe(1);
    expect(api.count("GET", "/api/auth/sessions/")).toBe(10); // 5 rejected + 5 retried
    const retried = api.requests.filter((r) => r.path === "/api/auth/sessions/").slice(5);
    for (const r of retried) expect(r.headers.get("Authorization")).toBe("Bearer access-2");
  });

  it("a new refresh starts once the previous one has settled", async () => {
    const client = await signedInClient();
    await client.refresh();
    await client.refresh();
    expect(api.count("POST", "/api/auth/refresh/")).toBe(2);
  });
});

describe("401 handling", () => {
  it("refreshes once and retries once, then gives up with the API's error", async () => {
    const client = await signedInClient();
    api.overrides.set("GET /api/auth/session/", () =>
      json(401, { code: "TOKEN_INVALID", message: "The access token is invalid or expired." }),
    );

    const error = await client.getSession().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe("TOKEN_INVALID");
    expect(api.count("GET", "/api/auth/session/")).toBe(2);
    expect(api.count("POST", "/api/auth/refresh/")).toBe(1);
  });

  it("signs out locally when the refresh after a 401 fails too", async () => {
    const client = await signedInClient();
    api.validToken = "something-else";
    api.signedIn = false; // the sign-in was revoked elsewhere

    await expect(client.getSession()).rejects.toBeInstanceOf(ApiError);
    expect(api.count("GET", "/api/auth/session/")).toBe(1); // no retry without a new token
    expect(client.getState()).toMatchObject({ status: "signedOut", endedBy: "expired" });
    expect(client.getAccessToken()).toBeNull();
  });

  it("never retries public calls: a wrong password is an error, not a refresh", async () => {
    const client = makeClient();
    const error = await client
      .signIn({ email: USER.email, password: "nope" })
      .catch((e: unknown) => e);
    expect((error as ApiError).code).toBe("INVALID_EMAIL_OR_PASSWORD");
    expect(api.count("POST", "/api/auth/refresh/")).toBe(0);
  });
});

describe("proactive refresh", () => {
  it("schedules a refresh one minute before the access token expires", async () => {
    const now = Date.parse("2030-01-01T00:00:00Z");
    api.now = () => now;
    const client = makeClient({ now: () => now });
    await client.signIn({ email: USER.email, password: "correct horse" });

    expect(timers.at(-1)?.ms).toBe(600_000 - 60_000);
    timers.at(-1)!.callback();
    await new Promise((r) => setTimeout(r, 0));
    expect(api.count("POST", "/api/auth/refresh/")).toBe(1);
    expect(client.getAccessToken()).toBe("access-2");
  });

  it("refreshes before a call when the token is about to expire (timer missed)", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    api.now = () => now;
    const client = makeClient({ now: () => now });
    await client.signIn({ email: USER.email, password: "correct horse" });
    now += 598_000; // 2 s left: the tab slept through the timer

    await client.listSessions();
    const paths = api.requests.map((r) => r.path).slice(-2);
    expect(paths).toEqual(["/api/auth/refresh/", "/api/auth/sessions/"]);
  });
});

describe("sign-out", () => {
  it("posts sign-out with the CSRF header and clears the token from memory", async () => {
    const client = await signedInClient();
    expect(client.getAccessToken()).not.toBeNull();
    await client.signOut();

    const request = api.requests.find((r) => r.path === "/api/auth/sign-out/");
    expect(request?.headers.get("X-CSRFToken")).toBe("csrf-1");
    expect(request?.credentials).toBe("include");
    expect(client.getAccessToken()).toBeNull();
    expect(client.getState()).toMatchObject({
      status: "signedOut",
      user: null,
      accessTokenExpiresAt: null,
      endedBy: "signOut",
    });
  });

  it("clears memory even when the server cannot be reached", async () => {
    const client = await signedInClient();
    api.overrides.set("POST /api/auth/sign-out/", () => Promise.reject(new TypeError("offline")));
    await client.signOut();
    expect(client.getAccessToken()).toBeNull();
    expect(client.getState().status).toBe("signedOut");
  });

  it("a refresh that was under way does not sign the user back in", async () => {
    const client = await signedInClient();
    const gate = deferred<void>();
    api.refreshGate = gate.promise;
    const refreshing = client.refresh();
    const signingOut = client.signOut();
    gate.resolve();
    await Promise.all([refreshing, signingOut]);
    expect(client.getAccessToken()).toBeNull();
    expect(client.getState().status).toBe("signedOut");
  });
});

describe("errors", () => {
  it("carry the API's code, status and Retry-After", async () => {
    api.overrides.set("POST /api/auth/sign-in/", () =>
      json(
        429,
        { code: "TOO_MANY_REQUESTS", message: "Too many requests." },
        { "Retry-After": "42" },
      ),
    );
    const client = makeClient();
    const error = await client.signIn({ email: "a@b.co", password: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).toJSON()).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      status: 429,
      retryAfter: 42,
    });
    expect(new ApiError(0, undefined).code).toBe("NETWORK_ERROR");
    expect(new ApiError(502, undefined).code).toBe("UNKNOWN_ERROR");
  });

  it("keep the client's own codes apart from the server's", () => {
    // tsc fails here if a ClientErrorCode is also an ErrorCode of the contract.
    const apart: [Extract<ClientErrorCode, ErrorCode>] extends [never] ? true : false = true;
    expect(apart).toBe(true);
  });
});

describe("verify email", () => {
  it("signed in: sends the Bearer token and only updates the user", async () => {
    const client = await signedInClient();
    api.overrides.set("POST /api/auth/email-otp/verify-email/", () =>
      json(200, { user: { ...USER, emailVerified: true } }),
    );
    const user = await client.verifyEmail(USER.email, "314159");
    expect(api.requests[0].headers.get("Authorization")).toBe("Bearer access-1");
    expect(user).toMatchObject({ emailVerified: true });
    expect(client.getState().user?.emailVerified).toBe(true);
  });

  it("signed out: the first proof of the address signs this page in", async () => {
    api.signedIn = false;
    const client = makeClient();
    await client.start();
    api.overrides.set("POST /api/auth/email-otp/verify-email/", () =>
      json(200, {
        user: { ...USER, emailVerified: true },
        accessToken: "access-code",
        accessTokenExpiresAt: new Date(Date.now() + 600_000).toISOString(),
      }),
    );
    await client.verifyEmail(USER.email, "314159");
    const sent = api.requests.find((r) => r.path === "/api/auth/email-otp/verify-email/");
    expect(sent?.headers.get("Authorization")).toBeNull();
    expect(client.getState().status).toBe("signedIn");
    expect(client.getAccessToken()).toBe("access-code");
  });
});

describe("signed-out page loads", () => {
  it("make no call once this browser knows it is signed out; a sign-in clears that", async () => {
    const first = await signedInClient();
    await first.signOut();
    api.requests = [];
    const reload = makeClient();
    await reload.start();
    expect(reload.getState().status).toBe("signedOut");
    expect(api.requests).toEqual([]); // no csrf/, no refresh/ that could only answer 401
    await reload.signIn({ email: USER.email, password: "correct horse" });
    api.requests = [];
    await makeClient().start();
    expect(api.count("POST", "/api/auth/refresh/")).toBe(1);
  });

  it("a first visit (no sign-in ever in this browser) makes no call at all", async () => {
    api.cookies.delete("signed_in");
    const client = makeClient();
    await client.start();
    expect(client.getState().status).toBe("signedOut");
    expect(api.requests).toEqual([]);
  });

  it("a refused refresh marks the browser signed out for the next load", async () => {
    api.signedIn = false;
    await makeClient().start();
    api.requests = [];
    await makeClient().start();
    expect(api.requests).toEqual([]);
  });
});

describe("trusted devices", () => {
  const other = { ...DEVICE, id: "e".repeat(32), device: "Firefox on Windows", current: false };

  it("listDevices: GET devices/ with the Bearer token, most recently used first", async () => {
    api.devices = [DEVICE, other];
    const client = await signedInClient();
    expect(await client.listDevices()).toEqual([DEVICE, other]);
    const sent = api.requests.find((r) => r.path === "/api/auth/devices/");
    expect(sent?.method).toBe("GET");
    expect(sent?.headers.get("Authorization")).toBe("Bearer access-1");
  });

  it("revokeDevice: DELETE devices/{id}/; an unknown id is NOT_FOUND", async () => {
    api.devices = [DEVICE, other];
    const client = await signedInClient();
    await client.revokeDevice(other.id);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `DELETE /api/auth/devices/${other.id}/`,
    ]);
    expect(api.devices).toEqual([DEVICE]);
    const error = await client.revokeDevice(other.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).toJSON()).toMatchObject({ code: "NOT_FOUND", status: 404 });
  });

  it("like every Bearer call, a 401 refreshes once and retries once", async () => {
    const client = await signedInClient();
    api.validToken = "rotated-by-server";
    expect(await client.listDevices()).toEqual([DEVICE]);
    expect(api.count("POST", "/api/auth/refresh/")).toBe(1);
    expect(api.count("GET", "/api/auth/devices/")).toBe(2);
  });

  it("better-auth's surface: listDevices() and revokeDevice({id}) resolve to {data, error}", async () => {
    api.devices = [DEVICE, other];
    const client = createAuthClient({
      baseURL: BASE,
      transport: "cookie",
      fetch: api.fetch,
      readCookie: api.readCookie,
      writeCookie: () => {},
    });
    await client.signIn.email({ email: USER.email, password: "correct horse" });
    expect(await client.listDevices()).toEqual({ data: [DEVICE, other], error: null });
    const onSuccess = vi.fn();
    expect(await client.revokeDevice({ id: other.id }, { onSuccess })).toEqual({
      data: { status: true },
      error: null,
    });
    expect(onSuccess).toHaveBeenCalledWith({ data: { status: true } });
    const missing = await client.revokeDevice({ id: other.id });
    expect(missing.data).toBeNull();
    expect(missing.error).toMatchObject({ code: "NOT_FOUND", status: 404 });
    await client.signOut();
    const after = await client.listDevices();
    expect(after.error?.code).toBe("TOKEN_INVALID");
  });
});

describe("emailed links (magicLink)", () => {
  function betterAuthClient() {
    return createAuthClient({
      baseURL: BASE,
      transport: "cookie",
      fetch: api.fetch,
      readCookie: api.readCookie,
      writeCookie: (name, value) =>
        value === null ? api.cookies.delete(name) : api.cookies.set(name, value),
      setTimer: (callback, ms) => timers.push({ callback, ms }),
      clearTimer: () => {},
    });
  }

  async function signedOutClient() {
    api.cookies.delete("signed_in");
    const client = betterAuthClient();
    await client.$core.start();
    return client;
  }

  it("signIn.magicLink posts email-link/send/ with type sign-in, and answers {status: true}", async () => {
    const client = await signedOutClient();
    const onSuccess = vi.fn();
    expect(await client.signIn.magicLink({ email: USER.email }, { onSuccess })).toEqual({
      data: { status: true },
      error: null,
    });
    expect(onSuccess).toHaveBeenCalledWith({ data: { status: true } });
    const sent = api.requests.find((r) => r.path === "/api/auth/email-link/send/");
    expect(sent?.method).toBe("POST");
    expect(sent?.body).toEqual({ email: USER.email, type: "sign-in" });
    expect(sent?.headers.get("Authorization")).toBeNull();
    const bad = await client.signIn.magicLink({ email: "nope" });
    expect(bad).toMatchObject({ data: null, error: { code: "INVALID_EMAIL", status: 400 } });
  });

  it("a sign-in link signs this page in, as a code sign-in does: tokens in memory, state", async () => {
    api.links.set("tok-sign-in", "sign-in");
    const client = await signedOutClient();
    const { data, error } = await client.magicLink.verify({ token: "tok-sign-in" });
    expect(error).toBeNull();
    expect(data).toEqual({ outcome: "signedIn", user: USER, token: "access-1" });
    const sent = api.requests.find((r) => r.path === "/api/auth/email-link/verify/");
    expect(sent?.body).toEqual({ token: "tok-sign-in" });
    expect(sent?.headers.get("Authorization")).toBeNull();
    expect(sent?.credentials).toBe("include"); // the refresh cookie comes back with the answer
    expect(client.getAccessToken()).toBe("access-1");
    expect(client.$core.getState()).toMatchObject({ status: "signedIn", user: USER });
    expect(api.cookies.get("signed_in")).toBe("1"); // the next page load restores it
    expect(timers).toHaveLength(1); // and it is refreshed before it expires
  });

  it("takes better-auth's {query: {token}} too; a used or unknown link is INVALID_LINK", async () => {
    api.links.set("tok-once", "sign-in");
    const client = await signedOutClient();
    expect((await client.magicLink.verify({ query: { token: "tok-once" } })).error).toBeNull();
    const again = await client.magicLink.verify({ query: { token: "tok-once" } });
    expect(again.data).toBeNull();
    expect(again.error).toMatchObject({ code: "INVALID_LINK", status: 400 });
    const onError = vi.fn();
    const unknown = await client.magicLink.verify({ token: "nope", fetchOptions: { onError } });
    expect(onError).toHaveBeenCalledWith({ error: unknown.error });
  });

  it("signed in: a verification link goes with the Bearer token and only updates the user", async () => {
    api.overrides.set("POST /api/auth/sign-in/", () =>
      json(200, { user: { ...USER, emailVerified: false }, ...api.issueToken() }),
    );
    const core = await signedInClient();
    expect(core.getState().user?.emailVerified).toBe(false);
    api.links.set("tok-verify", "email-verification");
    expect(await core.verifyLink("tok-verify")).toEqual({
      outcome: "verified",
      user: { ...USER, emailVerified: true },
    });
    expect(api.requests[0].headers.get("Authorization")).toBe("Bearer access-1");
    expect(core.getAccessToken()).toBe("access-1"); // the same sign-in
    expect(core.getState().user?.emailVerified).toBe(true);
  });

  it("signed out: a verification link (the first proof of the address) signs this page in", async () => {
    api.links.set("tok-verify", "email-verification");
    const client = await signedOutClient();
    const { data } = await client.magicLink.verify({ token: "tok-verify" });
    expect(data).toMatchObject({ outcome: "signedIn", user: { emailVerified: true } });
    expect(client.$core.getState().status).toBe("signedIn");
  });

  it("a step-up link renews this sign-in with the Bearer token; without one it is INVALID_LINK", async () => {
    api.links.set("tok-step-up", "reauthentication");
    const core = await signedInClient();
    expect(await core.verifyLink("tok-step-up")).toEqual({ outcome: "signedIn", user: USER });
    expect(api.requests[0].headers.get("Authorization")).toBe("Bearer access-1");
    expect(core.getAccessToken()).toBe("access-2");

    api.links.set("tok-step-up-2", "reauthentication");
    const client = await signedOutClient();
    const refused = await client.magicLink.verify({ token: "tok-step-up-2" });
    expect(refused.error?.code).toBe("INVALID_LINK");
  });

  it("a forgotten-password link gives a reset token; resetPassword({newPassword, token}) spends it", async () => {
    api.links.set("tok-reset", "forget-password");
    const client = await signedOutClient();
    const { data } = await client.magicLink.verify({ token: "tok-reset" });
    expect(data).toEqual({ outcome: "resetToken", resetToken: "reset-1" });
    expect(client.$core.getState().status).toBe("signedOut");

    const short = await client.resetPassword({ newPassword: "short", token: "reset-1" });
    expect(short.error?.code).toBe("PASSWORD_TOO_SHORT");
    expect(await client.resetPassword({ newPassword: "a new horse", token: "reset-1" })).toEqual({
      data: { status: true },
      error: null,
    });
    const reset = api.requests.find((r) => r.path === "/api/auth/password/reset/");
    expect(reset?.body).toEqual({ resetToken: "reset-1", password: "short" });
    const again = await client.resetPassword({ newPassword: "a new horse", token: "reset-1" });
    expect(again.error?.code).toBe("INVALID_TOKEN");
  });

  it("an email change (or its undo) is done; a page signed in to that account learns its sign-in ended", async () => {
    api.links.set("tok-change", "email-change");
    const core = await signedInClient();
    expect(await core.verifyLink("tok-change")).toEqual({ outcome: "done" });
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /api/auth/email-link/verify/",
      "GET /api/auth/session/",
      "POST /api/auth/refresh/",
    ]);
    expect(core.getState()).toMatchObject({ status: "signedOut", endedBy: "expired" });
    expect(core.getAccessToken()).toBeNull();

    api.links.set("tok-undo", "email-change-undo");
    api.requests = [];
    const client = await signedOutClient();
    expect(await client.magicLink.verify({ token: "tok-undo" })).toEqual({
      data: { outcome: "done" },
      error: null,
    });
    expect(api.count("GET", "/api/auth/session/")).toBe(0); // signed out: nothing to check
  });
});
