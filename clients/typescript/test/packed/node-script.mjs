// A project outside this repository: the packed client in plain Node (no loader, no set-up)
// against a live server (AUTH_BASE_URL). Signs up, reads the session, restores it in a second
// client from the token store the first one filled, and signs out. scripts/test-web runs it.
import assert from "node:assert/strict";
import { createAuthClient, memoryTokenStore } from "@authsvc/client";

const baseURL = process.env.AUTH_BASE_URL;
assert.ok(baseURL, "AUTH_BASE_URL is not set");
const calls = [];
/** Node's fetch, noting each call (the client needs no fetch of its own). */
const fetch = (request) => {
  calls.push(`${request.method} ${new URL(request.url).pathname}`);
  return globalThis.fetch(request);
};
const email = `packed-${Date.now().toString(36)}@client.example.com`;
const store = memoryTokenStore();

const client = createAuthClient({ baseURL, fetch, tokenStore: store });
assert.equal(client.$core.transport, "body");
const signUp = await client.signUp.email({ email, password: "correct horse battery", name: "P" });
assert.equal(signUp.error, null);
const session = await client.getSession();
assert.equal(session.error, null);
assert.equal(session.data?.user.email, email);
assert.deepEqual(calls, ["POST /api/auth/sign-up/", "GET /api/auth/session/"]);

calls.length = 0; // a later run of the script, with the same store
const later = createAuthClient({ baseURL, fetch, tokenStore: store });
const restored = await later.getSession();
assert.equal(restored.data?.user.email, email);
assert.deepEqual(calls, ["POST /api/auth/refresh/", "GET /api/auth/session/"]);

assert.deepEqual(await later.signOut(), { data: { success: true }, error: null });
assert.deepEqual(await later.getSession(), { data: null, error: null });
assert.equal(await store.get("refreshToken"), null);
console.log(`node: signed up ${email}, read the session, restored it, signed out`);
