/**
 * `createAuthClient({baseURL})`: better-auth's client call surface over this API, so screens
 * written against better-auth keep their calls. Every method resolves to `{data, error}` (never
 * throws for an API error) with `error = {code, message, status, ...}`, and takes better-auth's
 * argument names plus an optional second argument `{onRequest, onSuccess, onError}`.
 *
 * Where this API differs (access token in memory, refresh token in an httpOnly cookie, codes bound
 * to the browser that asked for them) see docs/migrating-from-better-auth.md.
 */
import { AuthClient, isTwoFactorRedirect } from "./core.js";
import type {
  AuthClientOptions,
  LinkOutcome,
  OtpType,
  Passkey,
  Reauthentication,
  Role,
  SecurityEvent,
  SessionData,
  SignInListItem,
  SignInResult,
  TrustedDevice,
  TwoFactorMethod,
  TwoFactorRedirect,
  User,
} from "./core.js";
import { toAuthClientError } from "./errors.js";
import type { AuthClientError } from "./errors.js";

export type { SessionData };

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
  /**
   * Called when a sign-in answers twoFactorRedirect, before the call resolves (better-auth's
   * `twoFactorClient({onTwoFactorRedirect})`): e.g. go to the second-step page.
   */
  onTwoFactorRedirect?: (context: { twoFactorMethods: TwoFactorMethod[] }) => unknown;
}

/**
 * A signed-in answer: it has no `twoFactorRedirect` (declared so that `data.twoFactorRedirect`
 * reads on every answer of a sign-in call, as with better-auth).
 */
export type NoRedirect<T> = T & { twoFactorRedirect?: undefined };

/** What a sign-in call resolves to: signed in (`{token, user}`), or a second step to answer. */
export type SignInData<T = { token: string; user: User }> = NoRedirect<T> | TwoFactorRedirect;

/** A sign-in of this user, as listSessions() gives it; `token` is its id (not a secret). */
export type SessionListItem = SignInListItem & { token: string };

/**
 * What `magicLink.verify` gives: the link's outcome (see `LinkOutcome`); a sign-in also carries
 * better-auth's `token` (the access token).
 */
