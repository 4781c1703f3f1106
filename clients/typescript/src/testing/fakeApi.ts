/**
 * A fake of the auth API for unit tests: a `fetch` that answers like the server does, records
 * every request, and lets a test hold refresh answers back (to observe single-flight behaviour).
 * It speaks both transports (cookies, or tokens in bodies with `X-Refresh-Token-Transport: body`),
 * the second step of an account with two-factor on (`twoFactor = true`), and passkeys made by
 * `FakeAuthenticator`, its stand-in for `navigator.credentials`.
 */
import type { OtpType, Passkey, TrustedDevice, TwoFactorMethod, User } from "../core.js";
import type { CredentialsContainerLike } from "../webauthn.js";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Headers;
  credentials: Request["credentials"];
  body: unknown;
}

export const USER: User = {
  id: "u".repeat(32),
  email: "ada@example.com",
  name: "Ada Lovelace",
  role: "teacher",
  emailVerified: true,
  twoFactorEnabled: false,
  image: null,
  createdAt: "2025-01-01T00:00:00Z",
  updatedAt: "2025-01-01T00:00:00Z",
};

/** This browser's trusted device, as GET devices/ lists it. */
export const DEVICE: TrustedDevice = {
  id: "d".repeat(32),
  createdAt: "2025-01-01T00:00:00Z",
  lastUsedAt: "2025-01-02T00:00:00Z",
  expiresAt: "2025-02-01T00:00:00Z",
  ipAddress: "192.0.2.1",
  userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36",
  device: "Chrome on Linux",
  current: true,
};

/** The code of the fake authenticator app, a right emailed code, and the password of USER. */
export const TOTP_CODE = "123456";
export const EMAIL_CODE = "314159";
export const PASSWORD = "correct horse";
export const BACKUP_CODES = ["aaaaa-11111", "bbbbb-22222", "ccccc-33333"];

const CHALLENGE = "Y2hhbGxlbmdlLWZyb20tdGhlLWZha2U"; // base64url
const TWO_FACTOR_EXPIRED = {
  code: "TWO_FACTOR_SIGN_IN_EXPIRED",
  message: "This sign-in took too long or was answered too often. Sign in again.",
};
const INVALID_TWO_FACTOR_CODE = {
  code: "INVALID_TWO_FACTOR_CODE",
  message: "This code is wrong or was already used.",
};
const INVALID_PASSKEY = { code: "INVALID_PASSKEY", message: "This passkey could not be used." };

type Handler = (request: RecordedRequest) => Response | Promise<Response>;

/** The type of the code mail a link came in (the undo of an email change is mailed alone). */
export type LinkType = OtpType | "email-change" | "email-change-undo";

const INVALID_LINK = {
  code: "INVALID_LINK",
  message: "This link is invalid, expired or already used. Ask for a new one.",
};

export function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

export const noContent = () => new Response(null, { status: 204 });

