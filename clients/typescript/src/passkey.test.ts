/**
 * better-auth's passkey calls (passkey.*, signIn.passkey, twoFactor.verifyPasskey) against the
 * fake API, with FakeAuthenticator in place of navigator.credentials; and the conversions
 * between the server's JSON and what navigator.credentials takes and gives.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createAuthClient } from "./client.js";
import type { CreateAuthClientOptions } from "./client.js";
import { FakeAuthenticator, FakeApi, PASSWORD, USER } from "./testing/fakeApi.js";
import {
  credentialJSON,
  creationOptions,
  fromBase64Url,
  requestOptions,
  toBase64Url,
} from "./webauthn.js";

const BASE = "http://app.test";
let api: FakeApi;
let authenticator: FakeAuthenticator;

function browserClient(options: Partial<CreateAuthClientOptions> = {}) {
  api.cookies.delete("signed_in");
  return createAuthClient({
    baseURL: BASE,
    transport: "cookie",
    fetch: api.fetch,
    readCookie: api.readCookie,
    writeCookie: () => {},
    setTimer: () => 0,
    clearTimer: () => {},
    credentials: authenticator.credentials,
    ...options,
  });
}

async function signedInPage(options: Partial<CreateAuthClientOptions> = {}) {
  const client = browserClient(options);
  await client.signIn.email({ email: USER.email, password: PASSWORD });
  api.requests = [];
  return client;
}

/** USER with a passkey on this authenticator, signed out. */
async function withPasskey() {
  const owner = await signedInPage();
  await owner.passkey.addPasskey({ name: "Laptop" });
  await owner.signOut();
  api.requests = [];
  authenticator.calls = [];
  return browserClient();
}

const text = (buffer: unknown) => new TextDecoder().decode(buffer as ArrayBuffer);
const paths = () => api.requests.map((r) => `${r.method} ${r.path}`);

