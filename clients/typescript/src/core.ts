/**
 * The token machinery under the better-auth-shaped client (client.ts): owns the tokens, with no
 * React in it (tested with a fake fetch in core.test.ts, and against the real server in test/).
 *
 * - The access token lives in memory only (this object); it is never written to storage.
 * - The refresh token is the server's httpOnly cookie: the client never sees it. Calls that the
 *   cookie authenticates (refresh/, sign-out/) send `X-CSRFToken` from the `csrftoken` cookie.
 * - `start()` restores a session on page load: GET csrf/, then POST refresh/ — only when this
 *   browser may hold a sign-in (the non-secret `signed_in` cookie this client writes at a sign-in
 *   and removes at a sign-out or a refused refresh), so a signed-out page load, a first visit
 *   included, makes no call that can only answer 401.
 * - The token is refreshed shortly before `accessTokenExpiresAt`, and once when an API call answers
 *   401; refreshes are single-flight: every caller waiting at the same time shares one promise
 *   (the server rotates the refresh token on each use, so two parallel refreshes would race).
 *
 * Every HTTP call goes through openapi-fetch clients typed by the generated `schema.d.ts`.
 */
import createClient from "openapi-fetch";
import { ApiError } from "./errors";
import type { components, paths } from "./schema";

export type User = components["schemas"]["User"];
export type Role = components["schemas"]["RoleEnum"];
export type OtpType = components["schemas"]["OtpType"];
export type SignInListItem = components["schemas"]["SignInListItem"];
export type SignInRequest = components["schemas"]["SignInRequest"];
export type SignUpRequest = components["schemas"]["SignUpRequest"];
export type OtpSignInRequest = components["schemas"]["OtpSignInRequest"];
export type SecurityEvent = components["schemas"]["SecurityEvent"];
export type SessionInfo = components["schemas"]["SessionInfo"];
export type TrustedDevice = components["schemas"]["TrustedDevice"];
export type ProfileUpdate = components["schemas"]["PatchedProfileUpdateRequest"];
export type Reauthentication = { password: string } | { otp: string };
type SignedInResponse = components["schemas"]["SignedInResponse"];

/**
 * What an emailed link gave (POST email-link/verify/): what the code of its mail would give.
 * - `signedIn`: a sign-in, the first proof of an address, or a step-up (its tokens are this
 *   client's now);
 * - `verified`: the address of the signed-in account is verified;
 * - `resetToken`: a forgotten password, to be set with this single-use token (password/reset/);
 * - `done`: an email change confirmed, or undone from the old address (every sign-in of the
 *   account ends either way).
 */
export type LinkOutcome =
  | { outcome: "signedIn"; user: User }
  | { outcome: "verified"; user: User }
  | { outcome: "resetToken"; resetToken: string }
  | { outcome: "done" };

export type AuthStatus = "loading" | "signedIn" | "signedOut";

export interface AuthState {
  status: AuthStatus;
  user: User | null;
  /** The current sign-in's id (known once GET session/ answered). */
  sessionId: string | null;
  /** The current sign-in as GET session/ last gave it. */
  session: SessionInfo | null;
  /** Epoch milliseconds; null when signed out. */
  accessTokenExpiresAt: number | null;
  /** Why the last sign-in of this page ended: the user signed out, or it expired/was revoked. */
  endedBy: "signOut" | "expired" | "deleted" | null;
}

export type FetchLike = (request: Request) => Promise<Response>;

export interface AuthClientOptions {
  /** Origin of the API; "" (default) means the page's own origin. */
  baseUrl?: string;
  fetch?: FetchLike;
  /** Reads a cookie by name (default: document.cookie). */
  readCookie?: (name: string) => string | null;
  /** Sets (a value) or deletes (null) a cookie of the page (default: document.cookie). */
  writeCookie?: (name: string, value: string | null) => void;
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Refresh this long before the access token expires (default 60 s). */
  refreshBeforeMs?: number;
}