export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export class FakeApi {
  requests: RecordedRequest[] = [];
  /** A browser that signed in before: its client's `signed_in` hint is there. */
  cookies = new Map<string, string>([
    ["csrftoken", "csrf-1"],
    ["signed_in", "1"],
  ]);
  /** The access token the fake server currently accepts. */
  validToken: string | null = null;
  private tokenCounter = 0;
  /** Whether the refresh cookie is live (refresh/ answers 200). */
  signedIn = true;
  /** A test may hold every refresh answer until it resolves this. */
  refreshGate: Promise<void> | null = null;
  lifetimeMs = 600_000;
  now = () => Date.now();
  overrides = new Map<string, Handler>();
  /** The user's trusted devices: GET devices/ lists them, DELETE devices/{id}/ removes one. */
  devices: TrustedDevice[] = [DEVICE];
  /** Live links of USER's mails, by token: email-link/verify/ uses one up (a test adds them). */
  links = new Map<string, LinkType>();
  /** Reset tokens password/reset/ accepts once (a forget-password link hands one out). */
  resetTokens = new Set<string>();
  /** Two-factor is on for USER: every sign-in path answers twoFactorRedirect. */
  twoFactor = false;
  /** two-factor/enable/ was called: verify-totp/ with the Bearer token turns it on. */
  enrolling = false;
  /** Recovery codes not used yet. */
  backupCodes = new Set(BACKUP_CODES);
  /** The pending sign-in (its cookie, or the twoFactorToken a body-transport client got). */
  pending: string | null = null;
  /** What twoFactorRedirect lists. */
  methods: TwoFactorMethod[] = ["totp", "backup-code"];
  /** The step-up window: fresh calls answer REAUTHENTICATION_REQUIRED when false. */
  fresh = true;
  /** USER's passkeys, and the credential id each was registered with. */
  passkeys: Passkey[] = [];
  credentialIds = new Map<string, string>();
  /** The live authentication challenge (its cookie, or its challengeToken). */
  challenge: string | null = null;
  /** Body transport: the refresh token that refresh/ accepts now, and the device's token. */
  refreshToken: string | null = null;
  deviceToken: string | null = null;
  private counter = 0;

  readCookie = (name: string) => this.cookies.get(name) ?? null;

  count(method: string, path: string) {
    return this.requests.filter((r) => r.method === method && r.path === path).length;
  }

  issueToken() {
    this.tokenCounter += 1;
    this.validToken = `access-${this.tokenCounter}`;
    return {
      accessToken: this.validToken,
      accessTokenExpiresAt: new Date(this.now() + this.lifetimeMs).toISOString(),
    };
  }

  /** USER as the server has it now. */
  user(): User {
    return { ...USER, twoFactorEnabled: this.twoFactor };
  }

  private next(prefix: string) {
    this.counter += 1;
    return `${prefix}-${this.counter}`;
  }

  private body(request: RecordedRequest) {
    return (request.body ?? {}) as Record<string, unknown>;
  }

  private inBody(request: RecordedRequest) {
    return request.headers.get("X-Refresh-Token-Transport") === "body";
  }

  /** A complete sign-in: tokens (the refresh and device tokens in the body when asked). */
  private signInTokens(request: RecordedRequest, extra: Record<string, unknown> = {}) {
    this.signedIn = true;
    this.pending = null;
    const answer: Record<string, unknown> = { user: this.user(), ...extra, ...this.issueToken() };
    if (this.inBody(request)) {
      this.refreshToken = this.next("refresh");
      this.deviceToken ??= this.next("device");
      answer.refreshToken = this.refreshToken;
      answer.deviceToken = this.deviceToken;
    }
    return json(200, answer);
  }

  /** A sign-in path's answer: tokens, or twoFactorRedirect when two-factor is on. */
  private signInAnswer(request: RecordedRequest, extra: Record<string, unknown> = {}) {
    if (!this.twoFactor) return this.signInTokens(request, extra);
    this.pending = this.next("pending");
    const answer: Record<string, unknown> = {
      twoFactorRedirect: true,
      twoFactorMethods: this.methods,
    };
    if (this.inBody(request)) answer.twoFactorToken = this.pending;
    return json(200, answer);
  }

  /** The pending sign-in this request answers: its cookie, or its twoFactorToken. */
  private pendingOk(request: RecordedRequest) {
    if (this.pending === null) return false;
    return !this.inBody(request) || this.body(request).twoFactorToken === this.pending;
  }

  /** A credential FakeAuthenticator made for a live challenge of this client, used up. */
  private assertionOk(request: RecordedRequest): string | null {
    const body = this.body(request);
    const challenge = this.challenge;
    this.challenge = null;
    if (challenge === null) return null;
    if (this.inBody(request) && body.challengeToken !== challenge) return null;
    const credential = body.credential as { id?: string; response?: { signature?: string } };
    if (!credential?.response?.signature) return null;
    return this.credentialIds.get(credential.id ?? "") ?? null;
  }

  private passwordOk(request: RecordedRequest) {
    return this.body(request).password === PASSWORD;
  }

  private invalidPassword() {
    return json(400, { code: "INVALID_PASSWORD", message: "The password is wrong." });
  }

  private notFresh() {
    return json(403, {
      code: "REAUTHENTICATION_REQUIRED",
      message: "Prove it is you again to do this.",
    });
  }

  fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const text = request.method === "GET" ? "" : await request.text();
    const recorded: RecordedRequest = {
      method: request.method,
      path: url.pathname,
      headers: request.headers,
      credentials: request.credentials,
      body: text ? JSON.parse(text) : undefined,
    };
    this.requests.push(recorded);
    const override = this.overrides.get(`${recorded.method} ${recorded.path}`);
    if (override) return override(recorded);
    return this.route(recorded);
  };

  private bearerOk(request: RecordedRequest) {
    return (
      this.validToken !== null &&
      request.headers.get("Authorization") === `Bearer ${this.validToken}`
    );
  }

  private csrfOk(request: RecordedRequest) {
    return request.headers.get("X-CSRFToken") === this.cookies.get("csrftoken");
  }

  private unauthenticated() {
    return json(401, {
      code: "TOKEN_INVALID",
      message: "The access token is invalid or expired.",
    });
  }

  /** Every sign-in of USER ends (a password reset, an email change and its undo). */
  private endSignIns() {
    this.signedIn = false;
    this.validToken = null;
  }

  /** email-link/verify/: what the code of the link's mail would give, as the server answers. */
  private useLink(request: RecordedRequest): Response {
    const bearer = request.headers.get("Authorization") !== null;
    if (bearer && !this.bearerOk(request)) return this.unauthenticated();
    const { token } = request.body as { token: string };
    const type = this.links.get(token);
    if (type === undefined || (type === "reauthentication" && !bearer)) {
      return json(400, INVALID_LINK);
    }
    this.links.delete(token);
    switch (type) {
      case "sign-in":
        return this.signInAnswer(request);
      case "reauthentication":
        this.signedIn = true;
        return json(200, { user: this.user(), ...this.issueToken() });
      case "email-verification":
        if (bearer) return json(200, { user: { ...this.user(), emailVerified: true } });
        // the first proof of the address signs the prover in
        return this.signInAnswer(request, { user: { ...this.user(), emailVerified: true } });
      case "forget-password": {
        const resetToken = `reset-${this.resetTokens.size + 1}`;
        this.resetTokens.add(resetToken);
        return json(200, { success: true, resetToken });
      }
      default:
        this.endSignIns();
        return json(200, { success: true });
    }
  }

  private async route(request: RecordedRequest): Promise<Response> {
    const key = `${request.method} ${request.path}`;
    const device = key.match(/^DELETE \/api\/auth\/devices\/([^/]+)\/$/);
    if (device) {
      if (!this.bearerOk(request)) return this.unauthenticated();
      const before = this.devices.length;
      this.devices = this.devices.filter((item) => item.id !== device[1]);
      if (this.devices.length === before) {
        return json(404, { code: "NOT_FOUND", message: "Not found." });
      }
      return noContent();
    }
    const passkey = key.match(/^(PATCH|DELETE) \/api\/auth\/passkeys\/([^/]+)\/$/);
    if (passkey) return this.passkeyItem(request, passkey[1], passkey[2]);
    if (request.path.startsWith("/api/auth/two-factor/")) return this.twoFactorRoute(request);
    if (request.path.startsWith("/api/auth/passkey/")) return this.passkeyRoute(request);
    switch (key) {
      case "GET /api/auth/csrf/":
        this.cookies.set("csrftoken", this.cookies.get("csrftoken") ?? "csrf-2");
        return noContent();
      case "POST /api/auth/refresh/":
        if (this.refreshGate) await this.refreshGate;
        return this.refresh(request);
      case "POST /api/auth/sign-in/": {
        const body = request.body as { email: string; password: string };
        if (body.password !== PASSWORD) {
          return json(401, {
            code: "INVALID_EMAIL_OR_PASSWORD",
            message: "Invalid email or password.",
          });
        }
        return this.signInAnswer(request);
      }
      case "POST /api/auth/sign-up/":
        return this.signInTokens(request); // a new account is signed in at once
      case "POST /api/auth/sign-out/":
        if (this.inBody(request)) {
          if (this.body(request).refreshToken === this.refreshToken) this.refreshToken = null;
        } else if (!this.csrfOk(request)) {
          return json(403, { code: "CSRF_FAILED", message: "CSRF." });
        }
        this.signedIn = false;
        this.validToken = null;
        return noContent();
      case "POST /api/auth/email-otp/send/":
      case "POST /api/auth/email-link/send/": {
        const { email } = request.body as { email: string };
        if (!email.includes("@")) {
          return json(400, { code: "INVALID_EMAIL", message: "Enter a valid email address." });
        }
        if (this.inBody(request)) {
          return json(200, { success: true, flowToken: this.body(request).flowToken ?? "flow-1" });
        }
        return json(200, { success: true });
      }
      case "POST /api/auth/email-otp/sign-in/":
        if (this.body(request).otp !== EMAIL_CODE) {
          return json(400, { code: "INVALID_OTP", message: "The code is wrong." });
        }
        return this.signInAnswer(request);
      case "POST /api/auth/email-otp/verify-email/": {
        if (this.body(request).otp !== EMAIL_CODE) {
          return json(400, { code: "INVALID_OTP", message: "The code is wrong." });
        }
        const user = { ...this.user(), emailVerified: true };
        if (request.headers.get("Authorization") !== null) {
          return this.bearerOk(request) ? json(200, { user }) : this.unauthenticated();
        }
        return this.signInAnswer(request, { user });
      }
      case "POST /api/auth/email-link/verify/":
        return this.useLink(request);
      case "POST /api/auth/password/reset/": {
        const { resetToken, password } = request.body as { resetToken: string; password: string };
        if (password.length < 8) {
          return json(400, { code: "PASSWORD_TOO_SHORT", message: "The password is too short." });
        }
        if (!this.resetTokens.delete(resetToken)) {
          return json(400, { code: "INVALID_TOKEN", message: "The reset token is invalid." });
        }
        this.endSignIns();
        return json(200, { success: true });
      }
      case "POST /api/auth/reauthenticate/":
        return this.reauthenticate(request);
      case "GET /api/auth/session/":
        if (!this.bearerOk(request)) return this.unauthenticated();
        return json(200, {
          user: this.user(),
          session: { id: "s1", expiresAt: "2030-01-01T00:00:00Z" },
        });
      case "GET /api/auth/sessions/":
        if (!this.bearerOk(request)) return this.unauthenticated();
        return json(200, []);
      case "GET /api/auth/devices/":
        if (!this.bearerOk(request)) return this.unauthenticated();
        return json(200, this.devices);
      case "GET /api/auth/passkeys/":
        if (!this.bearerOk(request)) return this.unauthenticated();
        return json(200, this.passkeys);
      default:
        return json(404, { code: "NOT_FOUND", message: "No such endpoint." });
    }
  }

  /** refresh/: the cookie with its CSRF header, or the refresh token in the body (rotated). */
  private refresh(request: RecordedRequest): Response {
    if (this.inBody(request)) {
      const sent = this.body(request).refreshToken;
      if (!sent || sent !== this.refreshToken || !this.signedIn) {
        return json(401, { code: "INVALID_REFRESH_TOKEN", message: "Sign in again." });
      }
      this.refreshToken = this.next("refresh");
      return json(200, { ...this.issueToken(), refreshToken: this.refreshToken });
    }
    if (!this.csrfOk(request)) return json(403, { code: "CSRF_FAILED", message: "CSRF." });
    if (!this.signedIn) {
      return json(401, { code: "INVALID_REFRESH_TOKEN", message: "Sign in again." });
    }
    return json(200, this.issueToken());
  }

  /** reauthenticate/: the password, an authenticator code, or a passkey of USER. */
  private reauthenticate(request: RecordedRequest): Response {
    if (!this.bearerOk(request)) return this.unauthenticated();
    const body = this.body(request);
    if (body.credential !== undefined) {
      if (this.assertionOk(request) === null) return json(400, INVALID_PASSKEY);
    } else if (body.code !== undefined) {
      if (!this.twoFactor || body.code !== TOTP_CODE) return json(400, INVALID_TWO_FACTOR_CODE);
    } else if (!this.passwordOk(request)) {
      return this.invalidPassword();
    }
    this.fresh = true;
    return json(200, { user: this.user(), ...this.issueToken() });
  }

  private twoFactorRoute(request: RecordedRequest): Response {
    const action = request.path.split("/")[4];
    const bearer = request.headers.get("Authorization") !== null;
    const body = this.body(request);
    if (["enable", "generate-backup-codes", "disable"].includes(action) || bearer) {
      if (!this.bearerOk(request)) return this.unauthenticated();
    }
    switch (action) {
      case "enable":
        if (!this.fresh) return this.notFresh();
        if (!this.passwordOk(request)) return this.invalidPassword();
        this.enrolling = true;
        this.backupCodes = new Set(BACKUP_CODES);
        return json(200, {
          totpURI: `otpauth://totp/Auth:${USER.email}?secret=JBSWY3DPEHPK3PXP&issuer=Auth`,
          backupCodes: BACKUP_CODES,
        });
      case "generate-backup-codes":
        if (!this.fresh) return this.notFresh();
        if (!this.twoFactor) {
          return json(400, { code: "TWO_FACTOR_NOT_ENABLED", message: "Two-factor is off." });
        }
        return json(200, { backupCodes: BACKUP_CODES });
      case "disable":
        if (!this.fresh) return this.notFresh();
        if (!this.passwordOk(request)) return this.invalidPassword();
        this.twoFactor = false;
        this.enrolling = false;
        return json(200, { user: this.user() });
      case "verify-totp":
        if (bearer) {
          if (!this.enrolling) {
            return json(400, { code: "TWO_FACTOR_NOT_ENABLED", message: "Two-factor is off." });
          }
          if (body.code !== TOTP_CODE) return json(400, INVALID_TWO_FACTOR_CODE);
          this.twoFactor = true;
          this.enrolling = false;
          return json(200, { user: this.user() });
        }
        if (!this.pendingOk(request)) return json(401, TWO_FACTOR_EXPIRED);
        if (body.code !== TOTP_CODE) return json(400, INVALID_TWO_FACTOR_CODE);
        return this.signInTokens(request);
      case "verify-backup-code":
        if (!this.pendingOk(request)) return json(401, TWO_FACTOR_EXPIRED);
        if (!this.backupCodes.delete(String(body.code))) return json(400, INVALID_TWO_FACTOR_CODE);
        return this.signInTokens(request);
      case "verify-passkey":
        if (!this.pendingOk(request)) return json(401, TWO_FACTOR_EXPIRED);
        if (this.assertionOk(request) === null) return json(401, INVALID_PASSKEY);
        return this.signInTokens(request);
      default:
        return json(404, { code: "NOT_FOUND", message: "No such endpoint." });
    }
  }

  private passkeyRoute(request: RecordedRequest): Response {
    const action = request.path.split("/")[4];
    const body = this.body(request);
    switch (action) {
      case "registration-options":
        if (!this.bearerOk(request)) return this.unauthenticated();
        if (!this.fresh) return this.notFresh();
        return json(200, {
          rp: { name: "Auth", id: "localhost" },
          user: { id: "dXNlcg", name: USER.email, displayName: USER.name },
          challenge: CHALLENGE,
          pubKeyCredParams: [{ type: "public-key", alg: -7 }],
          timeout: 300000,
          excludeCredentials: [...this.credentialIds.keys()].map((id) => ({
            id,
            type: "public-key",
          })),
          authenticatorSelection: { residentKey: "required", userVerification: "required" },
          attestation: "none",
        });
      case "register": {
        if (!this.bearerOk(request)) return this.unauthenticated();
        const credential = body.credential as { id?: string; response?: Record<string, unknown> };
        if (!credential?.id || !credential.response?.attestationObject) {
          return json(400, INVALID_PASSKEY);
        }
        const created: Passkey = {
          id: this.next("passkey"),
          name: typeof body.name === "string" && body.name ? body.name : "Passkey",
          createdAt: "2025-01-03T00:00:00Z",
          lastUsedAt: null,
          backedUp: true,
          deviceType: "multiDevice",
        };
        this.passkeys = [created, ...this.passkeys];
        this.credentialIds.set(credential.id, created.id);
        return json(201, { passkey: created });
      }
      case "authentication-options": {
        this.challenge = this.next("challenge");
        const options: Record<string, unknown> = {
          challenge: CHALLENGE,
          timeout: 300000,
          rpId: "localhost",
          allowCredentials: [],
          userVerification: "required",
        };
        if (this.inBody(request)) options.challengeToken = this.challenge;
        return json(200, options);
      }
      case "sign-in":
        if (this.assertionOk(request) === null) return json(401, INVALID_PASSKEY);
        return this.signInTokens(request);
      default:
        return json(404, { code: "NOT_FOUND", message: "No such endpoint." });
    }
  }

  private passkeyItem(request: RecordedRequest, method: string, id: string): Response {
    if (!this.bearerOk(request)) return this.unauthenticated();
    const found = this.passkeys.find((item) => item.id === id);
    if (!found) return json(404, { code: "NOT_FOUND", message: "Not found." });
    if (method === "PATCH") {
      found.name = String(this.body(request).name ?? found.name);
      return json(200, { passkey: found });
    }
    if (!this.fresh) return this.notFresh();
    this.passkeys = this.passkeys.filter((item) => item !== found);
    return noContent();
  }
}

