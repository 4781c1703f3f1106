/**
 * A fake of the auth API for unit tests: a `fetch` that answers like the server does, records
 * every request, and lets a test hold refresh answers back (to observe single-flight behaviour).
 */
import type { OtpType, TrustedDevice, User } from "../core";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Headers;
  credentials: RequestCredentials;
  body: unknown;
}

export const USER: User = {
  id: "u".repeat(32),
  email: "ada@example.com",
  name: "Ada Lovelace",
  role: "teacher",
  emailVerified: true,
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
      case "reauthentication":
        this.signedIn = true;
        return json(200, { user: USER, ...this.issueToken() });
      case "email-verification":
        if (bearer) return json(200, { user: { ...USER, emailVerified: true } });
        this.signedIn = true; // the first proof of the address signs the prover in
        return json(200, { user: { ...USER, emailVerified: true }, ...this.issueToken() });
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
    switch (key) {
      case "GET /api/auth/csrf/":
        this.cookies.set("csrftoken", this.cookies.get("csrftoken") ?? "csrf-2");
        return noContent();
      case "POST /api/auth/refresh/":
        if (this.refreshGate) await this.refreshGate;
        if (!this.csrfOk(request)) return json(403, { code: "CSRF_FAILED", message: "CSRF." });
        if (!this.signedIn) {
          return json(401, { code: "INVALID_REFRESH_TOKEN", message: "Sign in again." });
        }
        return json(200, this.issueToken());
      case "POST /api/auth/sign-in/": {
        const body = request.body as { email: string; password: string };
        if (body.password !== "correct horse") {
          return json(401, {
            code: "INVALID_EMAIL_OR_PASSWORD",
            message: "Invalid email or password.",
          });
        }
        this.signedIn = true;
        return json(200, { user: USER, ...this.issueToken() });
      }
      case "POST /api/auth/sign-out/":
        if (!this.csrfOk(request)) return json(403, { code: "CSRF_FAILED", message: "CSRF." });
        this.signedIn = false;
        this.validToken = null;
        return noContent();
      case "POST /api/auth/email-link/send/": {
        const { email } = request.body as { email: string };
        if (!email.includes("@")) {
          return json(400, { code: "INVALID_EMAIL", message: "Enter a valid email address." });
        }
        return json(200, { success: true });
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
      case "GET /api/auth/session/":
        if (!this.bearerOk(request)) return this.unauthenticated();
        return json(200, { user: USER, session: { id: "s1", expiresAt: "2030-01-01T00:00:00Z" } });
      case "GET /api/auth/sessions/":
        if (!this.bearerOk(request)) return this.unauthenticated();
        return json(200, []);
      case "GET /api/auth/devices/":
        if (!this.bearerOk(request)) return this.unauthenticated();
        return json(200, this.devices);
      default:
        return json(404, { code: "NOT_FOUND", message: "No such endpoint." });
    }
  }
}