export const CSRF_COOKIE = "csrftoken";
/** Not a secret: "1" means this browser may hold a sign-in to restore (a refresh cookie). */
export const SIGNED_IN_COOKIE = "signed_in";
const SIGNED_OUT: AuthState = {
  status: "signedOut",
  user: null,
  sessionId: null,
  session: null,
  accessTokenExpiresAt: null,
  endedBy: null,
};

export function writeDocumentCookie(name: string, value: string | null): void {
  if (typeof document === "undefined") return;
  const secure = globalThis.location?.protocol === "https:" ? "; Secure" : "";
  const age = value === null ? 0 : 365 * 24 * 3600;
  document.cookie = `${name}=${value ?? ""}; Path=/; Max-Age=${age}; SameSite=Strict${secure}`;
}

export function readDocumentCookie(name: string): string | null {
  if (typeof document === "undefined") return null;
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

function retryAfter(response: Response): number | null {
  const value = Number(response.headers.get("Retry-After"));
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : null;
}

function apiError(response: Response, error: unknown): ApiError {
  const body = error && typeof error === "object" ? (error as ApiError) : undefined;
  return new ApiError(response.status, body, retryAfter(response), response.statusText);
}

/** Runs an openapi-fetch call; a network failure becomes ApiError NETWORK_ERROR. */
async function send<T extends { response: Response }>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(0, undefined);
  }
}

export class AuthClient {
  private state: AuthState = { ...SIGNED_OUT, status: "loading" };
  private accessToken: string | null = null;
  private refreshPromise: Promise<boolean> | null = null;
  private startPromise: Promise<void> | null = null;
  private timer: unknown = null;
  /** When GET session/ last answered (epoch ms), to spare a second call right after a restore. */
  private sessionLoadedAt = 0;
  /** Bumped on every sign-in/sign-out, so a refresh that started before is not applied after. */
  private epoch = 0;
  private readonly listeners = new Set<() => void>();

  private readonly rawFetch: FetchLike;
  private readonly readCookie: (name: string) => string | null;
  private readonly writeCookie: (name: string, value: string | null) => void;
  private readonly now: () => number;
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly refreshBeforeMs: number;

  /** Calls that need no access token (sign-in, codes, refresh, sign-out). */
  readonly publicApi;
  /** Calls with `Authorization: Bearer`, refreshed before expiry and retried once after a 401. */
  readonly api;

  constructor(options: AuthClientOptions = {}) {
    this.rawFetch = options.fetch ?? ((request) => globalThis.fetch(request));
    this.readCookie = options.readCookie ?? readDocumentCookie;
    this.writeCookie = options.writeCookie ?? writeDocumentCookie;
    this.now = options.now ?? (() => Date.now());
    this.setTimer = options.setTimer ?? ((callback, ms) => globalThis.setTimeout(callback, ms));
    this.clearTimer =
      options.clearTimer ??
      ((handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>));
    this.refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
    const baseUrl = options.baseUrl ?? "";
    this.publicApi = createClient<paths>({
      baseUrl,
      fetch: (request) => this.rawFetch(request),
      credentials: "include",
    });
    this.api = createClient<paths>({
      baseUrl,
      fetch: (request) => this.authedFetch(request),
      credentials: "include",
    });
  }

  // --- state ----------------------------------------------------------------------------------

  getState(): AuthState {
    return this.state;
  }

