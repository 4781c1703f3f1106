/**
 * The second factors of a test user, in Node: an authenticator app (TOTP, RFC 6238, from the
 * `otpauth://` URI two-factor/enable/ gave) and a passkey authenticator (WebAuthn, ES256, "none"
 * attestation) standing in for the browser's `navigator.credentials`. The server checks what
 * they make with its WebAuthn library like anything a browser sends.
 */
import { createHash, createHmac, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import type { CredentialsContainerLike } from "../src/webauthn";

// --- TOTP ---------------------------------------------------------------------------------------

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32Decode(text: string): Buffer {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of text.replace(/=+$/, "").toUpperCase()) {
    value = (value << 5) | BASE32.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The 30-second step of now (RFC 6238's T). */
export const currentStep = () => Math.floor(Date.now() / 1000 / 30);

/** The authenticator app's 6-digit code for `step` (HMAC-SHA1, dynamic truncation). */
export function totpCode(uri: string, step = currentStep()): string {
  const secret = new URL(uri).searchParams.get("secret");
  if (!secret) throw new Error(`no secret in ${uri}`);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return ((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, "0");
}

// --- CBOR (encoding only: the attestation object and the COSE key) ------------------------------

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor> | { [key: string]: Cbor };

function cborHead(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) return Buffer.from([(major << 5) | 25, length >> 8, length & 255]);
  const head = Buffer.alloc(5);
  head[0] = (major << 5) | 26;
  head.writeUInt32BE(length, 1);
  return head;
}

export function cbor(value: Cbor): Buffer {
  if (typeof value === "number") return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value]);
  const entries = value instanceof Map ? [...value] : Object.entries(value);
  return Buffer.concat([
    cborHead(5, entries.length),
    ...entries.flatMap(([key, item]) => [cbor(key), cbor(item)]),
  ]);
}

// --- WebAuthn -----------------------------------------------------------------------------------

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const bytesOf = (source: BufferSource) =>
  ArrayBuffer.isView(source)
    ? Buffer.from(source.buffer, source.byteOffset, source.byteLength)
    : Buffer.from(source);
const arrayBuffer = (bytes: Buffer) =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

// Flags: user present, user verified, backup eligible and backed up (a synced passkey).
const UP_UV_BE_BS = 0x01 | 0x04 | 0x08 | 0x10;
const ATTESTED_DATA = 0x40;

interface HeldCredential {
  id: Buffer;
  rpId: string;
  userHandle: Buffer;
  privateKey: KeyObject;
  signCount: number;
}

/**
 * A platform authenticator holding discoverable ES256 credentials, with user verification (the
 * user always confirms). `origin` is the page's origin that a browser would write into the
 * client data (the server's WEBAUTHN_ORIGINS). A conditional request is answered at once, as
 * if the user picked the passkey in the autofill.
 */
export class SoftwareAuthenticator {
  readonly held: HeldCredential[] = [];
  /** What each call asked for. */
  readonly calls: { kind: "create" | "get"; mediation?: CredentialMediationRequirement }[] = [];

  constructor(private readonly origin: string) {}

  readonly credentials: CredentialsContainerLike = {
    create: async (options) => this.create(options),
    get: async (options) => this.get(options),
  };

  private clientData(type: string, challenge: BufferSource): Buffer {
    return Buffer.from(
      JSON.stringify({
        type,
        challenge: b64url(bytesOf(challenge)),
        origin: this.origin,
        crossOrigin: false,
      }),
    );
  }

  private create(options: CredentialCreationOptions): Credential {
    this.calls.push({ kind: "create" });
    const publicKey = options.publicKey!;
    const rpId = publicKey.rp.id!;
    if (!publicKey.pubKeyCredParams.some((param) => param.alg === -7)) {
      throw new DOMException("No supported algorithm.", "NotSupportedError");
    }
    const excluded = (publicKey.excludeCredentials ?? []).map((d) => bytesOf(d.id));
    if (this.held.some((c) => c.rpId === rpId && excluded.some((id) => id.equals(c.id)))) {
      throw new DOMException("A credential of this account is here already.", "InvalidStateError");
    }
    const { privateKey, publicKey: key } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = key.export({ format: "jwk" });
    const coseKey = new Map<Cbor, Cbor>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x!, "base64url")],
      [-3, Buffer.from(jwk.y!, "base64url")],
    ]);
    const credential: HeldCredential = {
      id: randomBytes(16),
      rpId,
      userHandle: bytesOf(publicKey.user.id),
      privateKey,
      signCount: 0,
    };
    this.held.push(credential);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credential.id.length);
    const authData = Buffer.concat([
      createHash("sha256").update(rpId).digest(),
      Buffer.from([UP_UV_BE_BS | ATTESTED_DATA]),
      Buffer.alloc(4), // sign count 0
      Buffer.alloc(16), // AAGUID: none
      idLength,
      credential.id,
      cbor(coseKey),
    ]);
    const attestationObject = cbor({ fmt: "none", attStmt: {}, authData });
    return this.credential(credential, {
      clientDataJSON: arrayBuffer(this.clientData("webauthn.create", publicKey.challenge)),
      attestationObject: arrayBuffer(attestationObject),
      getTransports: () => ["internal", "hybrid"],
    });
  }

  private get(options: CredentialRequestOptions): Credential {
    this.calls.push({ kind: "get", mediation: options.mediation });
    const publicKey = options.publicKey!;
    const rpId = publicKey.rpId!;
    const allowed = (publicKey.allowCredentials ?? []).map((d) => bytesOf(d.id));
    const credential = this.held.find(
      (c) => c.rpId === rpId && (allowed.length === 0 || allowed.some((id) => id.equals(c.id))),
    );
    if (!credential) throw new DOMException("No passkey for this site.", "NotAllowedError");
    credential.signCount += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(credential.signCount);
    const authData = Buffer.concat([
      createHash("sha256").update(rpId).digest(),
      Buffer.from([UP_UV_BE_BS]),
      counter,
    ]);
    const clientDataJSON = this.clientData("webauthn.get", publicKey.challenge);
    const signed = Buffer.concat([authData, createHash("sha256").update(clientDataJSON).digest()]);
    return this.credential(credential, {
      clientDataJSON: arrayBuffer(clientDataJSON),
      authenticatorData: arrayBuffer(authData),
      signature: arrayBuffer(sign("sha256", signed, credential.privateKey)), // DER, as WebAuthn's
      userHandle: arrayBuffer(credential.userHandle),
    });
  }

  private credential(held: HeldCredential, response: Record<string, unknown>): Credential {
    return {
      id: b64url(held.id),
      rawId: arrayBuffer(held.id),
      type: "public-key",
      authenticatorAttachment: "platform",
      response,
      getClientExtensionResults: () => ({}),
    } as unknown as Credential;
  }
}
