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
 * - Outside a browser (no `document`) it uses the body transport instead of cookies: every
 *   request says `X-Refresh-Token-Transport: body`, the refresh token and the device token are
 *   kept in a `TokenStore` (in memory unless the app passes one), a code's flow token, a pending
 *   sign-in's `twoFactorToken` and a passkey challenge's `challengeToken` in memory, and each goes
 *   back in the body of the calls that read it; no cookie, no CSRF token.
 * - A sign-in path may answer `{twoFactorRedirect, twoFactorMethods}` instead of tokens (the
 *   account has a second factor): the pending sign-in is the browser's httpOnly cookie, or the
 *   `twoFactorToken` kept here, answered by verifyTotp / verifyBackupCode / verifyPasskey.
 * - Passkeys: the server's JSON options go to `navigator.credentials` (webauthn.ts); one passkey
 *   request at a time, a new one aborts the one waiting (an autofill request, typically).
 *
 * Every HTTP call goes through openapi-fetch clients typed by the generated `schema.d.ts`.
 */
import createClient from "openapi-fetch";
import { ApiError } from "./errors.js";
import type { components, paths } from "./schema.js";
import {
  autofillAvailable,
  ceremonyError,
  credentialJSON,
  creationOptions,
  passkeyError,
  requestOptions,
} from "./webauthn.js";
import type {
  CreationOptionsJSON,
  CredentialJSON,
  CredentialsContainerLike,
  RequestOptionsJSON,
} from "./webauthn.js";

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
export type Passkey = components["schemas"]["Passkey"];
export type TwoFactorMethod = components["schemas"]["TwoFactorMethodsEnum"];
/**
 * Step-up proofs: the password, an emailed `reauthentication` code (`otp`), a code of the
 * authenticator app (`code`), or a passkey of the account (`passkey: true`: this client runs
 * navigator.credentials.get()).
 */
export type Reauthentication =
  { password: string } | { otp: string } | { code: string } | { passkey: true };
type SignedInResponse = components["schemas"]["SignedInResponse"];
/** GET session/'s answer: the user fresh from the database and the current sign-in. */
export interface SessionData {
  user: User;
  session: SessionInfo;
}

/**
 * What a sign-in path answers when the account asks for a second step (better-auth's
 * `twoFactorRedirect`): no token yet; answer with verifyTotp, verifyBackupCode or verifyPasskey.
 */
export interface TwoFactorRedirect {
  twoFactorRedirect: true;
  /** What the account can answer with: `totp`, `backup-code`, `passkey`. */
  twoFactorMethods: TwoFactorMethod[];
}

/** A sign-in's outcome: signed in as this user, or a second step to answer first. */
export type SignInResult = User | TwoFactorRedirect;

export function isTwoFactorRedirect(value: object): value is TwoFactorRedirect {
  return (value as Partial<TwoFactorRedirect>).twoFactorRedirect === true;
}

/** How the refresh token (and the device, flow, pending sign-in and challenge tokens) travel. */
export type Transport = "cookie" | "body";

/** Body transport: where the long-lived tokens are kept (in memory by default). */
export interface TokenStore {
  get(name: StoredToken): string | null | Promise<string | null>;
  set(name: StoredToken, value: string | null): void | Promise<void>;
}
export type StoredToken = "refreshToken" | "deviceToken";
/** Tokens a browser holds as httpOnly cookies, sent in bodies by body-transport clients. */
type HeldToken = StoredToken | "flowToken" | "twoFactorToken";

export function memoryTokenStore(): TokenStore {
  const values = new Map<StoredToken, string>();
  return {
    get: (name) => values.get(name) ?? null,
    set: (name, value) => void (value === null ? values.delete(name) : values.set(name, value)),
  };
}

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
  | { outcome: "done" }
  | { outcome: "twoFactorRedirect"; twoFactorMethods: TwoFactorMethod[] };

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
  /**
   * "cookie" (default in a browser): the refresh token is an httpOnly cookie. "body" (default
   * elsewhere): tokens travel in JSON bodies and are kept by this client (see `tokenStore`).
   */
  transport?: Transport;
  /** Body transport: where the refresh and device tokens are kept (default: in memory). */
  tokenStore?: TokenStore;
  /** What runs the passkey dialogs (default: `navigator.credentials`). */
  credentials?: CredentialsContainerLike;
}

