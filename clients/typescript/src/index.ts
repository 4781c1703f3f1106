export { createAuthClient } from "./client.js";
export type {
  BaseAuthClient,
  CreateAuthClientOptions,
  FetchOptions,
  MagicLinkData,
  NoRedirect,
  Result,
  SecondStepData,
  SessionData,
  SessionListItem,
  SignInData,
} from "./client.js";
export {
  AuthClient,
  BODY_TRANSPORT_HEADER,
  CSRF_COOKIE,
  SIGNED_IN_COOKIE,
  isTwoFactorRedirect,
  memoryTokenStore,
} from "./core.js";
export type {
  AuthClientOptions,
  AuthState,
  AuthStatus,
  FetchLike,
  LinkOutcome,
  OtpType,
  Passkey,
  ProfileUpdate,
  Reauthentication,
  Role,
  SecurityEvent,
  SessionInfo,
  SignInListItem,
  SignInResult,
  StoredToken,
  TokenStore,
  Transport,
  TrustedDevice,
  TwoFactorMethod,
  TwoFactorRedirect,
  User,
} from "./core.js";
export { ApiError, CLIENT_ERROR_MESSAGES } from "./errors.js";
export type { ApiErrorBody, AuthClientError, ClientErrorCode, ErrorCode } from "./errors.js";
export type { CredentialJSON, CredentialsContainerLike } from "./webauthn.js";
export type { components, paths } from "./schema.js";
