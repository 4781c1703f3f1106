/** For tests: a token shaped like the API's (header.payload.signature, base64url), of which the
 * app reads only the payload. */
export function tokenWith(payload: object): string {
  const base64url = btoa(JSON.stringify(payload))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
  return `eyJhbGciOiJFZERTQSJ9.${base64url}.c2lnbmF0dXJl`;
}
