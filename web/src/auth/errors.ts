/**
 * What the pages say about an error: the client's `{code, message, status, ...}` (every API error
 * body is `{code, message, fields?}`, see openapi.yaml) mapped to a sentence by its `code`.
 */

import type { AuthClientError, ClientErrorCode, ErrorCode } from "@authsvc/client";

type Code = ErrorCode | ClientErrorCode;

/**
 * A sentence for every code: the server's (the contract's ErrorCode enum) and the client's own.
 * Complete on purpose: a code the server starts sending that is not worded here fails `tsc`.
 */
const MESSAGES: Record<Code, string> = {
  INVALID_EMAIL_OR_PASSWORD: "Wrong email or password.",
  INVALID_EMAIL: "Enter a valid email address.",
  INVALID_PASSWORD: "Your current password is not correct.",
  PASSWORD_UNCHANGED: "The new password is your current one: choose another.",
  REAUTHENTICATION_REQUIRED: "Confirm it is you first: enter your password again.",
  PASSWORD_SIGN_IN_CLOSED:
    "Too many failed sign-ins from new devices: sign in with an emailed code, or reset your password.",
  PERMISSION_DENIED: "You do not have permission to do this.",
  PASSWORD_TOO_SHORT: "The password is too short: use at least 8 characters.",
  PASSWORD_TOO_LONG: "The password is too long: use at most 128 characters.",
  PASSWORD_TOO_COMMON: "This password is too common. Pick one that is harder to guess.",
  PASSWORD_TOO_SIMILAR: "The password is too similar to your name or email.",
  PASSWORD_INVALID: "This password is not allowed. Pick another one.",
  USER_ALREADY_EXISTS: "An account with this email already exists. Sign in instead.",
  INVALID_ROLE: "Choose teacher or student.",
  INVALID_OTP: "That code is not right. Check it, or ask for a new one.",
  OTP_EXPIRED: "That code has expired. Ask for a new one.",
  TOO_MANY_ATTEMPTS: "Too many wrong codes. Ask for a new one.",
  INVALID_OTP_TYPE: "This kind of code is not supported.",
  INVALID_TOKEN: "This reset link has expired or was already used. Start again.",
  INVALID_LINK: "This link is invalid, expired or already used. Ask for a new one.",
  TOO_MANY_REQUESTS: "Too many attempts. Wait a moment and try again.",
  INVALID_REFRESH_TOKEN: "Your session has ended. Sign in again.",
  REFRESH_TOKEN_REUSED: "Your session was ended for safety. Sign in again.",
  NOT_AUTHENTICATED: "Please sign in.",
  TOKEN_INVALID: "Your session has ended. Sign in again.",
  CSRF_FAILED: "Your session could not be verified. Reload the page and try again.",
  NOT_FOUND: "That no longer exists.",
  VALIDATION_ERROR: "Some fields are not valid.",
  PAYLOAD_TOO_LARGE: "That is too much to send. Shorten it and try again.",
  // What the page itself got wrong (or a proxy on the way): nothing the user typed.
  BAD_REQUEST: "The request could not be understood. Reload the page and try again.",
  INVALID_JSON: "The request could not be read. Reload the page and try again.",
  UNSUPPORTED_MEDIA_TYPE: "The request could not be read. Reload the page and try again.",
  NOT_ACCEPTABLE: "The answer could not be read. Reload the page and try again.",
  METHOD_NOT_ALLOWED: "This action is not available. Reload the page and try again.",
  INVALID_CLIENT: "This action is not available here.",
  SERVICE_UNAVAILABLE: "The service is temporarily unavailable. Try again in a moment.",
  INTERNAL_ERROR: "Something went wrong on our side. Try again.",
  NETWORK_ERROR: "Could not reach the server. Check your connection and try again.",
  UNKNOWN_ERROR: "Something went wrong. Try again.",
  EMAIL_UNCHANGED: "That is already your email address.",
  EMAIL_NOT_VERIFIED: "Verify your email address first.",
  INVALID_TWO_FACTOR_CODE:
    "That code is not right. Check it, or use another way to confirm it is you.",
  TWO_FACTOR_SIGN_IN_EXPIRED:
    "This sign-in has expired or had too many wrong answers. Sign in again.",
  TWO_FACTOR_NOT_ENABLED: "Two-factor authentication is not on for this account.",
  TWO_FACTOR_ALREADY_ENABLED: "Two-factor authentication is already on.",
  INVALID_PASSKEY: "This passkey could not be verified. Try again, or use another way.",
  // What the browser's passkey dialog ended with.
  AUTH_CANCELLED: "No passkey was used: the request was cancelled or timed out. Try again.",
  REGISTRATION_CANCELLED: "No passkey was added: the request was cancelled or timed out.",
  PREVIOUSLY_REGISTERED: "This device or password manager already holds a passkey of your account.",
  ERROR_CEREMONY_ABORTED: "A newer passkey request replaced this one.",
  PASSKEY_NOT_SUPPORTED: "This browser cannot use passkeys here. Use another way.",
};

