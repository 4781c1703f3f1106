// Another service's check of an access token: the service's JWKS, the token's kid, iss and aud
// pinned (the recipe in docs/tokens.md). Reads [{name, token, expect: "valid" | "invalid"}] on stdin;
// exits 1 if any token is judged otherwise.
//   node verify.mjs http://127.0.0.1:8000 < tokens.json
import { createRemoteJWKSet, jwtVerify } from "jose";

const base = process.argv[2];
const JWKS = createRemoteJWKSet(new URL("/.well-known/jwks.json", base));
const cases = JSON.parse(await new Response(process.stdin).text());
let wrong = 0;
for (const { name, token, expect } of cases) {
  let verdict = "valid";
  let detail = "";
  try {
    const { payload } = await jwtVerify(token, JWKS, {
      issuer: "authsvc",
      audience: "authsvc-api",
      algorithms: ["EdDSA", "RS256", "ES256"],
    });
    detail = `sub=${payload.sub} role=${payload.role}`;
  } catch (error) {
    verdict = "invalid";
    detail = error.code ?? error.message;
  }
  const ok = verdict === expect;
  if (!ok) wrong += 1;
  console.log(`  ${ok ? "✓" : "✗"} node/jose  ${name}: ${verdict} (${detail})`);
}
process.exit(wrong ? 1 : 0);
