/**
 * WebAuthn on the client's side: the server's options (their JSON form) turned into what
 * `navigator.credentials` takes, and the credential it gives back turned into its JSON form
 * (`PublicKeyCredential.toJSON()`), which the server reads. The browser's own converters are used
 * when it has them; a small base64url conversion otherwise.
 */
import { ApiError } from "./errors.js";
import type { ClientErrorCode } from "./errors.js";

declare global {
  // The browser's WebAuthn types that this package's declarations name: merged into the DOM
  // lib's own where a project has it, empty stand-ins where it has not (a Node project), so the
  // package's .d.ts files type-check there too.
  interface Credential {}
  interface CredentialCreationOptions {}
  interface CredentialRequestOptions {}
  interface PublicKeyCredentialCreationOptions {}
  interface PublicKeyCredentialRequestOptions {}
  interface PublicKeyCredentialCreationOptionsJSON {}
  interface PublicKeyCredentialRequestOptionsJSON {}
}

/** `navigator.credentials`, or what a test or a non-browser host puts in its place. */
export interface CredentialsContainerLike {
  create(options: CredentialCreationOptions): Promise<Credential | null>;
  get(options: CredentialRequestOptions): Promise<Credential | null>;
}

export type CreationOptionsJSON = PublicKeyCredentialCreationOptionsJSON;
export type RequestOptionsJSON = PublicKeyCredentialRequestOptionsJSON;
/** A credential in its JSON form: `{id, rawId, type, response: {...}, ...}`. */
export type CredentialJSON = Record<string, unknown>;

export function toBase64Url(data: ArrayBuffer | ArrayBufferView): string {
  const bytes = ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): ArrayBuffer {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "="));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

type PublicKeyCredentialStatics = Partial<
  Pick<
    typeof PublicKeyCredential,
    | "parseCreationOptionsFromJSON"
    | "parseRequestOptionsFromJSON"
    | "isConditionalMediationAvailable"
  >
>;

function statics(): PublicKeyCredentialStatics | undefined {
  return (globalThis as { PublicKeyCredential?: PublicKeyCredentialStatics }).PublicKeyCredential;
}

function descriptor(json: PublicKeyCredentialDescriptorJSON): PublicKeyCredentialDescriptor {
  return {
    ...json,
    id: fromBase64Url(json.id),
    type: json.type as PublicKeyCredentialType,
    transports: json.transports as AuthenticatorTransport[] | undefined,
  };
}

/** PublicKeyCredentialCreationOptions for `navigator.credentials.create({publicKey})`. */
export function creationOptions(json: CreationOptionsJSON): PublicKeyCredentialCreationOptions {
  const parse = statics()?.parseCreationOptionsFromJSON;
  if (typeof parse === "function") return parse.call(statics(), json);
  return {
    ...json,
    challenge: fromBase64Url(json.challenge),
    user: { ...json.user, id: fromBase64Url(json.user.id) },
    excludeCredentials: json.excludeCredentials?.map(descriptor),
    attestation: json.attestation as AttestationConveyancePreference | undefined,
    extensions: json.extensions as AuthenticationExtensionsClientInputs | undefined,
  };
}

/** PublicKeyCredentialRequestOptions for `navigator.credentials.get({publicKey})`. */
export function requestOptions(json: RequestOptionsJSON): PublicKeyCredentialRequestOptions {
  const parse = statics()?.parseRequestOptionsFromJSON;
  if (typeof parse === "function") return parse.call(statics(), json);
  return {
    ...json,
    challenge: fromBase64Url(json.challenge),
    allowCredentials: json.allowCredentials?.map(descriptor),
    userVerification: json.userVerification as UserVerificationRequirement | undefined,
    extensions: json.extensions as AuthenticationExtensionsClientInputs | undefined,
  };
}

/** Whether the browser can offer passkeys in a field's autofill (conditional mediation). */
export async function autofillAvailable(): Promise<boolean> {
  const check = statics()?.isConditionalMediationAvailable;
  if (typeof check !== "function") return true; // no way to ask: let the browser decide
  try {
    return await check.call(statics());
  } catch {
    return false;
  }
}

type AnyResponse = Partial<AuthenticatorAttestationResponse & AuthenticatorAssertionResponse>;

const b64 = (value: ArrayBuffer | null | undefined) =>
  value === null || value === undefined ? undefined : toBase64Url(value);

/** The credential's JSON form: its own toJSON() when it has one, else the same fields by hand. */
export function credentialJSON(credential: Credential): CredentialJSON {
  const key = credential as PublicKeyCredential;
  if (typeof key.toJSON === "function") return key.toJSON() as CredentialJSON;
  const response = key.response as AnyResponse;
  const common = { clientDataJSON: b64(response.clientDataJSON) };
  const body =
    response.attestationObject !== undefined
      ? {
          ...common,
          attestationObject: b64(response.attestationObject),
          transports: response.getTransports?.() ?? [],
        }
      : {
          ...common,
          authenticatorData: b64(response.authenticatorData),
          signature: b64(response.signature),
          userHandle: b64(response.userHandle),
        };
  return {
    id: key.id,
    rawId: toBase64Url(key.rawId),
    type: key.type,
    response: body,
    clientExtensionResults: key.getClientExtensionResults?.() ?? {},
    authenticatorAttachment: key.authenticatorAttachment ?? undefined,
  };
}

export type PasskeyErrorCode = Extract<
  ClientErrorCode,
  | "AUTH_CANCELLED"
  | "REGISTRATION_CANCELLED"
  | "PREVIOUSLY_REGISTERED"
  | "ERROR_CEREMONY_ABORTED"
  | "PASSKEY_NOT_SUPPORTED"
>;

/** An error of the passkey dialog, as better-auth's passkey client reports it (status 400). */
export function passkeyError(code: PasskeyErrorCode): ApiError {
  return new ApiError(400, { code }, null, "BAD_REQUEST");
}

/** What a rejected navigator.credentials call means for the user. */
export function ceremonyError(kind: "create" | "get", caught: unknown): ApiError {
  const name = caught instanceof Error || caught instanceof DOMException ? caught.name : "";
  if (name === "InvalidStateError" && kind === "create")
    return passkeyError("PREVIOUSLY_REGISTERED");
  if (name === "NotSupportedError" || name === "SecurityError") {
    return passkeyError("PASSKEY_NOT_SUPPORTED");
  }
  // NotAllowedError: dismissed, timed out, or no passkey chosen.
  return passkeyError(kind === "create" ? "REGISTRATION_CANCELLED" : "AUTH_CANCELLED");
}