/** "45 seconds", "3 minutes", "2 hours", "3 days": a wait a person can read (rounded up). */
export function humaneWait(seconds: number): string {
  const units: [number, string][] = [
    [86_400, "day"],
    [3_600, "hour"],
    [60, "minute"],
  ];
  for (const [size, name] of units) {
    if (seconds >= size * (size === 60 ? 2 : 1)) {
      const count = Math.ceil(seconds / size);
      return `${count} ${name}${count === 1 ? "" : "s"}`;
    }
  }
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

export function isAuthClientError(value: unknown): value is AuthClientError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as AuthClientError).code === "string" &&
    typeof (value as AuthClientError).status === "number"
  );
}

/** The sentence to show for an error (a client error, or anything thrown). */
export function errorMessage(error: unknown): string {
  if (isAuthClientError(error)) {
    if (error.code === "TOO_MANY_REQUESTS" && error.retryAfter) {
      return `Too many attempts. Try again in ${humaneWait(error.retryAfter)}.`;
    }
    // A code newer than this build (a server deployed ahead of the page): the server's sentence.
    return MESSAGES[error.code] ?? error.message;
  }
  return "Something went wrong. Try again.";
}

/**
 * Errors that belong to one field, by code: the first of these names that the form has gets the
 * message under it (and focus) instead of the form-level box.
 */
const CODE_FIELDS: Partial<Record<Code, string[]>> = {
  INVALID_EMAIL: ["email", "newEmail"],
  EMAIL_UNCHANGED: ["newEmail"],
  USER_ALREADY_EXISTS: ["email"],
  PASSWORD_TOO_SHORT: ["newPassword", "password"],
  PASSWORD_TOO_LONG: ["newPassword", "password"],
  PASSWORD_TOO_COMMON: ["newPassword", "password"],
  PASSWORD_TOO_SIMILAR: ["newPassword", "password"],
  PASSWORD_INVALID: ["newPassword", "password"],
  PASSWORD_UNCHANGED: ["newPassword"],
  INVALID_PASSWORD: ["currentPassword", "password"],
  INVALID_OTP: ["otp"],
  OTP_EXPIRED: ["otp"],
  TOO_MANY_ATTEMPTS: ["otp"],
  INVALID_ROLE: ["role"],
  INVALID_TWO_FACTOR_CODE: ["otp", "code"],
};

/** The field (of `names`, the form's inputs) an error belongs to, if any. */
export function fieldOfError(error: unknown, names: string[]): string | null {
  if (!isAuthClientError(error)) return null;
  return (CODE_FIELDS[error.code] ?? []).find((name) => names.includes(name)) ?? null;
}

/**
 * Per-field messages of a generic validation error, keyed by the API's field name. Errors with
 * their own code (PASSWORD_TOO_SHORT, ...) are shown once, as the form's message.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!isAuthClientError(error) || error.code !== "VALIDATION_ERROR") return {};
  const out: Record<string, string> = {};
  for (const [field, messages] of Object.entries(error.fields)) {
    if (messages.length) out[field] = messages.join(" ");
  }
  return out;
}