  /** The in-memory access token (null when signed out). */
  getAccessToken(): string | null {
    return this.accessToken;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setState(patch: Partial<AuthState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  private setAccessToken(token: string, expiresAt: string): void {
    this.accessToken = token;
    const expiresAtMs = Date.parse(expiresAt);
    this.scheduleRefresh(expiresAtMs);
    this.setState({ accessTokenExpiresAt: expiresAtMs });
  }

  private scheduleRefresh(expiresAtMs: number): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    const lifetime = expiresAtMs - this.now();
    // Refresh `refreshBeforeMs` ahead, or half-way through for very short-lived tokens.
    const delay = Math.max(0, lifetime - Math.min(this.refreshBeforeMs, lifetime / 2));
    this.timer = this.setTimer(() => {
      this.timer = null;
      void this.refresh();
    }, delay);
  }

  private clearLocal(endedBy: AuthState["endedBy"] = null): void {
    const wasSignedIn = this.state.status === "signedIn";
    this.accessToken = null;
    this.sessionLoadedAt = 0;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    // A second failing call after the first one signed this page out keeps the first reason.
    const reason = endedBy ?? (wasSignedIn ? "expired" : this.state.endedBy);
    this.setState({ ...SIGNED_OUT, endedBy: reason });
  }

  private acceptSignedIn(data: SignedInResponse): User {
    this.epoch += 1;
    this.writeCookie(SIGNED_IN_COOKIE, "1");
    this.setAccessToken(data.accessToken, data.accessTokenExpiresAt);
    this.setState({
      status: "signedIn",
      user: data.user,
      sessionId: null,
      session: null,
      endedBy: null,
    });
    return data.user;
  }

  // --- CSRF, refresh, restore -----------------------------------------------------------------

  private csrfHeader(): Record<string, string> {
    return { "X-CSRFToken": this.readCookie(CSRF_COOKIE) ?? "" };
  }

  /** GET csrf/: makes the server set the `csrftoken` cookie. */
  async fetchCsrf(): Promise<void> {
    await send(() => this.publicApi.GET("/api/auth/csrf/"));
  }

  private async ensureCsrf(): Promise<void> {
    if (!this.readCookie(CSRF_COOKIE)) await this.fetchCsrf();
  }

  /**
   * Exchange the refresh cookie for a new access token. Single-flight: callers arriving while a
   * refresh is under way get the same promise. Resolves true when a new token is in memory.
   */
  refresh(): Promise<boolean> {
    if (!this.refreshPromise) {
      this.refreshPromise = this.doRefresh().finally(() => {
        this.refreshPromise = null;
      });
    }
    return this.refreshPromise;
  }

  private async doRefresh(): Promise<boolean> {
    const epoch = this.epoch;
    try {
      await this.ensureCsrf();
      let result = await this.publicApi.POST("/api/auth/refresh/", {
        headers: this.csrfHeader(),
      });
      if (result.response.status === 403) {
        // A missing or rotated CSRF cookie: get a fresh one and try once more.
        await this.fetchCsrf();
        result = await this.publicApi.POST("/api/auth/refresh/", { headers: this.csrfHeader() });
      }
      if (epoch !== this.epoch) return this.accessToken !== null; // signed in/out meanwhile
      if (result.data) {
        this.setAccessToken(result.data.accessToken, result.data.accessTokenExpiresAt);
        return true;
      }
      if (result.response.status === 401 || result.response.status === 403) {
        this.writeCookie(SIGNED_IN_COOKIE, null);
        // The sign-in is over (expired, revoked elsewhere, or reused), also when it ended while
        // the page was closed: the page then says so instead of a bare sign-in form.
        this.clearLocal("expired");
      }
      return false;
    } catch {
      return false; // network failure: keep what we have, the next call will try again
    }
  }

  /**
   * Restore the session on page load (idempotent): GET csrf/, POST refresh/, then GET session/
   * for the user. Ends in status signedIn or signedOut.
   */
  start(): Promise<void> {
    if (!this.startPromise) this.startPromise = this.restore();
    return this.startPromise;
  }

  private async restore(): Promise<void> {
    const epoch = this.epoch;
    if (this.readCookie(SIGNED_IN_COOKIE) !== "1") {
      this.clearLocal(); // nothing to restore: no call that could only answer 401
      return;
    }
    try {
      await this.fetchCsrf();
    } catch {
      // Go on: refresh() fetches the cookie again if it is still missing.
    }
    const ok = await this.refresh();
    if (epoch !== this.epoch) return; // the user signed in while we were restoring
    if (!ok) {
      this.clearLocal();
      return;
    }
    try {
      await this.getSession();
    } catch {
      if (epoch === this.epoch) this.clearLocal();
    }
  }

  // --- authenticated fetch --------------------------------------------------------------------

  private async authedFetch(request: Request): Promise<Response> {
    const retry = request.clone();
    if (this.refreshPromise) {
      await this.refreshPromise;
    } else if (
      this.accessToken &&
      this.state.accessTokenExpiresAt !== null &&
      this.state.accessTokenExpiresAt - this.now() < 5_000
    ) {
      await this.refresh(); // about to expire (e.g. the tab slept through the timer)
    }
    const sentToken = this.accessToken;
    if (sentToken) request.headers.set("Authorization", `Bearer ${sentToken}`);
    const response = await this.rawFetch(request);
    if (response.status !== 401 || sentToken === null) return response;
    // One refresh (shared with any other caller that got a 401), then one retry; then give up.
    const renewed =
      this.accessToken !== null && this.accessToken !== sentToken ? true : await this.refresh();
    if (!renewed || !this.accessToken) return response;
    retry.headers.set("Authorization", `Bearer ${this.accessToken}`);
    return this.rawFetch(retry);
  }

  // --- sign-in, sign-up, sign-out -------------------------------------------------------------

  async signIn(body: SignInRequest): Promise<User> {
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/sign-in/", { body }),
    );
    if (!data) throw apiError(response, error);
    return this.acceptSignedIn(data);
  }