export type MagicLinkData =
  | NoRedirect<Extract<LinkOutcome, { outcome: "signedIn" }> & { token: string }>
  | NoRedirect<Exclude<LinkOutcome, { outcome: "signedIn" | "twoFactorRedirect" }>>
  | (Extract<LinkOutcome, { outcome: "twoFactorRedirect" }> & TwoFactorRedirect);

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
  const { baseURL, onTwoFactorRedirect, ...rest } = options;
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
    try {
      return await core.currentSession();
    } catch (caught) {
      if (core.getState().status === "signedOut") return null; // it ended meanwhile
      throw caught;
    }
  }

  const signedIn = (user: User) => ({ token: core.getAccessToken() ?? "", user });
  const secondStep = (user: User): SecondStepData => signedIn(user);

  /** A sign-in's result as better-auth's data: `{...signed-in data}` or the redirect. */
  async function signInData<T>(
    result: SignInResult,
    data: (user: User) => T,
  ): Promise<NoRedirect<T> | TwoFactorRedirect> {
    if (!isTwoFactorRedirect(result)) return data(result) as NoRedirect<T>;
    await onTwoFactorRedirect?.({ twoFactorMethods: result.twoFactorMethods });
    return result;
  }

  return {
    signIn: {
      /**
       * `data.twoFactorRedirect === true` (with `twoFactorMethods`) when the account asks for a
       * second step: answer it with `twoFactor.verifyTotp`, `verifyBackupCode` or `verifyPasskey`.
       */
      email: (
        input: WithFetchOptions<
          { email: string; password: string; rememberMe?: boolean; callbackURL?: string },
          SignInData<{ redirect: false; token: string; user: User }>
        >,
        fetchOptions?: FetchOptions<SignInData<{ redirect: false; token: string; user: User }>>,
      ) => {
        const [{ email, password, rememberMe }, fo] = split(input, fetchOptions);
        return call(async () => {
          const result = await core.signIn({ email, password, rememberMe });
          return signInData(result, (user) => ({ redirect: false as const, ...signedIn(user) }));
        }, fo);
      },
      /** Signed in, or `data.twoFactorRedirect` as for `signIn.email`. */
      emailOtp: (
        input: WithFetchOptions<
          { email: string; otp: string; name?: string; role?: Role; rememberMe?: boolean },
          SignInData
        >,
        fetchOptions?: FetchOptions<SignInData>,
      ) => {
        const [{ email, otp, name, role, rememberMe }, fo] = split(input, fetchOptions);
        return call(async () => {
          const result = await core.signInWithOtp({ email, otp, name, role, rememberMe });
          return signInData(result, signedIn);
        }, fo);
      },
      /**
       * Sign in with a passkey (the browser's dialog; no second step: a passkey with user
       * verification is multi-factor). `autoFill: true` offers the passkeys in the autofill of
       * a field with `autocomplete="username webauthn"` and waits until one is picked; call it
       * once when the sign-in form shows. A later passkey call (a "Sign in with a passkey"
       * button) aborts it: that waiting call resolves with `ERROR_CEREMONY_ABORTED`.
       */
      passkey: (
        input: WithFetchOptions<{ autoFill?: boolean; rememberMe?: boolean }, SignInData> = {},
        fetchOptions?: FetchOptions<SignInData>,
      ) => {
        const [{ autoFill, rememberMe }, fo] = split(input, fetchOptions);
        return call(async () => {
          const result = await core.signInWithPasskey({ autoFill, rememberMe });
          return signInData(result, signedIn);
        }, fo);
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
          if (result.outcome === "twoFactorRedirect") {
            const redirect = { twoFactorRedirect: true as const, ...result };
            await onTwoFactorRedirect?.({ twoFactorMethods: result.twoFactorMethods });
            return redirect;
          }
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
      /**
       * Signed in: marks the address verified. Signed out: also signs this page in, or answers
       * `data.twoFactorRedirect` as `signIn.email` does.
       */
      verifyEmail: (
        input: WithFetchOptions<
          { email: string; otp: string },
          SignInData<{ status: true; token: string | null; user: User }>
        >,
        fetchOptions?: FetchOptions<SignInData<{ status: true; token: string | null; user: User }>>,
      ) => {
        const [{ email, otp }, fo] = split(input, fetchOptions);
        return call(async () => {
          const result = await core.verifyEmail(email, otp);
          return signInData(result, (user) => ({
            status: true as const,
            token: core.getAccessToken(),
            user,
          }));
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

    /**
     * Step-up: prove it is you again, for the calls that answer REAUTHENTICATION_REQUIRED, with
     * `{password}`, an emailed `{otp}`, an authenticator app's `{code}`, or `{passkey: true}`.
     */
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

    /** better-auth's `twoFactor` plugin: an authenticator app (TOTP) and recovery codes. */
    twoFactor: {
      /**
       * Start: the authenticator's `totpURI` (show it as a QR code) and 10 `backupCodes` (show
       * them once). Needs a fresh sign-in, a verified address and `password` when the account
       * has one. Two-factor is on once `verifyTotp` accepts a first code.
       */
      enable: (
        input: WithFetchOptions<
          { password?: string; issuer?: string },
          { totpURI: string; backupCodes: string[] }
        > = {},
        fetchOptions?: FetchOptions<{ totpURI: string; backupCodes: string[] }>,
      ) => {
        const [{ password }, fo] = split(input, fetchOptions);
        return call(() => core.enableTwoFactor(password), fo);
      },
      /**
       * A code of the authenticator app. After a sign-in answered `twoFactorRedirect` (or signed
       * out): its second step, and this client is signed in. Signed in otherwise: completes
       * `enable` (`user.twoFactorEnabled` is true). `trustDevice`: this device skips the
       * second step for 30 days.
       */
      verifyTotp: (
        input: WithFetchOptions<{ code: string; trustDevice?: boolean }, SecondStepData>,
        fetchOptions?: FetchOptions<SecondStepData>,
      ) => {
        const [{ code, trustDevice }, fo] = split(input, fetchOptions);
        return call(async () => secondStep(await core.verifyTotp(code, trustDevice)), fo);
      },
      /** A recovery code answers the second step (each works once). */
      verifyBackupCode: (
        input: WithFetchOptions<{ code: string; trustDevice?: boolean }, SecondStepData>,
        fetchOptions?: FetchOptions<SecondStepData>,
      ) => {
        const [{ code, trustDevice }, fo] = split(input, fetchOptions);
        return call(async () => secondStep(await core.verifyBackupCode(code, trustDevice)), fo);
      },
      /** A passkey of the account answers the second step (the browser's dialog). */
      verifyPasskey: (
        input: WithFetchOptions<{ trustDevice?: boolean }, SecondStepData> = {},
        fetchOptions?: FetchOptions<SecondStepData>,
      ) => {
        const [{ trustDevice }, fo] = split(input, fetchOptions);
        return call(async () => secondStep(await core.verifyPasskey(trustDevice)), fo);
      },
      /**
       * 10 new recovery codes; the old ones stop working. Needs a fresh sign-in: with
       * `password` it proves it is you first.
       */
      generateBackupCodes: (
        input: WithFetchOptions<
          { password?: string },
          { status: true; backupCodes: string[] }
        > = {},
        fetchOptions?: FetchOptions<{ status: true; backupCodes: string[] }>,
      ) => {
        const [{ password }, fo] = split(input, fetchOptions);
        return call(async () => {
          if (password !== undefined) await core.reauthenticate({ password });
          return { status: true as const, backupCodes: await core.generateBackupCodes() };
        }, fo);
      },
      /** Off: the authenticator and recovery codes go, and every trusted device ends. */
      disable: (
        input: WithFetchOptions<{ password?: string }, { status: true; user: User }> = {},
        fetchOptions?: FetchOptions<{ status: true; user: User }>,
      ) => {
        const [{ password }, fo] = split(input, fetchOptions);
        return call(
          async () => ({ status: true as const, user: await core.disableTwoFactor(password) }),
          fo,
        );
      },
    },

    /** better-auth's `passkey` plugin (sign-in with one is `signIn.passkey`). */
    passkey: {
      /**
       * A new passkey of the signed-in user: the browser's dialog creates it, the server keeps
       * it. Needs a fresh sign-in and a verified address.
       */
      addPasskey: (
        input: WithFetchOptions<{ name?: string }, Passkey> = {},
        fetchOptions?: FetchOptions<Passkey>,
      ) => {
        const [{ name }, fo] = split(input, fetchOptions);
        return call(() => core.addPasskey(name), fo);
      },
      /** The user's passkeys, newest first. */
      listUserPasskeys: (fetchOptions?: FetchOptions<Passkey[]>) =>
        call(() => core.listPasskeys(), fetchOptions),
      /** Deletes one (`id` from listUserPasskeys); needs a fresh sign-in. */
      deletePasskey: (
        input: WithFetchOptions<{ id: string }, { status: true }>,
        fetchOptions?: FetchOptions<{ status: true }>,
      ) => {
        const [{ id }, fo] = split(input, fetchOptions);
        return call(async () => {
          await core.deletePasskey(id);
          return { status: true as const };
        }, fo);
      },
      updatePasskey: (
        input: WithFetchOptions<{ id: string; name: string }, { passkey: Passkey }>,
        fetchOptions?: FetchOptions<{ passkey: Passkey }>,
      ) => {
        const [{ id, name }, fo] = split(input, fetchOptions);
        return call(async () => ({ passkey: await core.renamePasskey(id, name) }), fo);
      },
    },

    /** The access token in memory, for calls to other services (null when signed out). */
    getAccessToken: () => core.getAccessToken(),

    /** The token machinery underneath: state, subscriptions, the typed openapi-fetch clients. */
    $core: core,
  };
}

/** What a second step (or the enrolment by `verifyTotp`) gives: this client's token and the user. */
export interface SecondStepData {
  token: string;
  user: User;
}

export type BaseAuthClient = ReturnType<typeof createAuthClient>;