/** The header by which a non-browser client asks for the body transport. */
export const BODY_TRANSPORT_HEADER = "X-Refresh-Token-Transport";

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

/** setTimeout whose pending refresh keeps no Node process alive: a script ends with its work. */
function unrefTimer(callback: () => void, ms: number): unknown {
  const handle = globalThis.setTimeout(callback, ms);
  (handle as { unref?: () => void }).unref?.(); // Node's timers have unref(); a browser's are numbers
  return handle;
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
  private startPromise: Promise<SessionData | null> | null = null;
  /** The restore has settled: a later call asks the server itself. */
  private restoreSettled = false;
  private timer: unknown = null;
  /** When GET session/ last answered (epoch ms), to spare a second call right after a restore. */
  private sessionLoadedAt = 0;
  /** Bumped on every sign-in/sign-out, so a refresh that started before is not applied after. */
  private epoch = 0;
  private readonly listeners = new Set<() => void>();
  /** Body transport: the flow of the last code asked for, and the pending sign-in's token. */
  private flowToken: string | null = null;
  private twoFactorToken: string | null = null;
  /** A sign-in answered twoFactorRedirect and its second step is not answered yet. */
  private secondStepPending = false;
  /** The passkey request under way (navigator.credentials allows one at a time). */
  private ceremony: AbortController | null = null;

  private readonly rawFetch: FetchLike;
  readonly transport: Transport;
  private readonly store: TokenStore;
  private readonly credentialsOption: CredentialsContainerLike | undefined;
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
    this.transport = options.transport ?? (typeof document === "undefined" ? "body" : "cookie");
    this.store = options.tokenStore ?? memoryTokenStore();
    this.credentialsOption = options.credentials;
    const fetch = options.fetch ?? ((request) => globalThis.fetch(request));
    this.rawFetch =
      this.transport === "body"
        ? (request) => {
            request.headers.set(BODY_TRANSPORT_HEADER, "body");
            return fetch(request);
          }
        : fetch;
    this.readCookie = options.readCookie ?? readDocumentCookie;
    this.writeCookie = options.writeCookie ?? writeDocumentCookie;
    this.now = options.now ?? (() => Date.now());
    this.setTimer = options.setTimer ?? unrefTimer;
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
    this.secondStepPending = false;
    this.twoFactorToken = null;
    if (this.transport === "cookie") this.writeCookie(SIGNED_IN_COOKIE, "1");
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

  /** A sign-in path's answer: its tokens become this client's, or a second step is pending. */
  private async signedInOrRedirect(
    data: SignedInResponse | components["schemas"]["TwoFactorRedirect"],
  ): Promise<SignInResult> {
    await this.keep(data);
    if ("twoFactorRedirect" in data) return this.redirected(data.twoFactorMethods);
    return this.acceptSignedIn(data);
  }

  private redirected(twoFactorMethods: TwoFactorMethod[]): TwoFactorRedirect {
    this.secondStepPending = true;
    return { twoFactorRedirect: true, twoFactorMethods };
  }

  /** The sign-in of this client is over: the next page load has nothing to restore. */
  private async forgetSignIn(): Promise<void> {
    this.secondStepPending = false;
    this.twoFactorToken = null;
    if (this.transport === "cookie") this.writeCookie(SIGNED_IN_COOKIE, null);
    else await this.store.set("refreshToken", null);
  }

  // --- body transport -------------------------------------------------------------------------

  /** Body transport: `names`' tokens this client holds, for a request body ({} with cookies). */
  private async held<K extends HeldToken>(...names: K[]): Promise<Partial<Record<K, string>>> {
    const out: Partial<Record<K, string>> = {};
    if (this.transport !== "body") return out;
    for (const name of names) {
      const value =
        name === "flowToken"
          ? this.flowToken
          : name === "twoFactorToken"
            ? this.twoFactorToken
            : await this.store.get(name as StoredToken);
      if (value) out[name] = value;
    }
    return out;
  }

  /** Body transport: keep the tokens an answer carries (a browser gets them as cookies). */
  private async keep(data: object): Promise<void> {
    if (this.transport !== "body") return;
    const { refreshToken, deviceToken, flowToken, twoFactorToken } = data as Partial<
      Record<HeldToken, unknown>
    >;
    if (typeof refreshToken === "string") await this.store.set("refreshToken", refreshToken);
    if (typeof deviceToken === "string") await this.store.set("deviceToken", deviceToken);
    if (typeof flowToken === "string") this.flowToken = flowToken;
    if (typeof twoFactorToken === "string") this.twoFactorToken = twoFactorToken;
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
    if (this.transport === "body") return this.refreshInBody();
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

  /** Body transport: POST refresh/ {refreshToken}; the next refresh token replaces it. */
  private async refreshInBody(): Promise<boolean> {
    const epoch = this.epoch;
    try {
      const refreshToken = await this.store.get("refreshToken");
      const result = refreshToken
        ? await this.publicApi.POST("/api/auth/refresh/", { body: { refreshToken } })
        : null;
      if (epoch !== this.epoch) return this.accessToken !== null;
      if (result?.data) {
        await this.keep(result.data);
        this.setAccessToken(result.data.accessToken, result.data.accessTokenExpiresAt);
        return true;
      }
      if (result === null) {
        if (this.accessToken !== null) this.clearLocal("expired"); // the store lost it
      } else if (result.response.status === 401 || result.response.status === 403) {
        await this.store.set("refreshToken", null);
        this.clearLocal("expired");
      }
      return false;
    } catch {
      return false;
    }
  }

  /**
   * Restore the session on page load (idempotent): GET csrf/, POST refresh/, then GET session/
   * for the user. Ends in status signedIn or signedOut.
   */
  async start(): Promise<void> {
    await this.restoreOnce();
  }

  /**
   * The current sign-in, or null when signed out; the first call of a page restores it first.
   * A call that waited for the restore gets the restore's own GET session/ answer (one call, not
   * two); a later call asks the server.
   */
  async currentSession(): Promise<SessionData | null> {
    const waited = !this.restoreSettled;
    const restored = await this.restoreOnce();
    const { status, user, session } = this.state;
    if (status !== "signedIn") return null;
    if (waited && restored && user && session?.id === restored.session.id) return { user, session };
    return this.loadSession();
  }

  private restoreOnce(): Promise<SessionData | null> {
    if (!this.startPromise) {
      this.startPromise = this.restore().finally(() => {
        this.restoreSettled = true;
      });
    }
    return this.startPromise;
  }

  /** The restore; resolves to the session it loaded (null when it loaded none). */
  private async restore(): Promise<SessionData | null> {
    // Signed in by this client before anything asked for a restore (a script's sign-up, say):
    // there is nothing to restore, and a refresh now would only rotate the new refresh token.
    if (this.state.status === "signedIn") return null;
    const epoch = this.epoch;
    // In a browser the hint is read at once, so a signed-out page is never seen loading.
    const mayHold =
      this.transport === "cookie"
        ? this.readCookie(SIGNED_IN_COOKIE) === "1"
        : await this.refreshTokenStored();
    if (!mayHold) {
      this.clearLocal(); // nothing to restore: no call that could only answer 401
      return null;
    }
    if (this.transport === "cookie") {
      try {
        await this.fetchCsrf();
      } catch {
        // Go on: refresh() fetches the cookie again if it is still missing.
      }
    }
    const ok = await this.refresh();
    if (epoch !== this.epoch) return null; // the user signed in while we were restoring
    if (!ok) {
      this.clearLocal();
      return null;
    }
    try {
      return await this.loadSession();
    } catch {
      if (epoch === this.epoch) this.clearLocal();
      return null;
    }
  }

  private async refreshTokenStored(): Promise<boolean> {
    try {
      return Boolean(await this.store.get("refreshToken"));
    } catch {
      return false; // an app's store that fails to answer: nothing to restore
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

  /** POST sign-in/: signed in, or a second step to answer (the account has a second factor). */
  async signIn(body: SignInRequest): Promise<SignInResult> {
    const sent = { ...body, ...(await this.held("deviceToken")) };
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/sign-in/", { body: sent }),
    );
    if (!data) throw apiError(response, error);
    return this.signedInOrRedirect(data);
  }

  async signUp(body: SignUpRequest): Promise<User> {
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/sign-up/", { body }),
    );
    if (!data) throw apiError(response, error);
    await this.keep(data);
    return this.acceptSignedIn(data);
  }

  async signInWithOtp(body: OtpSignInRequest): Promise<SignInResult> {
    const sent = { ...body, ...(await this.held("flowToken", "deviceToken")) };
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/email-otp/sign-in/", { body: sent }),
    );
    if (!data) throw apiError(response, error);
    return this.signedInOrRedirect(data);
  }

  /**
   * POST sign-out/ (the cookie with the CSRF header, or the refresh token in the body), then
   * forget everything in memory, even on failure.
   */
  async signOut(): Promise<void> {
    // Let a refresh under way land first, so the token sent is the newest one.
    if (this.refreshPromise) await this.refreshPromise;
    this.epoch += 1;
    try {
      if (this.transport === "body") {
        const refreshToken = await this.store.get("refreshToken");
        if (refreshToken) {
          await this.publicApi.POST("/api/auth/sign-out/", { body: { refreshToken } });
        }
      } else {
        await this.ensureCsrf();
        await this.publicApi.POST("/api/auth/sign-out/", { headers: this.csrfHeader() });
      }
    } catch {
      // Offline: the memory is cleared anyway; the cookie expires on its own.
    } finally {
      await this.forgetSignIn().catch(() => undefined);
      this.clearLocal("signOut");
    }
  }

  // --- email codes and passwords --------------------------------------------------------------

  async sendOtp(email: string, type: OtpType): Promise<void> {
    // A step-up code is the signed-in owner's to ask for: the Bearer token goes along.
    const client = type === "reauthentication" ? this.api : this.publicApi;
    const sent = { email, type, ...(await this.held("flowToken", "deviceToken")) };
    const { data, error, response } = await send(() =>
      client.POST("/api/auth/email-otp/send/", { body: sent }),
    );
    if (!data) throw apiError(response, error);
    await this.keep(data);
  }

  /**
   * Prove an address with an email-verification code. Signed in, the Bearer token goes along and
   * the account is only marked verified; signed out, the server treats the first proof of the
   * address as a code sign-in and this page is signed in (or asked for a second step).
   */
  async verifyEmail(email: string, otp: string): Promise<SignInResult> {
    const signedIn = this.accessToken !== null;
    const sent = { email, otp, ...(await this.held("flowToken", "deviceToken")) };
    const { data, error, response } = await send(() =>
      (signedIn ? this.api : this.publicApi).POST("/api/auth/email-otp/verify-email/", {
        body: sent,
      }),
    );
    if (!data) throw apiError(response, error);
    await this.keep(data);
    if ("twoFactorRedirect" in data) return this.redirected(data.twoFactorMethods);
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
    const sent = { email, type, ...(await this.held("flowToken", "deviceToken")) };
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/email-link/send/", { body: sent }),
    );
    if (!data) throw apiError(response, error);
    await this.keep(data);
  }

  /**
   * POST email-link/verify/: use the one-click link of a mail. Signed in, the Bearer token goes
   * along, so a verification or a step-up applies to this sign-in; an answer that signs in puts
   * its tokens in this client, as a code sign-in does.
   */
  async verifyLink(token: string): Promise<LinkOutcome> {
    const signedIn = this.accessToken !== null;
    const sent = { token, ...(await this.held("deviceToken")) };
    const { data, error, response } = await send(() =>
      (signedIn ? this.api : this.publicApi).POST("/api/auth/email-link/verify/", {
        body: sent,
      }),
    );
    if (!data) throw apiError(response, error);
    await this.keep(data);
    if (data.twoFactorRedirect && data.twoFactorMethods) {
      this.redirected(data.twoFactorMethods);
      return { outcome: "twoFactorRedirect", twoFactorMethods: data.twoFactorMethods };
    }
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
    const sent = { email, otp, type, ...(await this.held("flowToken", "deviceToken")) };
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/email-otp/check/", { body: sent }),
    );
    if (!data) throw apiError(response, error);
  }

  /** Trade a forget-password code for a single-use reset token. */
  async checkResetCode(email: string, otp: string): Promise<string> {
    const held = await this.held("flowToken", "deviceToken");
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/email-otp/check/", {
        body: { email, otp, type: "forget-password", ...held },
      }),
    );
    if (!data) throw apiError(response, error);
    if (!data.resetToken) throw new ApiError(response.status, { code: "INVALID_OTP" });
    return data.resetToken;
  }

  async resetPassword(resetToken: string, password: string): Promise<void> {
    const sent = { resetToken, password, ...(await this.held("deviceToken")) };
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/password/reset/", { body: sent }),
    );
    if (!data) throw apiError(response, error);
  }

  // --- calls with the access token ------------------------------------------------------------

  /** GET session/: the user fresh from the database (role, verification) and this sign-in. */
  async getSession(): Promise<User> {
    return (await this.loadSession()).user;
  }

  /** GET session/, the whole answer: `{user, session}`. */
  async loadSession(): Promise<SessionData> {
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

  /**
   * Prove it is you again (step-up): the new access token carries a fresh authTime. With
   * `{passkey: true}` this client runs the passkey dialog first.
   */
  async reauthenticate(proof: Reauthentication): Promise<User> {
    const body =
      "passkey" in proof
        ? await this.passkeyAssertion({ conditional: false })
        : { ...proof, ...(await this.held("flowToken")) };
    const sent = { ...body, ...(await this.held("deviceToken")) };
    const { data, error, response } = await send(() =>
      this.api.POST("/api/auth/reauthenticate/", { body: sent }),
    );
    if (!data) throw apiError(response, error);
    await this.keep(data);
    return this.acceptSignedIn(data);
  }

  async requestEmailChange(newEmail: string): Promise<void> {
    const sent = { newEmail, ...(await this.held("flowToken")) };
    const { data, error, response } = await send(() =>
      this.api.POST("/api/auth/email/change/", { body: sent }),
    );
    if (!data) throw apiError(response, error);
    await this.keep(data);
  }

  async confirmEmailChange(newEmail: string, otp: string): Promise<User> {
    const sent = { newEmail, otp, ...(await this.held("flowToken")) };
    const { data, error, response } = await send(() =>
      this.api.POST("/api/auth/email/change/confirm/", { body: sent }),
    );
    if (!data) throw apiError(response, error);
    await this.keep(data);
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
    await this.forgetSignIn();
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
    await this.forgetSignIn();
    this.clearLocal("deleted");
  }
  // --- second factors ---------------------------------------------------------------------------

  /**
   * POST two-factor/enable/ (fresh sign-in, verified address; `password` when the account has
   * one): the authenticator's URI and 10 recovery codes. Two-factor is on once verifyTotp
   * accepts a first code.
   */
  async enableTwoFactor(password?: string): Promise<{ totpURI: string; backupCodes: string[] }> {
    const { data, error, response } = await send(() =>
      this.api.POST("/api/auth/two-factor/enable/", {
        body: password === undefined ? {} : { password },
      }),
    );
    if (!data) throw apiError(response, error);
    return data;
  }

  /**
   * POST two-factor/verify-totp/: the pending sign-in's second step when a sign-in of this client
   * answered twoFactorRedirect (or it is signed out); otherwise, signed in, the first code of a
   * new authenticator (enrolment: two-factor is on).
   */
  async verifyTotp(code: string, trustDevice = false): Promise<User> {
    if (!this.secondStepPending && this.accessToken !== null) {
      const { data, error, response } = await send(() =>
        this.api.POST("/api/auth/two-factor/verify-totp/", { body: { code } }),
      );
      if (!data) throw apiError(response, error);
      this.setState({ user: data.user });
      return data.user;
    }
    const sent = { code, trustDevice, ...(await this.held("twoFactorToken", "deviceToken")) };
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/two-factor/verify-totp/", { body: sent }),
    );
    if (!data) throw this.secondStepFailed(apiError(response, error));
    return this.secondStepPassed(data);
  }

  /** POST two-factor/verify-backup-code/: a recovery code answers the pending sign-in. */
  async verifyBackupCode(code: string, trustDevice = false): Promise<User> {
    const sent = { code, trustDevice, ...(await this.held("twoFactorToken", "deviceToken")) };
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/two-factor/verify-backup-code/", { body: sent }),
    );
    if (!data) throw this.secondStepFailed(apiError(response, error));
    return this.secondStepPassed(data);
  }

  /** A passkey of the account answers the pending sign-in (this client runs the dialog). */
  async verifyPasskey(trustDevice = false): Promise<User> {
    const assertion = await this.passkeyAssertion({ conditional: false });
    const held = await this.held("twoFactorToken", "deviceToken");
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/two-factor/verify-passkey/", {
        body: { ...assertion, trustDevice, ...held },
      }),
    );
    if (!data) throw this.secondStepFailed(apiError(response, error));
    return this.secondStepPassed(data);
  }

  /** A pending sign-in that is over (expired, or answered too often) is forgotten here too. */
  private secondStepFailed(error: ApiError): ApiError {
    if (error.code === "TWO_FACTOR_SIGN_IN_EXPIRED") {
      this.secondStepPending = false;
      this.twoFactorToken = null;
    }
    return error;
  }

  private async secondStepPassed(data: {
    user: User;
    accessToken?: string;
    accessTokenExpiresAt?: string;
  }): Promise<User> {
    await this.keep(data);
    const { accessToken, accessTokenExpiresAt } = data;
    if (!accessToken || !accessTokenExpiresAt) return data.user;
    return this.acceptSignedIn({ ...data, accessToken, accessTokenExpiresAt });
  }

  /** POST two-factor/generate-backup-codes/ (fresh sign-in): 10 new codes, the old ones dead. */
  async generateBackupCodes(): Promise<string[]> {
    const { data, error, response } = await send(() =>
      this.api.POST("/api/auth/two-factor/generate-backup-codes/"),
    );
    if (!data) throw apiError(response, error);
    return data.backupCodes;
  }

  /** POST two-factor/disable/ (fresh sign-in; `password` when the account has one). */
  async disableTwoFactor(password?: string): Promise<User> {
    const { data, error, response } = await send(() =>
      this.api.POST("/api/auth/two-factor/disable/", {
        body: password === undefined ? {} : { password },
      }),
    );
    if (!data) throw apiError(response, error);
    this.setState({ user: data.user });
    return data.user;
  }

  // --- passkeys -------------------------------------------------------------------------------

  /**
   * A new passkey of the signed-in user (fresh sign-in, verified address): options from the
   * server, navigator.credentials.create(), then the credential to passkey/register/.
   */
  async addPasskey(name?: string): Promise<Passkey> {
    const signal = this.newCeremony();
    const options = await send(() => this.api.POST("/api/auth/passkey/registration-options/"));
    if (!options.data) throw apiError(options.response, options.error);
    const publicKey = creationOptions(options.data as unknown as CreationOptionsJSON);
    const credential = await this.runCeremony("create", signal, (container) =>
      container.create({ publicKey, signal }),
    );
    const body = name === undefined ? { credential } : { credential, name };
    const { data, error, response } = await send(() =>
      this.api.POST("/api/auth/passkey/register/", { body }),
    );
    if (!data) throw apiError(response, error);
    return data.passkey;
  }

  /** GET passkeys/: the user's passkeys, newest first. */
  async listPasskeys(): Promise<Passkey[]> {
    const { data, error, response } = await send(() => this.api.GET("/api/auth/passkeys/"));
    if (!data) throw apiError(response, error);
    return data;
  }

  async renamePasskey(id: string, name: string): Promise<Passkey> {
    const { data, error, response } = await send(() =>
      this.api.PATCH("/api/auth/passkeys/{id}/", { params: { path: { id } }, body: { name } }),
    );
    if (!data) throw apiError(response, error);
    return data.passkey;
  }

  /** DELETE passkeys/{id}/ (fresh sign-in). */
  async deletePasskey(id: string): Promise<void> {
    const { error, response } = await send(() =>
      this.api.DELETE("/api/auth/passkeys/{id}/", { params: { path: { id } } }),
    );
    if (!response.ok) throw apiError(response, error);
  }

  /**
   * Sign in with a passkey alone (multi-factor by itself). `autoFill`: a conditional request,
   * answered when the user picks a passkey in a field's autofill (`autocomplete="username
   * webauthn"`); it waits until then, and a later passkey call aborts it.
   */
  async signInWithPasskey(
    options: { autoFill?: boolean; rememberMe?: boolean } = {},
  ): Promise<SignInResult> {
    const assertion = await this.passkeyAssertion({ conditional: options.autoFill === true });
    const sent = {
      ...assertion,
      ...(options.rememberMe === undefined ? {} : { rememberMe: options.rememberMe }),
      ...(await this.held("deviceToken")),
    };
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/passkey/sign-in/", { body: sent }),
    );
    if (!data) throw apiError(response, error);
    return this.signedInOrRedirect(data);
  }

  /** Ends the passkey request under way, if any (it fails with ERROR_CEREMONY_ABORTED). */
  cancelPasskeyRequest(): void {
    this.ceremony?.abort(new DOMException("The passkey request was cancelled.", "AbortError"));
    this.ceremony = null;
  }

  /**
   * Options from passkey/authentication-options/ (the challenge bound to this client: a cookie,
   * or the `challengeToken` returned here for the call that sends the credential), then
   * navigator.credentials.get().
   */
  private async passkeyAssertion({
    conditional,
  }: {
    conditional: boolean;
  }): Promise<{ credential: CredentialJSON; challengeToken?: string }> {
    const signal = this.newCeremony();
    if (conditional && !(await autofillAvailable())) throw passkeyError("PASSKEY_NOT_SUPPORTED");
    const { data, error, response } = await send(() =>
      this.publicApi.POST("/api/auth/passkey/authentication-options/", { body: {} }),
    );
    if (!data) throw apiError(response, error);
    const { challengeToken, ...json } = data;
    const publicKey = requestOptions(json as unknown as RequestOptionsJSON);
    if (conditional) publicKey.allowCredentials = []; // autofill offers every passkey of the site
    const request: CredentialRequestOptions = conditional
      ? { publicKey, signal, mediation: "conditional" }
      : { publicKey, signal };
    const credential = await this.runCeremony("get", signal, (container) => container.get(request));
    return challengeToken ? { credential, challengeToken } : { credential };
  }

  /** A new passkey request: the one waiting (an autofill request, typically) is aborted. */
  private newCeremony(): AbortSignal {
    this.cancelPasskeyRequest();
    const controller = new AbortController();
    this.ceremony = controller;
    return controller.signal;
  }

  /** Runs `ceremony` on navigator.credentials; its outcome as a credential's JSON or an error. */
  private async runCeremony(
    kind: "create" | "get",
    signal: AbortSignal,
    ceremony: (container: CredentialsContainerLike) => Promise<Credential | null>,
  ): Promise<CredentialJSON> {
    const container = this.credentialsOption ?? globalThis.navigator?.credentials;
    if (signal.aborted) throw passkeyError("ERROR_CEREMONY_ABORTED");
    if (!container || typeof container[kind] !== "function") {
      throw passkeyError("PASSKEY_NOT_SUPPORTED");
    }
    let credential: Credential | null;
    try {
      credential = await ceremony(container);
    } catch (caught) {
      if (signal.aborted) throw passkeyError("ERROR_CEREMONY_ABORTED");
      throw ceremonyError(kind, caught);
    } finally {
      if (this.ceremony?.signal === signal) this.ceremony = null;
    }
    if (!credential) throw ceremonyError(kind, null);
    return credentialJSON(credential);
  }
}
