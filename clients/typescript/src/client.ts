/**
 * `createAuthClient({baseURL})`: better-auth's client call surface over this API, so screens
 * written against better-auth keep their calls. Every method resolves to `{data, error}` (never
 * throws for an API error) with `error = {code, message, status, ...}`, and takes better-auth's
 * argument names plus an optional second argument `{onRequest, onSuccess, onError}`.
 *
 * Where this API differs (access token in memory, refresh token in an httpOnly cookie, codes bound
 * to the browser that asked for them) see docs/migrating-from-better-auth.md.
 */
import { AuthClient } from "./core";
import type {
  AuthClientOptions,
  LinkOutcome,
  OtpType,
  Reauthentication,
  Role,
  SecurityEvent,
  SessionInfo,
  SignInListItem,
  TrustedDevice,
  User,
} from "./core";
import { toAuthClientError } from "./errors";
import type { AuthClientError } from "./errors";

export type Result<T> = { data: T; error: null } | { data: null; error: AuthClientError };

/** better-auth's fetch options, the part that does not depend on its fetch library. */
export interface FetchOptions<T> {
  onRequest?: () => void;
  onSuccess?: (context: { data: T }) => unknown;
  onError?: (context: { error: AuthClientError }) => unknown;
}

/** Arguments may carry `fetchOptions` inside them, as in better-auth. */
type WithFetchOptions<A, T> = A & { fetchOptions?: FetchOptions<T> };

export interface CreateAuthClientOptions extends Omit<AuthClientOptions, "baseUrl"> {
  /** Origin of the API ("" or unset: the page's own origin). better-auth's name. */
  baseURL?: string;
}

export interface SessionData {
  user: User;
  session: SessionInfo;
}

/** A sign-in of this user, as listSessions() gives it; `token` is its id (not a secret). */
export type SessionListItem = SignInListItem & { token: string };

/**
 * What `magicLink.verify` gives: the link's outcome (see `LinkOutcome`); a sign-in also carries
 * better-auth's `token` (the access token).
 */
export type MagicLinkData =
  | (Extract<LinkOutcome, { outcome: "signedIn" }> & { token: string })
  | Exclude<LinkOutcome, { outcome: "signedIn" }>;

/** The link's token: `{token}`, or better-auth's `{query: {token}}`. */
type MagicLinkToken = { token: string } | { query: { token: string; callbackURL?: string } };

async function call<T>(run: () => Promise<T>, options?: FetchOptions<T>): Promise<Result<T>> {
  options?.onRequest?.();
  let data: T;
  try {
    data = await run();
  } catch (caught) {
    const error = toAuthClientError(caught);
    await options?.onError?.({ error });
    return { data: null, error };
  }
  await options?.onSuccess?.({ data });
  return { data, error: null };
}

function split<A extends object, T>(
  input: WithFetchOptions<A, T>,
  options?: FetchOptions<T>,
): [A, FetchOptions<T> | undefined] {
  const { fetchOptions, ...rest } = input;
  return [rest as A, options ?? fetchOptions];
}