  async signUp(body: SignUpRequest): Promise<User> {
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/sign-up/", { body }),
    );
    if (!data) throw apiError(response, error);
    return this.acceptSignedIn(data);
  }

  async signInWithOtp(body: OtpSignInRequest): Promise<User> {
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/email-otp/sign-in/", { body }),
    );
    if (!data) throw apiError(response, error);
    return this.acceptSignedIn(data);
  }

  /** POST sign-out/ (cookie + CSRF header), then forget everything in memory, even on failure. */
  async signOut(): Promise<void> {
    // Let a refresh under way land first, so the cookie sent is the newest one.
    if (this.refreshPromise) await this.refreshPromise;
    this.epoch += 1;
    try {
      await this.ensureCsrf();
      await this.publicApi.POST("/api/auth/sign-out/", { headers: this.csrfHeader() });
    } catch {
      // Offline: the memory is cleared anyway; the cookie expires on its own.
    } finally {
      this.writeCookie(SIGNED_IN_COOKIE, null);
      this.clearLocal("signOut");
    }
  }

  // --- email codes and passwords --------------------------------------------------------------

  async sendOtp(email: string, type: OtpType): Promise<void> {
    // A step-up code is the signed-in owner's to ask for: the Bearer token goes along.
    const client = type === "reauthentication" ? this.api : this.publicApi;
    const { data, error, response } = await send(() =>
      client.POST("/api/auth/email-otp/send/", { body: { email, type } }),
    );
    if (!data) throw apiError(response, error);
  }

  /**
   * Prove an address with an email-verification code. Signed in, the Bearer token goes along and
   * the account is only marked verified; signed out, the server treats the first proof of the
   * address as a code sign-in and this page is signed in.
   */
  async verifyEmail(email: string, otp: string): Promise<User> {
    const signedIn = this.accessToken !== null;
    const { data, error, response } = await send(() =>
      (signedIn ? this.api : this.publicApi).POST("/api/auth/email-otp/verify-email/", {
        body: { email, otp },
      }),
    );
    if (!data) throw apiError(response, error);
    const { accessToken, accessTokenExpiresAt } = data;
    if (accessToken && accessTokenExpiresAt) {
      return this.acceptSignedIn({ ...data, accessToken, accessTokenExpiresAt });
    }
    if (this.state.user && this.state.user.id === data.user.id) {
      this.setState({ user: data.user });
    }
    return data.user;
  }

  /** POST email-link/send/: mail a link alone (no code) for `type`, under a code's limits. */
  async sendLink(email: string, type: OtpType): Promise<void> {
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/email-link/send/", { body: { email, type } }),
    );
    if (!data) throw apiError(response, error);
  }

  /**
   * POST email-link/verify/: use the one-click link of a mail. Signed in, the Bearer token goes
   * along, so a verification or a step-up applies to this sign-in; an answer that signs in puts
   * its tokens in this client, as a code sign-in does.
   */
  async verifyLink(token: string): Promise<LinkOutcome> {
    const signedIn = this.accessToken !== null;
    const { data, error, response } = await send(() =>
      (signedIn ? this.api : this.publicApi).POST("/api/auth/email-link/verify/", {
        body: { token },
      }),
    );
    if (!data) throw apiError(response, error);
    const { user, accessToken, accessTokenExpiresAt, resetToken } = data;
    if (user && accessToken && accessTokenExpiresAt) {
      const signedInAs = this.acceptSignedIn({ ...data, user, accessToken, accessTokenExpiresAt });
      return { outcome: "signedIn", user: signedInAs };
    }
    if (user) {
      if (this.state.user && this.state.user.id === user.id) this.setState({ user });
      return { outcome: "verified", user };
    }
    if (resetToken) return { outcome: "resetToken", resetToken };
    // An email change or its undo ends every sign-in of the account: when this page was signed
    // in, GET session/ tells whether its own sign-in is still there (if not, it is signed out).
    if (signedIn) await this.loadSession().catch(() => undefined);
    return { outcome: "done" };
  }

  /** Check a code without using it (a forget-password code is traded: see checkResetCode). */
  async checkOtp(email: string, type: OtpType, otp: string): Promise<void> {
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/email-otp/check/", { body: { email, otp, type } }),
    );
    if (!data) throw apiError(response, error);
  }

  /** Trade a forget-password code for a single-use reset token. */
  async checkResetCode(email: string, otp: string): Promise<string> {
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/email-otp/check/", {
        body: { email, otp, type: "forget-password" },
      }),
    );
    if (!data) throw apiError(response, error);
    if (!data.resetToken) throw new ApiError(response.status, { code: "INVALID_OTP" });
    return data.resetToken;
  }

  async resetPassword(resetToken: string, password: string): Promise<void> {
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/password/reset/", { body: { resetToken, password } }),
    );
    if (!data) throw apiError(response, error);
  }

  // --- calls with the access token ------------------------------------------------------------

  /** GET session/: the user fresh from the database (role, verification) and this sign-in. */
  async getSession(): Promise<User> {
    return (await this.loadSession()).user;
  }

  /** GET session/, the whole answer: `{user, session}`. */
  async loadSession(): Promise<{ user: User; session: SessionInfo }> {
    const epoch = this.epoch;
    const { data, error, response } = await send(() => this.api.GET("/api/auth/session/"));
    if (!data) throw apiError(response, error);
    if (epoch === this.epoch || this.state.user?.id === data.user.id) {
      this.sessionLoadedAt = this.now();
      this.setState({
        status: "signedIn",
        user: data.user,
        sessionId: data.session.id,
        session: data.session,
        endedBy: null,
      });
    }
    return data;
  }

  /** The user as GET session/ last gave it, if that was under `maxAgeMs` ago; else a new GET. */
  async loadUser(maxAgeMs: number): Promise<User> {
    const { user, sessionId } = this.state;
    if (user && sessionId && this.now() - this.sessionLoadedAt < maxAgeMs) return user;
    return this.getSession();
  }

  async changePassword(
    currentPassword: string,
    newPassword: string,
    revokeOtherSessions = true,
  ): Promise<User> {
    const { data, error, response } = await send(() =>
      this.api.POST("/api/auth/password/change/", {
        body: { currentPassword, newPassword, revokeOtherSessions },
      }),
    );
    if (!data) throw apiError(response, error);
    this.setState({ user: data.user });
    return data.user;
  }

  async listSessions(): Promise<SignInListItem[]> {
    const { data, error, response } = await send(() => this.api.GET("/api/auth/sessions/"));
    if (!data) throw apiError(response, error);
    return data;
  }

  async revokeSession(id: string): Promise<void> {
    const { error, response } = await send(() =>
      this.api.DELETE("/api/auth/sessions/{id}/", { params: { path: { id } } }),
    );
    if (!response.ok) throw apiError(response, error);
  }

  /** GET devices/: the user's trusted devices, most recently used first. */
  async listDevices(): Promise<TrustedDevice[]> {
    const { data, error, response } = await send(() => this.api.GET("/api/auth/devices/"));
    if (!data) throw apiError(response, error);
    return data;
  }

  /** DELETE devices/{id}/: that device's trust ends (its sign-ins go on). */
  async revokeDevice(id: string): Promise<void> {
    const { error, response } = await send(() =>
      this.api.DELETE("/api/auth/devices/{id}/", { params: { path: { id } } }),
    );
    if (!response.ok) throw apiError(response, error);
  }

  // --- account self-service -------------------------------------------------------------------

  async updateProfile(body: ProfileUpdate): Promise<User> {
    const { data, error, response } = await send(() => this.api.PATCH("/api/auth/user/", { body }));
    if (!data) throw apiError(response, error);
    this.setState({ user: data.user });
    return data.user;
  }

  /** Prove it is you again (step-up): the new access token carries a fresh authTime. */
  async reauthenticate(proof: Reauthentication): Promise<User> {
    const { data, error, response } = await send(() =>
      this.api.POST("/api/auth/reauthenticate/", { body: proof }),
    );
    if (!data) throw apiError(response, error);
    return this.acceptSignedIn(data);
  }

  async requestEmailChange(newEmail: string): Promise<void> {
    const { data, error, response } = await send(() =>
      this.api.POST("/api/auth/email/change/", { body: { newEmail } }),
    );
    if (!data) throw apiError(response, error);
  }

  async confirmEmailChange(newEmail: string, otp: string): Promise<User> {
    const { data, error, response } = await send(() =>
      this.api.POST("/api/auth/email/change/confirm/", { body: { newEmail, otp } }),
    );
    if (!data) throw apiError(response, error);
    return this.acceptSignedIn(data);
  }

  async revokeOtherSessions(): Promise<void> {
    const { error, response } = await send(() =>
      this.api.POST("/api/auth/sessions/revoke-others/"),
    );
    if (!response.ok) throw apiError(response, error);
  }

  /** POST sessions/revoke-all/: every sign-in of the user ends, this page's too. */
  async revokeAllSessions(): Promise<void> {
    const { error, response } = await send(() => this.api.POST("/api/auth/sessions/revoke-all/"));
    if (!response.ok) throw apiError(response, error);
    this.epoch += 1;
    this.writeCookie(SIGNED_IN_COOKIE, null);
    this.clearLocal("signOut");
  }

  async securityEvents(page = 1): Promise<{ count: number; results: SecurityEvent[] }> {
    const { data, error, response } = await send(() =>
      this.api.GET("/api/auth/security-events/", { params: { query: { page } } }),
    );
    if (!data) throw apiError(response, error);
    return data;
  }

  /** DELETE user/: the account and everything of it; this page ends signed out ("deleted"). */
  async deleteAccount(): Promise<void> {
    const { error, response } = await send(() => this.api.DELETE("/api/auth/user/"));
    if (!response.ok) throw apiError(response, error);
    this.epoch += 1;
    this.writeCookie(SIGNED_IN_COOKIE, null);
    this.clearLocal("deleted");
  }
}
