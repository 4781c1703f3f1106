/**
 * What the tests against the real server need: a browser-like cookie jar per client (Node's fetch
 * keeps no cookies), and the codes the server mailed (its console mail backend writes every
 * message to AUTH_MAIL_LOG).
 */
import { readFile, stat } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import type { IncomingMessage } from "node:http";
import { createAuthClient } from "../src/react";
import type { CreateAuthClientOptions } from "../src/client";

export const BASE_URL = required("AUTH_BASE_URL");
const MAIL_LOG = required("AUTH_MAIL_LOG");

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests through scripts/test-web`);
  return value;
}

/** One browser: its cookies, sent to and set by the server; the client reads csrftoken from it. */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  read = (name: string) => this.cookies.get(name) ?? null;

  write = (name: string, value: string | null) => {
    if (value === null) this.cookies.delete(name);
    else this.cookies.set(name, value);
  };

  /** fetch over node:http, so it runs the same under a DOM test environment (whose fetch differs). */
  fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => (headers[key] = value));
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    if (cookie) headers.cookie = cookie;
    const body = ["GET", "HEAD"].includes(request.method)
      ? undefined
      : Buffer.from(await request.arrayBuffer());
    const answer = await new Promise<IncomingMessage & { body: Buffer }>((resolve, reject) => {
      const sent = httpRequest(url, { method: request.method, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve(Object.assign(response, { body: Buffer.concat(chunks) })));
        response.on("error", reject);
      });
      sent.on("error", reject);
      sent.end(body);
    });
    for (const line of answer.headers["set-cookie"] ?? []) this.store(line);
    const out = new Headers();
    for (const [key, value] of Object.entries(answer.headers)) {
      if (key !== "set-cookie" && typeof value === "string") out.set(key, value);
    }
    const status = answer.statusCode ?? 0;
    return new Response([204, 304].includes(status) ? null : new Uint8Array(answer.body), {
      status,
      statusText: answer.statusMessage,
      headers: out,
    });
  };

  private store(line: string) {
    const [pair, ...attributes] = line.split(";").map((part) => part.trim());
    const [name, ...rest] = pair.split("=");
    const gone = attributes.some(
      (a) =>
        /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()),
    );
    if (gone) this.cookies.delete(name);
    else this.cookies.set(name, rest.join("="));
  }
}

/** A client as a page of `jar`'s browser would create it (a new page load: a new client). */
export function pageOf(jar: CookieJar, options: Partial<CreateAuthClientOptions> = {}) {
  return createAuthClient({
    ...options,
    baseURL: BASE_URL,
    transport: "cookie", // a browser (the jar holds its cookies), though this runs in Node
    fetch: jar.fetch,
    readCookie: jar.read,
    writeCookie: jar.write,
  });
}

let counter = 0;
export function newEmail(label: string): string {
  counter += 1;
  return `${label}-${Date.now().toString(36)}-${counter}@client.example.com`;
}

export const PASSWORD = "correct horse battery";

const PURPOSE: Record<string, string> = {
  "sign-in": "Use this code to sign in",
  "email-verification": "Use this code to verify your email address",
  "forget-password": "Use this code to reset your password",
  "email-change": "Use this code to make this address the email of your account",
  reauthentication: "Use this code to confirm it is you",
};

/** Where the mail log ends now: codes sent after this are read from here on. */
export async function mailMark(): Promise<number> {
  return (await stat(MAIL_LOG)).size;
}

/** Mails that carry a link, by what they are for (a code mail of each type carries one too). */
const LINK_MAILS: Record<string, string> = {
  ...PURPOSE,
  "sign-in-link": "press the button there to sign in", // a link alone (email-link/send/)
  "email-change-undo": "The email address of your account was changed from this address",
};

/** The newest message to `email` after `since` that holds `text` and `pattern`: its match. */
async function readMail(email: string, text: string, pattern: RegExp, since: number) {
  const deadline = Date.now() + 15_000;
  const to = new RegExp(`^To: ${email.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m");
  while (Date.now() < deadline) {
    const log = (await readFile(MAIL_LOG)).subarray(since).toString("utf8");
    for (const message of log.split(/^-{79}$/m).reverse()) {
      if (!to.test(message) || !message.includes(text)) continue;
      const match = message.match(pattern);
      if (match) return match[1];
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return null;
}

/** The newest code mailed to `email` for `type` after `since`. */
export async function readCode(email: string, type: string, since: number): Promise<string> {
  const code = await readMail(email, PURPOSE[type], /^[ \t]+(\d{6})[ \t]*$/m, since);
  if (code === null) throw new Error(`no ${type} code for ${email}`);
  return code;
}

/**
 * The token of the newest link mailed to `email` after `since` in a mail of `kind` (a code
 * type, "sign-in-link" or "email-change-undo"): the link is `{WEB_ORIGIN}/auth/link#token=...`.
 */
export async function readLink(email: string, kind: string, since: number): Promise<string> {
  const token = await readMail(email, LINK_MAILS[kind], /\/auth\/link#token=([\w-]+)/, since);
  if (token === null) throw new Error(`no ${kind} link for ${email}`);
  return token;
}

/**
 * The web app's origin, from the link of a mail to `email` after `since` (`{WEB_ORIGIN}/auth/link`):
 * what a browser on the app's pages writes into WebAuthn's client data.
 */
export async function webOrigin(email: string, since: number): Promise<string> {
  const origin = await readMail(
    email,
    "/auth/link#token=",
    /(https?:\/\/[^\s/]+)\/auth\/link#/,
    since,
  );
  if (origin === null) throw new Error(`no link mailed to ${email}`);
  return origin;
}

/** A wrong code for `code` (same length, never equal). */
export const wrongCode = (code: string) => (code === "000000" ? "111111" : "000000");

/**
 * A new account signed in on a new browser, and the email-verification code and link its sign-up
 * mailed (waited for, so that no later code of a test races with it in the mail log).
 */
export async function signedUp(label: string, extra: { role?: "teacher" | "student" } = {}) {
  const jar = new CookieJar();
  const client = pageOf(jar);
  const email = newEmail(label);
  const since = await mailMark();
  const { data, error } = await client.signUp.email({
    email,
    password: PASSWORD,
    name: `Test ${label}`,
    ...extra,
  });
  if (error) throw new Error(`sign-up failed: ${error.code}`);
  const verificationCode = await readCode(email, "email-verification", since);
  const verificationLink = await readLink(email, "email-verification", since);
  const origin = await webOrigin(email, since);
  return { jar, client, email, user: data.user, verificationCode, verificationLink, origin };
}