/**
 * A stand-in for `navigator.credentials` that makes passkeys FakeApi accepts: `create()` and
 * `get()` answer at once (like a user who confirms), with credentials in the browser's shape
 * (ArrayBuffers; `toJSON()` only when `withToJSON`). `refuse` makes the next call reject with
 * that DOMException name (a dismissed dialog is "NotAllowedError"). A conditional `get()`
 * (autofill) waits until `pick()`, or until its request is aborted.
 */
export class FakeAuthenticator {
  /** The options of every call, in order. */
  calls: (
    | { kind: "create"; options: CredentialCreationOptions }
    | { kind: "get"; options: CredentialRequestOptions }
  )[] = [];
  /** The credential id this authenticator holds (after a create()). */
  credentialId: string | null = null;
  refuse: string | null = null;
  withToJSON = false;
  private waiting: { resolve: () => void } | null = null;

  /** Answer the conditional request that waits (the user picked the passkey in the autofill). */
  pick() {
    this.waiting?.resolve();
    this.waiting = null;
  }

  get conditionalWaiting() {
    return this.waiting !== null;
  }

  readonly credentials: CredentialsContainerLike = {
    create: async (options) => {
      this.calls.push({ kind: "create", options });
      this.refused();
      this.credentialId = "Y3JlZGVudGlhbC0x"; // base64url of "credential-1"
      return this.credential({
        clientDataJSON: bytes('{"type":"webauthn.create"}'),
        attestationObject: bytes("attestation"),
        getTransports: () => ["internal", "hybrid"],
      });
    },
    get: async (options) => {
      this.calls.push({ kind: "get", options });
      if (options.mediation === "conditional") {
        await new Promise<void>((resolve, reject) => {
          this.waiting = { resolve };
          options.signal?.addEventListener("abort", () => {
            this.waiting = null;
            reject(new DOMException("The request was aborted.", "AbortError"));
          });
        });
      }
      this.refused();
      return this.credential({
        clientDataJSON: bytes('{"type":"webauthn.get"}'),
        authenticatorData: bytes("authenticator-data"),
        signature: bytes("signature"),
        userHandle: bytes("user"),
      });
    },
  };

  private refused() {
    if (this.refuse === null) return;
    const name = this.refuse;
    this.refuse = null;
    throw new DOMException(`The authenticator refused (${name}).`, name);
  }

  private credential(response: Record<string, unknown>): Credential {
    const id = this.credentialId ?? "dW5rbm93bg";
    const credential: Record<string, unknown> = {
      id,
      rawId: base64UrlBytes(id),
      type: "public-key",
      authenticatorAttachment: "platform",
      response,
      getClientExtensionResults: () => ({}),
    };
    if (this.withToJSON) {
      credential.toJSON = () => ({
        id,
        rawId: id,
        type: "public-key",
        response: Object.fromEntries(
          Object.entries(response)
            .filter(([, value]) => value instanceof ArrayBuffer)
            .map(([key, value]) => [key, toBase64Url(value as ArrayBuffer)]),
        ),
        clientExtensionResults: {},
        fromToJSON: true,
      });
    }
    return credential as unknown as Credential;
  }
}

function bytes(text: string): ArrayBuffer {
  return new TextEncoder().encode(text).buffer as ArrayBuffer;
}

function base64UrlBytes(text: string): ArrayBuffer {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer;
}

function toBase64Url(buffer: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}
