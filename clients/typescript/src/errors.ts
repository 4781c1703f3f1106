/**
 * Errors as the server sends them: every error body is `{code, message, fields?}` (openapi.yaml).
 * Inside the client a failed call throws `ApiError`; the better-auth-shaped surface (client.ts)
 * hands it back as the plain `error` of `{data, error}`.
 */

export interface ApiErrorBody {
  code: string;
  message: string;
  fields?: Record<string, string[]>;
}

/** The `error` of `{data, error}`: better-auth's `{code, message, status}`, plus what we know more. */
export interface AuthClientError {
  code: string;
  message: string;
  status: number;
  statusText: string;
  /** Per-field messages of a VALIDATION_ERROR, keyed by the API's field name. */
  fields: Record<string, string[]>;
  /** Seconds from the `Retry-After` header of a 429 (null otherwise). */
  retryAfter: number | null;
}

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly statusText: string;
  readonly fields: Record<string, string[]>;
  readonly retryAfterSeconds: number | null;

  constructor(
    status: number,
    body: Partial<ApiErrorBody> | undefined,
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