beforeEach(() => {
  api = new FakeApi();
  authenticator = new FakeAuthenticator();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("passkey.addPasskey", () => {
  it("fetches options, runs navigator.credentials.create with them converted, posts the credential's JSON", async () => {
    const client = await signedInPage();
    const { data, error } = await client.passkey.addPasskey({ name: "Laptop" });
    expect(error).toBeNull();
    expect(data).toMatchObject({ id: "passkey-1", name: "Laptop", deviceType: "multiDevice" });
    expect(paths()).toEqual([
      "POST /api/auth/passkey/registration-options/",
      "POST /api/auth/passkey/register/",
    ]);
    for (const r of api.requests) expect(r.headers.get("Authorization")).toBe("Bearer access-1");

    const [{ kind, options }] = authenticator.calls;
    expect(kind).toBe("create");
    const publicKey = options.publicKey as PublicKeyCredentialCreationOptions;
    expect(text(publicKey.challenge)).toBe("challenge-from-the-fake");
    expect(text(publicKey.user.id)).toBe("user");
    expect(publicKey.rp).toEqual({ name: "Auth", id: "localhost" });
    expect(publicKey.authenticatorSelection).toEqual({
      residentKey: "required",
      userVerification: "required",
    });
    expect(options.signal).toBeInstanceOf(AbortSignal);

    // No toJSON() on this credential: the JSON form is made by hand, base64url throughout.
    expect(api.requests[1].body).toEqual({
      name: "Laptop",
      credential: {
        id: "Y3JlZGVudGlhbC0x",
        rawId: "Y3JlZGVudGlhbC0x",
        type: "public-key",
        response: {
          clientDataJSON: toBase64Url(new TextEncoder().encode('{"type":"webauthn.create"}')),
          attestationObject: toBase64Url(new TextEncoder().encode("attestation")),
          transports: ["internal", "hybrid"],
        },
        clientExtensionResults: {},
        authenticatorAttachment: "platform",
      },
    });
  });

  it("a second passkey lists the first one in excludeCredentials (as bytes)", async () => {
    const client = await signedInPage();
    await client.passkey.addPasskey();
    await client.passkey.addPasskey();
    const second = authenticator.calls[1].options.publicKey as PublicKeyCredentialCreationOptions;
    expect(second.excludeCredentials?.map((d) => text(d.id))).toEqual(["credential-1"]);
  });

  it("uses the browser's parseCreationOptionsFromJSON and the credential's toJSON() when they exist", async () => {
    const parse = vi.fn((json: PublicKeyCredentialCreationOptionsJSON) => ({
      ...json,
      parsedByTheBrowser: true,
    }));
    vi.stubGlobal("PublicKeyCredential", { parseCreationOptionsFromJSON: parse });
    authenticator.withToJSON = true;
    const client = await signedInPage();
    const { error } = await client.passkey.addPasskey();
    expect(error).toBeNull();
    expect(parse).toHaveBeenCalledWith(expect.objectContaining({ challenge: expect.any(String) }));
    expect(authenticator.calls[0].options.publicKey).toMatchObject({ parsedByTheBrowser: true });
    const body = api.requests[1].body as { credential: Record<string, unknown> };
    expect(body.credential.fromToJSON).toBe(true);
    expect(body).not.toHaveProperty("name"); // no name: the server names it
  });

  it("maps the dialog's refusals to better-auth's passkey codes", async () => {
    const client = await signedInPage();
    authenticator.refuse = "NotAllowedError";
    expect((await client.passkey.addPasskey()).error).toMatchObject({
      code: "REGISTRATION_CANCELLED",
      status: 400,
      message: expect.stringMatching(/cancelled/),
    });
    authenticator.refuse = "InvalidStateError";
    expect((await client.passkey.addPasskey()).error?.code).toBe("PREVIOUSLY_REGISTERED");
    expect(api.count("POST", "/api/auth/passkey/register/")).toBe(0);
  });

  it("uses navigator.credentials by default; without WebAuthn it is PASSKEY_NOT_SUPPORTED", async () => {
    vi.stubGlobal("navigator", { credentials: authenticator.credentials });
    const client = await signedInPage({ credentials: undefined });
    expect((await client.passkey.addPasskey()).error).toBeNull();
    vi.stubGlobal("navigator", {});
    const { error } = await client.passkey.addPasskey();
    expect(error).toMatchObject({ code: "PASSKEY_NOT_SUPPORTED", status: 400 });
  });

  it("needs a fresh sign-in: REAUTHENTICATION_REQUIRED before any dialog", async () => {
    const client = await signedInPage();
    api.fresh = false;
    expect((await client.passkey.addPasskey()).error?.code).toBe("REAUTHENTICATION_REQUIRED");
    expect(authenticator.calls).toEqual([]);
  });
});

describe("passkey.listUserPasskeys, updatePasskey, deletePasskey", () => {
  it("list, rename, delete; an unknown id is NOT_FOUND; deleting needs a fresh sign-in", async () => {
    const client = await signedInPage();
    await client.passkey.addPasskey({ name: "Laptop" });
    const list = await client.passkey.listUserPasskeys();
    expect(list.data?.map((p) => p.name)).toEqual(["Laptop"]);
    const id = list.data![0].id;

    const renamed = await client.passkey.updatePasskey({ id, name: "Work laptop" });
    expect(renamed.data?.passkey).toMatchObject({ id, name: "Work laptop" });
    const patch = api.requests.find((r) => r.method === "PATCH");
    expect(patch).toMatchObject({
      path: `/api/auth/passkeys/${id}/`,
      body: { name: "Work laptop" },
    });

    api.fresh = false;
    const stale = await client.passkey.deletePasskey({ id });
    expect(stale.error?.code).toBe("REAUTHENTICATION_REQUIRED");
    api.fresh = true;
    expect(await client.passkey.deletePasskey({ id })).toEqual({
      data: { status: true },
      error: null,
    });
    expect((await client.passkey.listUserPasskeys()).data).toEqual([]);
    expect((await client.passkey.deletePasskey({ id })).error).toMatchObject({
      code: "NOT_FOUND",
      status: 404,
    });
  });
});

describe("signIn.passkey", () => {
  it("options (no Bearer), navigator.credentials.get, then passkey/sign-in: signed in", async () => {
    const client = await withPasskey();
    const listener = vi.fn();
    client.$core.subscribe(listener);
    const { data, error } = await client.signIn.passkey({ rememberMe: false });
    expect(error).toBeNull();
    expect(data).toEqual({ token: "access-2", user: USER });
    expect(paths()).toEqual([
      "POST /api/auth/passkey/authentication-options/",
      "POST /api/auth/passkey/sign-in/",
    ]);
    for (const r of api.requests) expect(r.headers.get("Authorization")).toBeNull();
    const [{ kind, options }] = authenticator.calls;
    expect(kind).toBe("get");
    expect((options as CredentialRequestOptions).mediation).toBeUndefined();
    const publicKey = options.publicKey as PublicKeyCredentialRequestOptions;
    expect(text(publicKey.challenge)).toBe("challenge-from-the-fake");
    expect(publicKey).toMatchObject({ rpId: "localhost", userVerification: "required" });
    const body = api.requests[1].body as Record<string, unknown>;
    expect(body.rememberMe).toBe(false);
    expect(body.credential).toMatchObject({
      id: "Y3JlZGVudGlhbC0x",
      type: "public-key",
      response: {
        authenticatorData: toBase64Url(new TextEncoder().encode("authenticator-data")),
        signature: toBase64Url(new TextEncoder().encode("signature")),
        userHandle: toBase64Url(new TextEncoder().encode("user")),
      },
    });
    expect(body).not.toHaveProperty("challengeToken"); // a browser: the challenge is a cookie
    expect(client.$core.getState().status).toBe("signedIn");
    expect(listener).toHaveBeenCalled();
  });

  it("a passkey the server does not know is INVALID_PASSKEY; a dismissed dialog AUTH_CANCELLED", async () => {
    const client = browserClient();
    const unknown = await client.signIn.passkey();
    expect(unknown.error).toMatchObject({ code: "INVALID_PASSKEY", status: 401 });
    authenticator.refuse = "NotAllowedError";
    const dismissed = await client.signIn.passkey();
    expect(dismissed.error).toMatchObject({ code: "AUTH_CANCELLED", status: 400 });
    expect(api.count("POST", "/api/auth/passkey/sign-in/")).toBe(1);
  });

  it("autoFill: a conditional request that waits for the user's pick in the autofill", async () => {
    const client = await withPasskey();
    const pending = client.signIn.passkey({ autoFill: true });
    await vi.waitFor(() => expect(authenticator.conditionalWaiting).toBe(true));
    const options = authenticator.calls[0].options as CredentialRequestOptions;
    expect(options.mediation).toBe("conditional");
    expect((options.publicKey as PublicKeyCredentialRequestOptions).allowCredentials).toEqual([]);
    expect(api.count("POST", "/api/auth/passkey/sign-in/")).toBe(0);
    authenticator.pick();
    expect((await pending).data).toMatchObject({ user: USER });
  });

  it("a later explicit call aborts the waiting autofill request and signs in itself", async () => {
    const client = await withPasskey();
    const autofill = client.signIn.passkey({ autoFill: true });
    await vi.waitFor(() => expect(authenticator.conditionalWaiting).toBe(true));
    const button = await client.signIn.passkey();
    expect(button.error).toBeNull();
    expect(button.data).toMatchObject({ user: USER });
    const aborted = await autofill;
    expect(aborted.error).toMatchObject({ code: "ERROR_CEREMONY_ABORTED" });
    expect(authenticator.calls[0].options.signal?.aborted).toBe(true);
    expect(api.count("POST", "/api/auth/passkey/sign-in/")).toBe(1);
  });

  it("$core.cancelPasskeyRequest() ends a waiting autofill request (a page left)", async () => {
    const client = await withPasskey();
    const autofill = client.signIn.passkey({ autoFill: true });
    await vi.waitFor(() => expect(authenticator.conditionalWaiting).toBe(true));
    client.$core.cancelPasskeyRequest();
    expect((await autofill).error?.code).toBe("ERROR_CEREMONY_ABORTED");
  });

  it("autoFill where the browser has no conditional mediation is PASSKEY_NOT_SUPPORTED", async () => {
    vi.stubGlobal("PublicKeyCredential", {
      isConditionalMediationAvailable: () => Promise.resolve(false),
    });
    const client = await withPasskey();
    const { error } = await client.signIn.passkey({ autoFill: true });
    expect(error?.code).toBe("PASSKEY_NOT_SUPPORTED");
    expect(authenticator.calls).toEqual([]);
  });

  it("uses the browser's parseRequestOptionsFromJSON when it exists", async () => {
    const parse = vi.fn((json: PublicKeyCredentialRequestOptionsJSON) => ({ ...json, parsed: 1 }));
    vi.stubGlobal("PublicKeyCredential", { parseRequestOptionsFromJSON: parse });
    const client = await withPasskey();
    await client.signIn.passkey();
    expect(parse).toHaveBeenCalledOnce();
    expect(authenticator.calls[0].options.publicKey).toMatchObject({ parsed: 1 });
  });
});

describe("twoFactor.verifyPasskey", () => {
  it("answers the pending sign-in with a passkey of the account", async () => {
    const client = await withPasskey();
    api.twoFactor = true;
    api.methods = ["totp", "backup-code", "passkey"];
    const redirect = await client.signIn.email({ email: USER.email, password: PASSWORD });
    expect(redirect.data).toMatchObject({ twoFactorMethods: ["totp", "backup-code", "passkey"] });
    api.requests = [];
    const { data, error } = await client.twoFactor.verifyPasskey({ trustDevice: true });
    expect(error).toBeNull();
    expect(data).toMatchObject({ user: { twoFactorEnabled: true } });
    expect(paths()).toEqual([
      "POST /api/auth/passkey/authentication-options/",
      "POST /api/auth/two-factor/verify-passkey/",
    ]);
    expect(api.requests[1].body).toMatchObject({
      trustDevice: true,
      credential: { type: "public-key" },
    });
    expect(client.$core.getState().status).toBe("signedIn");
  });
});

describe("conversions", () => {
  it("base64url round-trips every byte value, without padding", () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const encoded = toBase64Url(bytes);
    expect(encoded).toMatch(/^[\w-]+$/);
    expect(new Uint8Array(fromBase64Url(encoded))).toEqual(bytes);
    expect(toBase64Url(new Uint8Array([251, 255]))).toBe("-_8");
    expect(toBase64Url(bytes.subarray(1, 3))).toBe("AQI"); // a view: only its bytes
  });

  it("the fallback converters turn ids and challenges into bytes and keep the rest", () => {
    const creation = creationOptions({
      rp: { name: "Auth", id: "localhost" },
      user: { id: "dXNlcg", name: "a@b.co", displayName: "A" },
      challenge: "AQID",
      pubKeyCredParams: [{ type: "public-key", alg: -7 }],
      excludeCredentials: [{ id: "BAU", type: "public-key", transports: ["usb"] }],
    });
    expect(new Uint8Array(creation.challenge as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect(text(creation.user.id)).toBe("user");
    expect(creation.excludeCredentials?.[0]).toMatchObject({
      type: "public-key",
      transports: ["usb"],
    });
    const request = requestOptions({ challenge: "AQID", rpId: "localhost", allowCredentials: [] });
    expect(request).toMatchObject({ rpId: "localhost", allowCredentials: [] });
  });

  it("an assertion without a userHandle has none in its JSON", () => {
    const json = credentialJSON({
      id: "AQ",
      rawId: new Uint8Array([1]).buffer,
      type: "public-key",
      authenticatorAttachment: null,
      response: {
        clientDataJSON: new Uint8Array([2]).buffer,
        authenticatorData: new Uint8Array([3]).buffer,
        signature: new Uint8Array([4]).buffer,
        userHandle: null,
      },
      getClientExtensionResults: () => ({}),
    } as unknown as Credential);
    expect(json).toEqual({
      id: "AQ",
      rawId: "AQ",
      type: "public-key",
      response: { clientDataJSON: "Ag", authenticatorData: "Aw", signature: "BA" },
      clientExtensionResults: {},
    });
  });
});
