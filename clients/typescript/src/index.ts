export { createAuthClient } from "./client";
export type {
  BaseAuthClient,
  CreateAuthClientOptions,
  FetchOptions,
  MagicLinkData,
  Result,
  SessionData,
  SessionListItem,
} from "./client";
export { AuthClient, CSRF_COOKIE, SIGNED_IN_COOKIE } from "./core";
export type {
  AuthClientOptions,
  AuthState,
  AuthStatus,
  FetchLike,
  LinkOutcome,
  OtpType,
  ProfileUpdate,
  Reauthentication,
  Role,
  SecurityEvent,
  SessionInfo,
  SignInListItem,
  TrustedDevice,
  User,
} from "./core";
export { ApiError } from "./errors";
export type { ApiErrorBody, AuthClientError, ClientErrorCode, ErrorCode } from "./errors";
export type { components, paths } from "./schema";
