/**
 * Errors as the server sends them: every error body is `{code, message, fields?}` (openapi.yaml).
 * Inside the client a failed call throws `ApiError`; the better-auth-shaped surface (client.ts)
 * hands it back as the plain `error` of `{data, error}`.
 */
import type { components } from "./schema";

/** Every code the server sends: the contract's `ErrorCode` enum, built from its registry. */
export type ErrorCode = components["schemas"]["ErrorCode"];

/**
 * Codes no server sends, made on this side of the wire:
 * - `NETWORK_ERROR`: the server could not be reached (status 0);
 * - `UNKNOWN_ERROR`: an answer without an error body (e.g. a proxy's HTML 502);
 * - `EMAIL_UNCHANGED`: an app's refusal before any call, of a new email address that is the
 *   current one (the server would answer success and mail the owner instead).
 */
export type ClientErrorCode = "NETWORK_ERROR" | "UNKNOWN_ERROR" | "EMAIL_UNCHANGED";

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
    super(
      body?.message ||
        (status === 0 ? "Could not reach the server." : `Request failed (${status}).`),
    );
    this.name = "ApiError";
    this.status = status;
    this.statusText = statusText;
    this.code = body?.code || (status === 0 ? "NETWORK_ERROR" : "UNKNOWN_ERROR");
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
