export { createAuthClient } from "./client";
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
} from "./client";
export {
  AuthClient,
  BODY_TRANSPORT_HEADER,
  CSRF_COOKIE,
  SIGNED_IN_COOKIE,
  isTwoFactorRedirect,
  memoryTokenStore,
} from "./core";
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
} from "./core";
export { ApiError, CLIENT_ERROR_MESSAGES } from "./errors";
export type { ApiErrorBody, AuthClientError, ClientErrorCode, ErrorCode } from "./errors";
export type { CredentialJSON, CredentialsContainerLike } from "./webauthn";
export type { components, paths } from "./schema";
