/**
 * Errors as the server sends them: every error body is `{code, message, fields?}` (openapi.yaml).
 * Inside the client a failed call throws `ApiError`; the better-auth-shaped surface (client.ts)
 * hands it back as the plain `error` of `{data, error}`.
 */
import type { components } from "./schema.js";

/** Every code the server sends: the contract's `ErrorCode` enum, built from its registry. */
export type ErrorCode = components["schemas"]["ErrorCode"];

/**
 * Codes no server sends, made on this side of the wire:
 * - `NETWORK_ERROR`: the server could not be reached (status 0);
 * - `UNKNOWN_ERROR`: an answer without an error body (e.g. a proxy's HTML 502);
 * - `EMAIL_UNCHANGED`: an app's refusal before any call, of a new email address that is the
 *   current one (the server would answer success and mail the owner instead);
 * - the passkey dialog's outcomes, with better-auth's passkey codes (status 400):
 *   `AUTH_CANCELLED` (no passkey chosen: dismissed or timed out), `REGISTRATION_CANCELLED`
 *   (adding one was dismissed or timed out), `PREVIOUSLY_REGISTERED` (this authenticator holds a
 *   passkey of the account already), `ERROR_CEREMONY_ABORTED` (a later passkey call replaced this
 *   one, e.g. a button pressed while the autofill request waited: nothing to show), and
 *   `PASSKEY_NOT_SUPPORTED` (no WebAuthn here, or no autofill for `autoFill: true`).
 */
export type ClientErrorCode =
  | "NETWORK_ERROR"
  | "UNKNOWN_ERROR"
  | "EMAIL_UNCHANGED"
  | "AUTH_CANCELLED"
  | "REGISTRATION_CANCELLED"
  | "PREVIOUSLY_REGISTERED"
  | "ERROR_CEREMONY_ABORTED"
  | "PASSKEY_NOT_SUPPORTED";

/** The message of each code made on this side (the server's codes come with their own). */
export const CLIENT_ERROR_MESSAGES: Record<ClientErrorCode, string> = {
  NETWORK_ERROR: "Could not reach the server.",
  UNKNOWN_ERROR: "The request failed.",
  EMAIL_UNCHANGED: "This is already the email address of the account.",
  AUTH_CANCELLED: "No passkey was used: the request was cancelled or timed out.",
  REGISTRATION_CANCELLED: "No passkey was added: the request was cancelled or timed out.",
  PREVIOUSLY_REGISTERED: "This authenticator already holds a passkey for this account.",
  ERROR_CEREMONY_ABORTED: "A newer passkey request replaced this one.",
  PASSKEY_NOT_SUPPORTED: "This browser cannot use passkeys here.",
};

export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  fields?: Record<string, string[]>;
}

/** The `error` of `{data, error}`: better-auth's `{code, message, status}`, plus what we know more. */
export interface AuthClientError {
  code: ErrorCode | ClientErrorCode;
  message: string;
  status: number;
  statusText: string;
  /** Per-field messages of a VALIDATION_ERROR, keyed by the API's field name. */
  fields: Record<string, string[]>;
  /** Seconds from the `Retry-After` header of a 429 (null otherwise). */
  retryAfter: number | null;
}

export class ApiError extends Error {
  readonly code: ErrorCode | ClientErrorCode;
  readonly status: number;
  readonly statusText: string;
  readonly fields: Record<string, string[]>;
  readonly retryAfterSeconds: number | null;

  constructor(
    status: number,
    body:
      (Partial<Omit<ApiErrorBody, "code">> & { code?: ErrorCode | ClientErrorCode }) | undefined,
    retryAfterSeconds: number | null = null,
    statusText = "",
  ) {
    const code = body?.code || (status === 0 ? "NETWORK_ERROR" : "UNKNOWN_ERROR");
    super(
      body?.message ||
        (code === "UNKNOWN_ERROR"
          ? `Request failed (${status}).`
          : (CLIENT_ERROR_MESSAGES[code as ClientErrorCode] ?? `Request failed (${status}).`)),
    );
    this.name = "ApiError";
    this.status = status;
    this.statusText = statusText;
    this.code = code;
    this.fields = body?.fields ?? {};
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The plain object a `{data, error}` result carries. */
  toJSON(): AuthClientError {
    return {
      code: this.code,
      message: this.message,
      status: this.status,
      statusText: this.statusText,
      fields: this.fields,
      retryAfter: this.retryAfterSeconds,
    };
  }
}

/** Anything thrown, as the `error` of a result (a bug in the caller's code is rethrown). */
export function toAuthClientError(caught: unknown): AuthClientError {
  if (caught instanceof ApiError) return caught.toJSON();
  throw caught;
}