export function createAuthClient(options: CreateAuthClientOptions = {}) {
  const { baseURL, ...rest } = options;
  const core = new AuthClient({ ...rest, baseUrl: baseURL ?? "" });
  /** Reset tokens traded for forget-password codes by checkVerificationOtp, for resetPassword. */
  const resetTokens = new Map<string, string>();
  const resetKey = (email: string, otp: string) => `${email.trim().toLowerCase()}\n${otp}`;

  async function resetTokenFor(email: string, otp: string): Promise<string> {
    const key = resetKey(email, otp);
    const known = resetTokens.get(key);
    if (known) return known;
    const token = await core.checkResetCode(email, otp);
    resetTokens.set(key, token);
    return token;
  }

  /** The session if there is one: restores it on a page's first call, null when signed out. */
  async function currentSession(): Promise<SessionData | null> {
    await core.start();
    if (core.getState().status !== "signedIn") return null;
    try {
      return await core.loadSession();
    } catch (caught) {
      if (core.getState().status === "signedOut") return null; // it ended meanwhile
      throw caught;
    }
  }

  const signedIn = (user: User) => ({ token: core.getAccessToken() ?? "", user });

  return {
    signIn: {
      email: (
        input: WithFetchOptions<
          { email: string; password: string; rememberMe?: boolean; callbackURL?: string },
          { redirect: false; token: string; user: User }
        >,
        fetchOptions?: FetchOptions<{ redirect: false; token: string; user: User }>,
      ) => {
        const [{ email, password, rememberMe }, fo] = split(input, fetchOptions);
        return call(async () => {
          const user = await core.signIn({ email, password, rememberMe });
          return { redirect: false as const, ...signedIn(user) };
        }, fo);
      },
      emailOtp: (
        input: WithFetchOptions<
          { email: string; otp: string; name?: string; role?: Role; rememberMe?: boolean },
          { token: string; user: User }
        >,
        fetchOptions?: FetchOptions<{ token: string; user: User }>,
      ) => {
        const [{ email, otp, name, role, rememberMe }, fo] = split(input, fetchOptions);
        return call(
          async () => signedIn(await core.signInWithOtp({ email, otp, name, role, rememberMe })),
          fo,
        );
      },
      /**
       * Mails a sign-in link alone (no code) to `email`; the link opens the web app's
       * `/auth/link#token=...` (`callbackURL` is ignored). Use it with `magicLink.verify`.
       */
      magicLink: (
        input: WithFetchOptions<{ email: string; callbackURL?: string }, { status: true }>,
        fetchOptions?: FetchOptions<{ status: true }>,
      ) => {
        const [{ email }, fo] = split(input, fetchOptions);
        return call(async () => {
          await core.sendLink(email, "sign-in");
          return { status: true as const };
        }, fo);
      },
    },

    magicLink: {
      /**
       * Uses the link of any code mail (its token, from `#token=...`): what the code would give.
       * Signed in, the Bearer token goes along (a verification or a step-up applies to this
       * sign-in); a sign-in puts its tokens in this client. `data.outcome` says what it did.
       */
      verify: (
        input: WithFetchOptions<MagicLinkToken, MagicLinkData>,
        fetchOptions?: FetchOptions<MagicLinkData>,
      ) => {
        const [link, fo] = split(input, fetchOptions);
        const token = "query" in link ? link.query.token : link.token;
        return call(async (): Promise<MagicLinkData> => {
          const result = await core.verifyLink(token);
          if (result.outcome !== "signedIn") return result;
          return { ...result, token: core.getAccessToken() ?? "" };
        }, fo);
      },
    },

    signUp: {
      email: (
        input: WithFetchOptions<
          {
            email: string;
            password: string;
            name: string;
            role?: Role;
            rememberMe?: boolean;
            callbackURL?: string;
          },
          { token: string; user: User }
        >,
        fetchOptions?: FetchOptions<{ token: string; user: User }>,
      ) => {
        const [{ email, password, name, role, rememberMe }, fo] = split(input, fetchOptions);
        return call(
          async () => signedIn(await core.signUp({ email, password, name, role, rememberMe })),
          fo,
        );
      },
    },

    /** Ends this sign-in on the server and forgets the token (even when offline). */
    signOut: (fetchOptions?: FetchOptions<{ success: true }>) =>
      call(async () => {
        await core.signOut();
        return { success: true as const };
      }, fetchOptions),

    /** `{user, session}` from GET session/, or `data: null` when signed out. */
    getSession: (fetchOptions?: FetchOptions<SessionData | null>) =>
      call(currentSession, fetchOptions),

    emailOtp: {
      sendVerificationOtp: (
        input: WithFetchOptions<{ email: string; type: OtpType }, { success: true }>,
        fetchOptions?: FetchOptions<{ success: true }>,
      ) => {
        const [{ email, type }, fo] = split(input, fetchOptions);
        return call(async () => {
          await core.sendOtp(email, type);
          return { success: true as const };
        }, fo);
      },
      /** Signed in: marks the address verified. Signed out: also signs this page in. */
      verifyEmail: (
        input: WithFetchOptions<
          { email: string; otp: string },
          { status: true; token: string | null; user: User }
        >,
        fetchOptions?: FetchOptions<{ status: true; token: string | null; user: User }>,
      ) => {
        const [{ email, otp }, fo] = split(input, fetchOptions);
        return call(async () => {
          const user = await core.verifyEmail(email, otp);
          return { status: true as const, token: core.getAccessToken(), user };
        }, fo);
      },
      /**
       * A `forget-password` code is traded for a reset token here (the server uses it up); a
       * later `resetPassword` with the same email and code spends that token.
       */
      checkVerificationOtp: (
        input: WithFetchOptions<{ email: string; type: OtpType; otp: string }, { success: true }>,
        fetchOptions?: FetchOptions<{ success: true }>,
      ) => {
        const [{ email, type, otp }, fo] = split(input, fetchOptions);
        return call(async () => {
          if (type === "forget-password") await resetTokenFor(email, otp);
          else await core.checkOtp(email, type, otp);
          return { success: true as const };
        }, fo);
      },
      resetPassword: (
        input: WithFetchOptions<
          { email: string; otp: string; password: string },
          { success: true }
        >,
        fetchOptions?: FetchOptions<{ success: true }>,
      ) => {
        const [{ email, otp, password }, fo] = split(input, fetchOptions);
        return call(async () => {
          await core.resetPassword(await resetTokenFor(email, otp), password);
          resetTokens.delete(resetKey(email, otp));
          return { success: true as const };
        }, fo);
      },
    },

    /** Sets a new password with a reset token (`magicLink.verify`'s `resetToken`); ends every sign-in. */
    resetPassword: (
      input: WithFetchOptions<{ newPassword: string; token: string }, { status: true }>,
      fetchOptions?: FetchOptions<{ status: true }>,
    ) => {
      const [{ newPassword, token }, fo] = split(input, fetchOptions);
      return call(async () => {
        await core.resetPassword(token, newPassword);
        return { status: true as const };
      }, fo);
    },

    forgetPassword: {
      emailOtp: (
        input: WithFetchOptions<{ email: string }, { success: true }>,
        fetchOptions?: FetchOptions<{ success: true }>,
      ) => {
        const [{ email }, fo] = split(input, fetchOptions);
        return call(async () => {
          await core.sendOtp(email, "forget-password");
          return { success: true as const };
        }, fo);
      },
    },

    changePassword: (
      input: WithFetchOptions<
        { newPassword: string; currentPassword: string; revokeOtherSessions?: boolean },
        { token: string | null; user: User }
      >,
      fetchOptions?: FetchOptions<{ token: string | null; user: User }>,
    ) => {
      const [{ newPassword, currentPassword, revokeOtherSessions }, fo] = split(
        input,
        fetchOptions,
      );
      return call(async () => {
        const user = await core.changePassword(
          currentPassword,
          newPassword,
          revokeOtherSessions ?? false,
        );
        return { token: core.getAccessToken(), user };
      }, fo);
    },

    listSessions: (fetchOptions?: FetchOptions<SessionListItem[]>) =>
      call(
        async () => (await core.listSessions()).map((item) => ({ ...item, token: item.id })),
        fetchOptions,
      ),

    revokeSession: (
      input: WithFetchOptions<{ token: string }, { status: true }>,
      fetchOptions?: FetchOptions<{ status: true }>,
    ) => {
      const [{ token }, fo] = split(input, fetchOptions);
      return call(async () => {
        await core.revokeSession(token);
        return { status: true as const };
      }, fo);
    },

    revokeOtherSessions: (fetchOptions?: FetchOptions<{ status: true }>) =>
      call(async () => {
        await core.revokeOtherSessions();
        return { status: true as const };
      }, fetchOptions),

    /** Every sign-in of the user, this one included: this page ends signed out. */
    revokeSessions: (fetchOptions?: FetchOptions<{ status: true }>) =>
      call(async () => {
        await core.revokeAllSessions();
        return { status: true as const };
      }, fetchOptions),

    /** The user's trusted devices (a complete sign-in from a client makes it one), newest use first. */
    listDevices: (fetchOptions?: FetchOptions<TrustedDevice[]>) =>
      call(() => core.listDevices(), fetchOptions),

    /** Ends the trust of one device (`id` from `listDevices()`); its sign-ins go on. */
    revokeDevice: (
      input: WithFetchOptions<{ id: string }, { status: true }>,
      fetchOptions?: FetchOptions<{ status: true }>,
    ) => {
      const [{ id }, fo] = split(input, fetchOptions);
      return call(async () => {
        await core.revokeDevice(id);
        return { status: true as const };
      }, fo);
    },

    updateUser: (
      input: WithFetchOptions<
        { name?: string; image?: string | null },
        { status: true; user: User }
      >,
      fetchOptions?: FetchOptions<{ status: true; user: User }>,
    ) => {
      const [body, fo] = split(input, fetchOptions);
      return call(
        async () => ({ status: true as const, user: await core.updateProfile(body) }),
        fo,
      );
    },

    /**
     * Without `otp`: mails a code to `newEmail` (step-up needed). With the code: the address
     * changes (better-auth confirms by a link instead).
     */
    changeEmail: (
      input: WithFetchOptions<
        { newEmail: string; otp?: string; callbackURL?: string },
        { status: true; user: User | null }
      >,
      fetchOptions?: FetchOptions<{ status: true; user: User | null }>,
    ) => {
      const [{ newEmail, otp }, fo] = split(input, fetchOptions);
      return call(async () => {
        if (otp === undefined) {
          await core.requestEmailChange(newEmail);
          return { status: true as const, user: null };
        }
        return { status: true as const, user: await core.confirmEmailChange(newEmail, otp) };
      }, fo);
    },

    /** With `password` (or an emailed `otp`) it proves it is you first, as better-auth does. */
    deleteUser: (
      input: WithFetchOptions<
        { password?: string; otp?: string; callbackURL?: string },
        { success: true }
      > = {},
      fetchOptions?: FetchOptions<{ success: true }>,
    ) => {
      const [{ password, otp }, fo] = split(input, fetchOptions);
      return call(async () => {
        if (password !== undefined) await core.reauthenticate({ password });
        else if (otp !== undefined) await core.reauthenticate({ otp });
        await core.deleteAccount();
        return { success: true as const };
      }, fo);
    },

    /** Step-up: prove it is you again, for the calls that answer REAUTHENTICATION_REQUIRED. */
    reauthenticate: (
      input: WithFetchOptions<Reauthentication, { user: User }>,
      fetchOptions?: FetchOptions<{ user: User }>,
    ) => {
      const [proof, fo] = split(input, fetchOptions);
      return call(async () => ({ user: await core.reauthenticate(proof) }), fo);
    },

    listSecurityEvents: (
      input: WithFetchOptions<{ page?: number }, { count: number; results: SecurityEvent[] }> = {},
      fetchOptions?: FetchOptions<{ count: number; results: SecurityEvent[] }>,
    ) => {
      const [{ page }, fo] = split(input, fetchOptions);
      return call(() => core.securityEvents(page ?? 1), fo);
    },

    /** The access token in memory, for calls to other services (null when signed out). */
    getAccessToken: () => core.getAccessToken(),

    /** The token machinery underneath: state, subscriptions, the typed openapi-fetch clients. */
    $core: core,
  };
}

export type BaseAuthClient = ReturnType<typeof createAuthClient>;
