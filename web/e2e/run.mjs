// End-to-end flow in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core)
// against the real Django server serving the built SPA. Started by scripts/test-web, which runs
// the server and passes:
//   E2E_BASE_URL    http://localhost:PORT (localhost, so Chromium keeps the Secure cookies on http)
//   E2E_MAIL_LOG    the server's stdout: the console mail backend prints every message there
//   E2E_SCREENSHOTS where to save a screenshot of each page (git-ignored; CI artifacts)
//   E2E_RESULTS     JSON file for the counts: {numPassedTests, numFailedTests, numSkippedTests}
//   E2E_ONLY        (optional) a regular expression: the other steps are skipped
// The flow is one story, so the first failing step skips the rest.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const BASE_URL = required("E2E_BASE_URL");
const MAIL_LOG = required("E2E_MAIL_LOG");
const SHOTS = process.env.E2E_SCREENSHOTS ?? new URL("./screenshots/", import.meta.url).pathname;
const RESULTS = process.env.E2E_RESULTS;
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const TIMEOUT = 15_000;
/** Run only the steps whose names match (for working on a part that starts its own account). */
const ONLY = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : null;

/** @param {string} name */
function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set (run scripts/test-web)`);
    process.exit(2);
  }
  return value;
}

// --- a tiny sequential test runner ----------------------------------------------------------------

/** @type {{name: string, status: "passed" | "failed" | "skipped", ms: number, error?: string}[]} */
const results = [];
let aborted = false;
/** @type {Map<string, import("playwright-core").Page>} */
const openPages = new Map();

/**
 * @param {string} name
 * @param {() => Promise<void>} fn
 */
async function test(name, fn) {
  if (aborted || (ONLY && !ONLY.test(name))) {
    results.push({ name, status: "skipped", ms: 0 });
    console.log(`  - ${name} (skipped)`);
    return;
  }
  const started = Date.now();
  try {
    await fn();
    const ms = Date.now() - started;
    results.push({ name, status: "passed", ms });
    console.log(`  ✓ ${name} (${ms} ms)`);
  } catch (error) {
    const ms = Date.now() - started;
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    results.push({ name, status: "failed", ms, error: message });
    console.log(`  ✗ ${name} (${ms} ms)\n${indent(message)}`);
    aborted = true;
    for (const [label, page] of openPages) {
      await page
        .screenshot({ path: join(SHOTS, `FAILED-${label}.png`), fullPage: true })
        .catch(() => {});
    }
  }
}

/** @param {string} text */
const indent = (text) =>
  text
    .split("\n")
    .map((line) => `      ${line}`)
    .join("\n");

// --- helpers -------------------------------------------------------------------------------------

let shotNumber = 0;
/**
 * A screenshot of the page at desktop width; for the app's own pages also axe-core and the same
 * state at phone width (no horizontal overflow, and a second screenshot).
 * @param {import("playwright-core").Page} page
 * @param {string} name
 * @param {{audit?: boolean}} [options]
 */
async function screenshot(page, name, { audit = true } = {}) {
  shotNumber += 1;
  const file = `${String(shotNumber).padStart(2, "0")}-${name}`;
  await page.screenshot({ path: join(SHOTS, `${file}.png`), fullPage: true });
  if (!audit) return; // pages of other projects' UIs (Swagger UI, the Django admin)
  await checkAccessibility(page, name);
  // The same state at phone width: no horizontal overflow, and a screenshot to look at.
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: PHONE_WIDTH, height: 844 });
  try {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE_WIDTH, `${name}: the page is ${width} px wide at ${PHONE_WIDTH} px`);
    const broken = await page.evaluate(brokenButtonLabels);
    assert.deepEqual(
      broken,
      [],
      `${name}: button labels broken inside a word at ${PHONE_WIDTH} px`,
    );
    const dots = await page.evaluate(linesStartingWithADot);
    assert.deepEqual(dots, [], `${name}: a line starts with "·" at ${PHONE_WIDTH} px`);
    await page.screenshot({ path: join(SHOTS, `${file}-${PHONE_WIDTH}.png`), fullPage: true });
  } finally {
    if (desktop) await page.setViewportSize(desktop);
  }
  pagesChecked += 1;
}

const PHONE_WIDTH = 390;

/**
 * Buttons whose widest word does not fit their content box (the label then breaks inside the
 * word: "Sig / n / out"). Runs in the page.
 * @returns {string[]}
 */
function brokenButtonLabels() {
  /** @type {string[]} */
  const broken = [];
  for (const button of Array.from(document.querySelectorAll("button, .button"))) {
    const element = /** @type {HTMLElement} */ (button);
    const label = element.innerText.trim();
    if (!label || element.offsetParent === null) continue;
    const style = getComputedStyle(element);
    const room =
      element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const probe = document.createElement("span");
    probe.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap";
    element.append(probe);
    let widest = 0;
    for (const word of label.split(/\s+/)) {
      probe.textContent = word;
      widest = Math.max(widest, probe.getBoundingClientRect().width);
    }
    probe.remove();
    if (widest > room + 1) broken.push(`${label} (${Math.round(widest)} > ${Math.round(room)} px)`);
  }
  return broken;
}

/**
 * The list rows' details ("192.0.2.1 · signed in … · last active …") with a line that starts with
 * its "·" separator. Runs in the page.
 * @returns {string[]}
 */
function linesStartingWithADot() {
  /** @type {string[]} */
  const stray = [];
  for (const details of Array.from(document.querySelectorAll("li .small"))) {
    const left = details.getBoundingClientRect().left;
    const walker = document.createTreeWalker(details, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = /** @type {Text} */ (node);
      for (
        let index = text.data.indexOf("·");
        index >= 0;
        index = text.data.indexOf("·", index + 1)
      ) {
        const range = document.createRange();
        range.setStart(text, index);
        range.setEnd(text, index + 1);
        if (range.getBoundingClientRect().left - left < 2) stray.push(details.textContent ?? "");
      }
    }
  }
  return stray;
}

/**
 * What has the focus: its tag, name and text, to compare with what should (never <body>).
 * @param {import("playwright-core").Page} page
 */
const focused = (page) =>
  page.evaluate(() => {
    const element = document.activeElement;
    return {
      tag: element?.tagName.toLowerCase(),
      name: element?.getAttribute("name") ?? null,
      text: element?.textContent?.trim() ?? "",
    };
  });

/**
 * Waits until the focus is on the field named `name`.
 * @param {import("playwright-core").Page} page
 * @param {string} name
 */
const focusOnField = (page, name) =>
  page.waitForFunction((name) => document.activeElement?.getAttribute("name") === name, name);

/**
 * Waits until the focus is on the success message `text` (a status that took it: the form that
 * was pressed is gone or disabled).
 * @param {import("playwright-core").Page} page
 * @param {string} text
 */
const focusOnMessage = (page, text) =>
  page.waitForFunction(
    (text) =>
      document.activeElement?.getAttribute("role") === "status" &&
      document.activeElement.textContent?.trim() === text,
    text,
  );

let pagesChecked = 0;
const AXE_SOURCE = await readFile(
  fileURLToPath(import.meta.resolve("axe-core/axe.min.js")),
  "utf8",
);

/**
 * axe-core's WCAG 2.x A/AA rules on the page as it is: any violation fails the step.
 * @param {import("playwright-core").Page} page
 * @param {string} name
 */
async function checkAccessibility(page, name) {
  // Evaluated over the DevTools protocol: the page's CSP (no inline script) stays as it is.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // @ts-expect-error axe is injected above
    const result = await window.axe.run(document, {
      runOnly: {
        type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
      },
    });
    return result.violations.map(
      (/** @type {{id: string, nodes: {target: string[]}[]}} */ v) =>
        `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
  });
  assert.deepEqual(violations, [], `${name}: axe-core violations`);
}

/**
 * The message under the field labelled `label` (aria-invalid, tied by aria-describedby), which
 * has the focus after the failed submit.
 * @param {import("playwright-core").Page} page
 * @param {string} label
 */
async function fieldError(page, label) {
  const input = page.getByLabel(label, { exact: true });
  await page.waitForFunction(
    (element) =>
      element?.getAttribute("aria-invalid") === "true" && document.activeElement === element,
    await input.elementHandle(),
    { timeout: TIMEOUT },
  );
  const errorId = ((await input.getAttribute("aria-describedby")) ?? "")
    .split(" ")
    .find((id) => id.endsWith("-error"));
  assert.ok(errorId, `${label}: no error message tied to the field`);
  return (await page.locator(`[id="${errorId}"]`).textContent())?.trim();
}

/**
 * @param {import("playwright-core").Page} page
 * @param {string | RegExp} name
 */
async function heading(page, name) {
  await page
    .getByRole("heading", { name, exact: typeof name === "string" })
    .waitFor({ timeout: TIMEOUT });
}

/**
 * The form-level alert's text, once it has appeared.
 * @param {import("playwright-core").Page} page
 */
async function alertText(page) {
  const alert = page.getByRole("alert");
  await alert.waitFor({ timeout: TIMEOUT });
  return (await alert.textContent())?.trim();
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Size of the mail log now: codes sent after this point are read from here on. */
async function mailMark() {
  return (await stat(MAIL_LOG)).size;
}

const PURPOSE = {
  "sign-in": "Use this code to sign in",
  "email-verification": "Use this code to verify your email address",
  "forget-password": "Use this code to reset your password",
  "email-change": "Use this code to make this address the email of your account",
  reauthentication: "Use this code to confirm it is you",
};

/**
 * The first group of `pattern` in the newest message to `email` after `since` that holds `text`
 * (the "development mail sink": the console backend prints each message with its `To:` header).
 * @param {string} email
 * @param {string} text
 * @param {RegExp} pattern
 * @param {number} since
 */
async function readMail(email, text, pattern, since) {
  const deadline = Date.now() + TIMEOUT;
  const to = new RegExp(`^To: ${email.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m");
  while (Date.now() < deadline) {
    const log = (await readFile(MAIL_LOG)).subarray(since).toString("utf8");
    const messages = log.split(/^-{79}$/m).reverse();
    for (const message of messages) {
      if (!to.test(message) || !message.includes(text)) continue;
      const match = message.match(pattern);
      if (match) return match[1];
    }
    await sleep(200);
  }
  return null;
}

/**
 * The newest 6-digit code mailed to `email` for `type` after `since` (on its own indented line).
 * @param {string} email
 * @param {keyof typeof PURPOSE} type
 * @param {number} since
 */
async function readCode(email, type, since) {
  const code = await readMail(email, PURPOSE[type], /^[ \t]+(\d{6})[ \t]*$/m, since);
  if (code === null) throw new Error(`no ${type} code for ${email} in ${MAIL_LOG}`);
  return code;
}

/**
 * The token of the link that the newest code mail of `type` to `email` after `since` carries
 * beside its code: `{WEB_ORIGIN}/auth/link#token=...`.
 * @param {string} email
 * @param {keyof typeof PURPOSE} type
 * @param {number} since
 */
async function readLinkToken(email, type, since) {
  const token = await readMail(email, PURPOSE[type], /\/auth\/link#token=([\w-]+)/, since);
  if (token === null) throw new Error(`no ${type} link for ${email} in ${MAIL_LOG}`);
  return token;
}

/** @param {string} name */
async function openBrowser(name) {
  // A fresh profile per browser: no cookies or storage from an earlier run.
  const userDataDir = await mkdtemp(join(tmpdir(), `authsvc-e2e-${name}-`));
  /** @type {import("playwright-core").BrowserContext} */
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      baseURL: BASE_URL,
      viewport: { width: 1000, height: 720 },
      locale: "en-US",
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  context.setDefaultTimeout(TIMEOUT);
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => pageErrors.push(`${name}: ${error.message}`));
  // A Content-Security-Policy violation is reported on the console: it counts as a page error.
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) {
      pageErrors.push(`${name}: ${message.text()}`);
    }
  });
  openPages.set(name, page);
  return { context, page, userDataDir };
}

/** @type {string[]} */
const pageErrors = [];

/**
 * @param {import("playwright-core").Page} page
 * @param {{email: string, password: string}} who
 */
async function signInWithPassword(page, who) {
  await page.getByLabel("Email", { exact: true }).fill(who.email);
  await page.getByLabel("Password", { exact: true }).fill(who.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/**
 * The rows of the settings page's "Trusted devices" list.
 * @param {import("playwright-core").Page} page
 */
const trustedDevices = (page) =>
  page.getByRole("list", { name: "Trusted devices", exact: true }).getByTestId("device");

/** @param {import("playwright-core").Page} page */
async function signOutFromNav(page) {
  await page.getByRole("navigation").getByRole("button", { name: "Sign out" }).click();
  await heading(page, "Sign in");
}

// --- second factors ------------------------------------------------------------------------------

/**
 * The bytes of a base32 text (RFC 4648, as authenticator apps take keys; spaces ignored).
 * @param {string} text
 */
function base32Bytes(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  /** @type {number[]} */
  const out = [];
  let bits = 0;
  let value = 0;
  for (const char of text.replace(/[\s=]/g, "").toUpperCase()) {
    const index = alphabet.indexOf(char);
    assert.ok(index >= 0, `not base32: ${char}`);
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/**
 * The 6-digit TOTP code of `secret` for time step `step` (RFC 6238: HMAC-SHA1, 30 s steps, the
 * dynamic truncation of RFC 4226), as an authenticator app computes it.
 * @param {string} secret
 * @param {number} step
 */
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32Bytes(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

// RFC 6238's own test vector (SHA-1, T = 59 s, its 8 digits 94287082): 287082 in 6 digits.
assert.equal(totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 1), "287082");

const currentStep = () => Math.floor(Date.now() / 30_000);
let lastTotpStep = 0;

/**
 * A code the server accepts now: a step within ±1 of the current one and later than the last
 * one used (a code works once). Waits for the next step when the last code used it up.
 * @param {string} secret
 */
async function nextTotpCode(secret) {
  const step = Math.max(lastTotpStep + 1, currentStep());
  while (step > currentStep() + 1) await sleep(500);
  lastTotpStep = step;
  return totp(secret, step);
}

/**
 * A passkey authenticator inside the browser (Chromium's virtual authenticator over the DevTools
 * protocol): platform-like, holding resident keys, verifying its user (so a passkey is a second
 * factor by itself), and confirming every request at once.
 * @param {import("playwright-core").Page} page
 */
async function addVirtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    credentials: async () =>
      (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials,
    /** Whether it confirms at once (the user touches it), or leaves requests waiting. */
    confirms: (/** @type {boolean} */ enabled) =>
      cdp.send("WebAuthn.setAutomaticPresenceSimulation", { authenticatorId, enabled }),
  };
}

/**
 * The settings card headed `name`.
 * @param {import("playwright-core").Page} page
 * @param {string} name
 */
const settingsCard = (page, name) =>
  page.locator(".card").filter({ has: page.getByRole("heading", { name, exact: true, level: 2 }) });

/**
 * The passkey calls the page makes from now until `stop()` (their last path segment).
 * @param {import("playwright-core").Page} page
 */
function passkeyCalls(page) {
  /** @type {string[]} */
  const calls = [];
  const record = (/** @type {import("playwright-core").Request} */ request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith("/api/auth/passkey/")) calls.push(path.split("/").at(-2) ?? path);
  };
  page.on("request", record);
  return {
    stop: () => {
      page.off("request", record);
      return calls;
    },
  };
}

/**
 * Screenshots of one element (a settings card, whose page is long) at desktop and phone width,
 * beside the page's own (which `screenshot` checks).
 * @param {import("playwright-core").Locator} locator
 * @param {string} name
 */
async function elementShot(locator, name) {
  const file = `${String(shotNumber).padStart(2, "0")}-${name}`;
  await locator.screenshot({ path: join(SHOTS, `${file}.png`) });
  const page = locator.page();
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: PHONE_WIDTH, height: 844 });
  try {
    await locator.screenshot({ path: join(SHOTS, `${file}-${PHONE_WIDTH}.png`) });
  } finally {
    if (desktop) await page.setViewportSize(desktop);
  }
}

// --- the flow ------------------------------------------------------------------------------------

const stamp = Date.now().toString(36);
const ada = {
  name: "Ada Lovelace",
  email: `ada-${stamp}@example.com`,
  password: "correct horse battery",
  resetPassword: "purple monkey dishwasher 42",
  changedPassword: "tangerine bicycle lantern",
  linkPassword: "seventeen paper cranes",
};
const grace = {
  name: "Grace Hopper",
  email: `grace-${stamp}@example.com`,
  password: "compilers all the way",
  newEmail: `grace-new-${stamp}@example.com`,
};
const katherine = {
  name: "Katherine Johnson",
  email: `katherine-${stamp}@example.com`,
  password: "orbital mechanics by hand",
  newEmail: `katherine-new-${stamp}@example.com`,
};
const dorothy = {
  name: "Dorothy Vaughan",
  email: `dorothy-${stamp}@example.com`,
  password: "fortran for the whole team",
};
const mary = {
  name: "Mary Jackson",
  email: `mary-${stamp}@example.com`,
  password: "wind tunnel at langley",
};
const REFRESH_COOKIE = "__Secure-refresh_token";
const PENDING_COOKIE = "__Secure-two_factor";
let adaSignUpMail = 0;

async function main() {
  await mkdir(SHOTS, { recursive: true });
  for (const file of await readdir(SHOTS)) {
    if (file.endsWith(".png")) await rm(join(SHOTS, file));
  }
  console.log(`e2e against ${BASE_URL} with ${CHROMIUM}`);

  const a = await openBrowser("browser-a");
  /** @type {Awaited<ReturnType<typeof openBrowser>> | null} */
  let b = null;
  /** Browsers that open a mailed link (each a fresh profile, as on another device).
   * @type {Awaited<ReturnType<typeof openBrowser>>[]} */
  const linkBrowsers = [];
  const pageA = a.page;

  try {
    await test("sign-up shows the API's error for a too-short password", async () => {
      await pageA.goto("/sign-up");
      await heading(pageA, "Create an account");
      await pageA.getByLabel("Name", { exact: true }).fill(ada.name);
      await pageA.getByLabel("Email", { exact: true }).fill(ada.email);
      await pageA.getByLabel("Password", { exact: true }).fill("short");
      await pageA.getByRole("button", { name: "Create account" }).click();
      assert.equal(
        await fieldError(pageA, "Password"),
        "The password is too short: use at least 8 characters.",
      );
      await screenshot(pageA, "sign-up-error");
    });

    await test("sign-up (teacher) signs in and shows the teacher dashboard", async () => {
      await pageA.reload();
      await heading(pageA, "Create an account");
      await pageA.getByLabel("Name", { exact: true }).fill(ada.name);
      await pageA.getByLabel("Email", { exact: true }).fill(ada.email);
      await pageA.getByLabel("Password", { exact: true }).fill(ada.password);
      await pageA.getByLabel("Teacher", { exact: true }).check();
      await screenshot(pageA, "sign-up");
      adaSignUpMail = await mailMark();
      await pageA.getByRole("button", { name: "Create account" }).click();
      await heading(pageA, `Welcome, ${ada.name}!`);
      assert.equal(new URL(pageA.url()).pathname, "/dashboard");
      await pageA.getByTestId("teacher-view").waitFor();
      await pageA.getByText("We emailed you a code to verify your address.").waitFor();
      await screenshot(pageA, "dashboard-teacher-unverified");

      const cookie = (await a.context.cookies()).find((c) => c.name === REFRESH_COOKIE);
      assert.ok(cookie, "the refresh cookie is set");
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.secure, true);
      assert.equal(cookie.sameSite, "Strict");
      assert.equal(cookie.path, "/api/auth/");
      const storage = await pageA.evaluate(() => ({
        stored: localStorage.length + sessionStorage.length,
        scriptCookies: document.cookie,
      }));
      assert.equal(storage.stored, 0, "nothing in localStorage/sessionStorage");
      assert.doesNotMatch(
        storage.scriptCookies,
        /refresh_token|eyJ/,
        "no token readable by scripts",
      );
    });

    await test("sign-up with a taken email says the account exists (second browser)", async () => {
      b = await openBrowser("browser-b");
      await b.page.goto("/sign-up");
      await heading(b.page, "Create an account");
      await b.page.getByLabel("Name", { exact: true }).fill("Someone Else");
      await b.page.getByLabel("Email", { exact: true }).fill(ada.email);
      await b.page.getByLabel("Password", { exact: true }).fill("another fine password");
      await b.page.getByRole("button", { name: "Create account" }).click();
      assert.equal(
        await fieldError(b.page, "Email"),
        "An account with this email already exists. Sign in instead.",
      );
      await screenshot(b.page, "sign-up-user-exists");
    });

    await test("verify email: the code mailed at sign-up, then a new one (cooldown)", async () => {
      const signUpCode = await readCode(ada.email, "email-verification", adaSignUpMail);
      await pageA.getByRole("link", { name: "Enter the code" }).click();
      await heading(pageA, "Verify your email");
      await pageA.getByLabel("6-digit code", { exact: true }).waitFor(); // straight to the code
      const mark = await mailMark();
      await pageA.getByRole("button", { name: "Send a new code" }).click();
      await pageA.getByText("A new code is on its way. Only the newest code works.").waitFor();
      await focusOnField(pageA, "otp"); // the new code's field, not the page's start
      const waiting = pageA.getByRole("button", { name: /^Send a new code \(in \d+ s\)$/ });
      assert.equal(
        await waiting.getAttribute("aria-disabled"),
        "true",
        "no second resend during the cooldown",
      );
      const left = Number((await waiting.innerText()).match(/\d+/)?.[0]);
      assert.ok(left >= 1 && left <= 30, `a 30 s cooldown shows ${left} s`);
      const code = await readCode(ada.email, "email-verification", mark);
      assert.notEqual(code, signUpCode);
      await pageA.getByLabel("6-digit code", { exact: true }).fill(code);
      await screenshot(pageA, "verify-email-code");
      await pageA.getByRole("button", { name: "Verify email" }).click();
      await focusOnMessage(pageA, "Your email is verified. Thank you!");
      await pageA.getByRole("link", { name: "Back to the dashboard" }).click();
      await heading(pageA, `Welcome, ${ada.name}!`);
      assert.equal(await pageA.getByText("We emailed you a code").count(), 0);
    });

    await test("sign-out returns to sign-in and ends the session", async () => {
      await signOutFromNav(pageA);
      await pageA.getByText("You have signed out.").waitFor();
      const cookies = await a.context.cookies();
      assert.ok(!cookies.some((c) => c.name === REFRESH_COOKIE), "the refresh cookie is cleared");
      await pageA.reload();
      await heading(pageA, "Sign in");
      assert.equal(new URL(pageA.url()).pathname, "/sign-in");
    });

    await test("sign-in with a wrong password says 'Wrong email or password.'", async () => {
      await signInWithPassword(pageA, { email: ada.email, password: "not my password" });
      assert.equal(await alertText(pageA), "Wrong email or password.");
      await screenshot(pageA, "sign-in-error");
    });

    await test("sign-in with email and password (remember me) opens the dashboard", async () => {
      assert.equal(await pageA.getByLabel("Remember me", { exact: true }).isChecked(), true);
      await pageA.getByLabel("Password", { exact: true }).fill(ada.password);
      await screenshot(pageA, "sign-in");
      await pageA.getByRole("button", { name: "Sign in", exact: true }).click();
      await heading(pageA, `Welcome, ${ada.name}!`);
      const cookie = (await a.context.cookies()).find((c) => c.name === REFRESH_COOKIE);
      assert.ok(cookie && cookie.expires > Date.now() / 1000 + 86_400, "a persistent cookie");
    });

    await test("a reload restores the session from the refresh cookie", async () => {
      const refreshed = pageA.waitForResponse(
        (r) => r.url().endsWith("/api/auth/refresh/") && r.request().method() === "POST",
      );
      await pageA.reload();
      assert.equal((await refreshed).status(), 200);
      await heading(pageA, `Welcome, ${ada.name}!`);
      // A deep link is served index.html by Django and restored the same way.
      await pageA.goto("/settings");
      await heading(pageA, "Settings");
      await pageA.getByRole("link", { name: "Dashboard" }).click();
      await heading(pageA, `Welcome, ${ada.name}!`);
    });

    await test("sign-in with a code from the mail sink (a wrong code is refused first)", async () => {
      await signOutFromNav(pageA);
      await pageA.getByRole("link", { name: "Sign in with a code instead" }).click();
      await heading(pageA, "Sign in with a code");
      await pageA.getByLabel("Email", { exact: true }).fill(ada.email);
      const mark = await mailMark();
      await pageA.getByRole("button", { name: "Send me a code" }).click();
      await pageA.getByLabel("6-digit code", { exact: true }).waitFor();
      const code = await readCode(ada.email, "sign-in", mark);
      await pageA
        .getByLabel("6-digit code", { exact: true })
        .fill(code === "000000" ? "111111" : "000000");
      await pageA.getByRole("button", { name: "Sign in", exact: true }).click();
      assert.equal(
        await fieldError(pageA, "6-digit code"),
        "That code is not right. Check it, or ask for a new one.",
      );
      await screenshot(pageA, "sign-in-code-error");
      // Pasted from a plain-text mail, with a space in front and one in the middle: all 6
      // digits are kept (an input maxLength would have cut the paste first).
      const field = pageA.getByLabel("6-digit code", { exact: true });
      await field.fill("");
      await field.focus();
      await pageA.keyboard.insertText(` ${code.slice(0, 3)} ${code.slice(3)}`);
      assert.equal(await field.inputValue(), code);
      await pageA.getByRole("button", { name: "Sign in", exact: true }).click();
      await heading(pageA, `Welcome, ${ada.name}!`);
    });

    await test("forgot password: emailed code, then a new password", async () => {
      await signOutFromNav(pageA);
      await pageA.getByRole("link", { name: "Forgot your password?" }).click();
      await heading(pageA, "Reset your password");
      await pageA.getByLabel("Email", { exact: true }).fill(ada.email);
      const mark = await mailMark();
      await pageA.getByRole("button", { name: "Send me a code" }).click();
      await pageA.getByLabel("6-digit code", { exact: true }).waitFor();
      await pageA.getByRole("button", { name: "Use another email" }).waitFor();
      await pageA
        .getByLabel("6-digit code", { exact: true })
        .fill(await readCode(ada.email, "forget-password", mark));
      await screenshot(pageA, "forgot-password-code");
      await pageA.getByRole("button", { name: "Continue" }).click();
      await focusOnField(pageA, "password"); // the new password's field takes the focus
      await pageA.getByLabel("New password", { exact: true }).fill(ada.resetPassword);
      await pageA.getByRole("button", { name: "Set new password" }).click();
      // An empty repeat is asked for, not called a mismatch.
      assert.equal(await fieldError(pageA, "Repeat the new password"), "Repeat the new password.");
      await pageA.getByLabel("Repeat the new password", { exact: true }).fill(ada.resetPassword);
      await screenshot(pageA, "forgot-password-new-password");
      await pageA.getByRole("button", { name: "Set new password" }).click();
      await focusOnMessage(pageA, "Your password has been changed. Every device was signed out.");
      // The way on is as wide as the buttons of the steps before it.
      const card = await pageA.locator(".card").boundingBox();
      const button = await pageA.getByRole("link", { name: "Sign in", exact: true }).boundingBox();
      assert.ok(card && button && button.width > card.width - 80, "a full-width button");
      await screenshot(pageA, "forgot-password-done");
    });

    await test("the old password is refused and the new one signs in", async () => {
      await pageA.getByRole("link", { name: "Sign in" }).click();
      await heading(pageA, "Sign in");
      await signInWithPassword(pageA, { email: ada.email, password: ada.password });
      assert.equal(await alertText(pageA), "Wrong email or password.");
      await pageA.getByLabel("Password", { exact: true }).fill(ada.resetPassword);
      await pageA.getByRole("button", { name: "Sign in", exact: true }).click();
      await heading(pageA, `Welcome, ${ada.name}!`);
    });

    await test("settings lists this browser as the one trusted device", async () => {
      await pageA.getByRole("link", { name: "Settings" }).click();
      await heading(pageA, "Settings");
      const rows = trustedDevices(pageA);
      await rows.first().waitFor();
      assert.equal(await rows.count(), 1);
      assert.match(await rows.first().innerText(), /This device/);
      await pageA.getByRole("link", { name: "Dashboard" }).click(); // the next step reloads it
      await heading(pageA, `Welcome, ${ada.name}!`);
    });

    await test("settings lists both browsers' sign-ins and revokes the other one", async () => {
      assert.ok(b);
      await b.page.goto("/sign-in");
      await heading(b.page, "Sign in");
      await signInWithPassword(b.page, { email: ada.email, password: ada.resetPassword });
      await heading(b.page, `Welcome, ${ada.name}!`);

      await pageA.getByRole("link", { name: "Settings" }).click();
      await heading(pageA, "Settings");
      const rows = pageA.getByTestId("session");
      await pageA.waitForFunction(
        () => document.querySelectorAll('[data-testid="session"]').length === 2,
      );
      assert.equal(await rows.filter({ hasText: "This device" }).count(), 1);
      await screenshot(pageA, "settings-two-sign-ins");
      await rows.filter({ hasNotText: "This device" }).getByRole("button").click();
      await pageA.waitForFunction(
        () => document.querySelectorAll('[data-testid="session"]').length === 1,
      );
      await rows.filter({ hasText: "This device" }).waitFor();
      await screenshot(pageA, "settings-after-revoke");
    });

    await test("the second browser's sign-in made it a trusted device; revoking it leaves one", async () => {
      const rows = trustedDevices(pageA);
      await pageA.waitForFunction(
        () => document.querySelectorAll('[data-testid="device"]').length === 2,
      );
      const current = rows.filter({ hasText: "This device" });
      assert.equal(await current.count(), 1);
      for (const text of await rows.allInnerTexts()) {
        assert.match(text, /^Chrome on Linux/, "a readable device name");
        assert.match(text, /last used \w{3} \d{1,2}, \d{4}/, "the date of its last use");
      }
      await screenshot(pageA, "settings-two-devices");
      const other = rows.filter({ hasNotText: "This device" });
      await other.getByRole("button", { name: /^Revoke Chrome on Linux, last used / }).click();
      await pageA.waitForFunction(
        () => document.querySelectorAll('[data-testid="device"]').length === 1,
      );
      await current.waitFor();
      assert.equal(await pageA.getByRole("alert").count(), 0);
      await screenshot(pageA, "settings-after-device-revoke");
    });

    await test("the revoked browser is signed out at its next API call", async () => {
      assert.ok(b);
      await b.page.getByRole("link", { name: "Settings" }).click();
      // sessions/ answers 401 (sign-in revoked), refresh/ answers 401 too: back to sign-in.
      await heading(b.page, "Sign in");
      await b.page.getByText("Your session has ended. Please sign in again.").waitFor();
      await screenshot(b.page, "revoked-browser-signed-out");
    });

    await test("change password from settings (the new one twice, as at a reset)", async () => {
      const card = settingsCard(pageA, "Change password");
      // Hidden, for password managers: the account the new password belongs to.
      const username = card.locator('input[autocomplete="username"]');
      assert.equal(await username.inputValue(), ada.email);
      await card.getByLabel("Current password", { exact: true }).fill(ada.resetPassword);
      await card.getByLabel("New password", { exact: true }).fill("123");
      await card.getByLabel("Repeat the new password", { exact: true }).fill("123");
      await card.getByRole("button", { name: "Change password" }).click();
      assert.equal(
        await fieldError(pageA, "New password"),
        "The password is too short: use at least 8 characters.",
      );
      await card.getByLabel("New password", { exact: true }).fill(ada.changedPassword);
      await card.getByRole("button", { name: "Change password" }).click();
      assert.equal(
        await fieldError(pageA, "Repeat the new password"),
        "The two passwords do not match.",
      );
      await card.getByLabel("Repeat the new password", { exact: true }).fill(ada.changedPassword);
      await card.getByRole("button", { name: "Change password" }).click();
      await focusOnMessage(pageA, "Your password has been changed.");
      // The activity below lists it at once, with no reload.
      const newest = pageA.getByTestId("security-event").first();
      await newest.filter({ hasText: "Password changed" }).waitFor();
      await screenshot(pageA, "settings-password-changed");
    });

    await test("sign-out from settings; the new password signs in", async () => {
      await pageA.getByRole("button", { name: "Sign out of this device" }).click();
      await heading(pageA, "Sign in");
      await signInWithPassword(pageA, { email: ada.email, password: ada.changedPassword });
      await heading(pageA, `Welcome, ${ada.name}!`);
      await pageA.getByTestId("teacher-view").waitFor();
      await screenshot(pageA, "dashboard-teacher");
    });

    await test("a student's sign-up shows the student dashboard", async () => {
      assert.ok(b);
      await b.page.getByRole("link", { name: "Create an account" }).click();
      await heading(b.page, "Create an account");
      await b.page.getByLabel("Name", { exact: true }).fill(grace.name);
      await b.page.getByLabel("Email", { exact: true }).fill(grace.email);
      await b.page.getByLabel("Password", { exact: true }).fill(grace.password);
      assert.equal(await b.page.getByLabel("Student", { exact: true }).isChecked(), true);
      await b.page.getByRole("button", { name: "Create account" }).click();
      await heading(b.page, `Welcome, ${grace.name}!`);
      await b.page.getByTestId("student-view").waitFor();
      assert.equal(await b.page.getByTestId("teacher-view").count(), 0);
      await screenshot(b.page, "dashboard-student");
    });

    await test("settings: profile name and picture", async () => {
      assert.ok(b);
      await b.page.getByRole("link", { name: "Settings" }).click();
      await heading(b.page, "Settings");
      assert.equal(await b.page.title(), "Settings · Classroom"); // each page its own title
      await b.page.getByLabel("Name", { exact: true }).fill("Grace B. Hopper");
      await b.page.getByLabel("Picture URL", { exact: true }).fill("http://example.com/g.png");
      await b.page.getByRole("button", { name: "Save profile" }).click();
      assert.equal(await fieldError(b.page, "Picture URL"), "Enter an https:// URL.");
      assert.equal(await b.page.getByRole("alert").count(), 0, "no banner over the field's error");
      await screenshot(b.page, "settings-profile-bad-picture");
      await b.page.getByLabel("Picture URL", { exact: true }).fill("");
      await b.page.getByRole("button", { name: "Save profile" }).click();
      await focusOnMessage(b.page, "Your profile has been saved.");
      await screenshot(b.page, "settings-profile");
    });

    await test("settings: change email with a code sent to the new address", async () => {
      assert.ok(b);
      const card = b.page.locator(".card", { hasText: "Email address" });
      await card.getByLabel("New email address", { exact: true }).fill(grace.email);
      await card.getByRole("button", { name: "Send a code to the new address" }).click();
      assert.equal(
        await fieldError(b.page, "New email address"),
        "That is already your email address.",
      );
      await card.getByLabel("New email address", { exact: true }).fill(grace.newEmail);
      await card.locator(".field-error").waitFor({ state: "detached" }); // the edit clears it
      let mark = await mailMark();
      await card.getByRole("button", { name: "Send a code to the new address" }).click();
      const first = await readCode(grace.newEmail, "email-change", mark);
      const resend = card.getByRole("button", { name: /^Send a new code \(in \d+ s\)$/ });
      assert.equal(await resend.getAttribute("aria-disabled"), "true");
      // Three wrong codes: the third is said to have used the code up (the API says so only at
      // a fourth).
      const field = card.getByLabel("6-digit code", { exact: true });
      const wrong = first === "000000" ? "111111" : "000000";
      const said = [];
      for (let attempt = 0; attempt < 3; attempt += 1) {
        await field.fill(wrong);
        // The edit takes the last answer's message away: the next one read is the new one.
        await card.locator(".field-error").waitFor({ state: "detached" });
        await card.getByRole("button", { name: "Change email" }).click();
        said.push(await fieldError(b.page, "6-digit code"));
      }
      assert.deepEqual(said, [
        "That code is not right. Check it, or ask for a new one.",
        "That code is not right. Check it, or ask for a new one.",
        "Too many wrong codes. Ask for a new one.",
      ]);
      await screenshot(b.page, "settings-change-email-code-used-up");
      await card.getByRole("button", { name: "Use another address" }).click();
      mark = await mailMark();
      await card.getByRole("button", { name: "Send a code to the new address" }).click();
      const code = await readCode(grace.newEmail, "email-change", mark);
      await field.fill(code);
      await screenshot(b.page, "settings-change-email-code");
      await card.getByRole("button", { name: "Change email" }).click();
      await focusOnMessage(b.page, `Your email address is now ${grace.newEmail}.`);
    });

    await test("settings: recent security activity", async () => {
      assert.ok(b);
      await b.page.reload();
      await heading(b.page, "Settings");
      const events = b.page.getByTestId("security-event");
      await events.first().waitFor();
      assert.match(await events.first().innerText(), /Email address changed/);
      await screenshot(b.page, "settings-activity");
    });

    await test("delete account: step-up, typed confirmation, back to sign-in", async () => {
      assert.ok(b);
      const zone = b.page.locator(".card", { hasText: "Delete account" });
      const start = zone.getByRole("button", { name: "Delete my account…" });
      await start.click();
      const focused = () => b?.page.evaluate(() => document.activeElement?.getAttribute("name"));
      assert.equal(await focused(), "password", "the password field takes the focus");
      await zone.getByRole("button", { name: "Cancel" }).click();
      await b.page.waitForFunction(
        () => document.activeElement?.textContent === "Delete my account…",
      );
      await start.click();
      await zone.getByLabel("Your password", { exact: true }).fill("not the password");
      await zone.getByRole("button", { name: "Confirm" }).click();
      assert.equal(
        await fieldError(b.page, "Your password"),
        "Your current password is not correct.",
      );
      await zone.getByLabel("Your password", { exact: true }).fill(grace.password);
      await zone.getByRole("button", { name: "Confirm" }).click();
      const remove = zone.getByRole("button", { name: "Delete my account for good" });
      assert.equal(await remove.isDisabled(), true);
      await zone.getByLabel('Type "DELETE" to confirm', { exact: true }).fill("DELETE");
      await screenshot(b.page, "settings-delete-account");
      await remove.click();
      await heading(b.page, "Sign in");
      assert.equal(await b.page.title(), "Sign in · Classroom");
      await b.page.getByText("Your account has been deleted.").waitFor();
      await screenshot(b.page, "sign-in-after-deletion");
      await signInWithPassword(b.page, { email: grace.newEmail, password: grace.password });
      assert.equal(await alertText(b.page), "Wrong email or password.");
    });

    await test("dark mode follows the system setting", async () => {
      await pageA.goto("/settings");
      await heading(pageA, "Settings");
      await pageA.emulateMedia({ colorScheme: "dark" });
      const dark = await pageA.evaluate(
        () => getComputedStyle(document.documentElement).backgroundColor,
      );
      assert.equal(dark, "rgb(18, 20, 26)");
      await screenshot(pageA, "settings-dark");
      await pageA.emulateMedia({ colorScheme: "light" });
    });

    /** The link of a sign-in code mail, kept to show that it works once. */
    let signInLink = "";

    await test("sign-in by link: asked for on the code page, one press in a fresh browser", async () => {
      assert.ok(b);
      await b.page.goto("/sign-in/code");
      await heading(b.page, "Sign in with a code");
      await b.page.getByLabel("Email", { exact: true }).fill(ada.email);
      const mark = await mailMark();
      await b.page.getByRole("button", { name: "Send me a code" }).click();
      await b.page.getByLabel("6-digit code", { exact: true }).waitFor();
      signInLink = await readLinkToken(ada.email, "sign-in", mark);

      const c = await openBrowser("browser-c"); // the phone the mail was read on
      linkBrowsers.push(c);
      /** @type {string[]} */
      const linkCalls = [];
      c.page.on("request", (request) => {
        if (request.url().includes("/api/auth/email-link/")) linkCalls.push(request.method());
      });
      await c.page.goto(`/auth/link#token=${signInLink}`);
      await heading(c.page, "Continue from your email");
      const main = c.page.getByRole("main");
      await main.getByRole("button", { name: "Continue" }).waitFor();
      assert.equal(await main.getByRole("button").count(), 1, "one button");
      assert.equal(await c.page.title(), "Email link · Classroom");
      // The token leaves the address bar (and the history entry) before anything else happens.
      assert.equal(new URL(c.page.url()).hash, "");
      assert.equal(await c.page.evaluate(() => location.href.includes("token")), false);
      await c.page.waitForLoadState("networkidle");
      assert.deepEqual(linkCalls, [], "opening the link uses nothing (mail scanners open links)");
      await screenshot(c.page, "link-continue");

      await main.getByRole("button", { name: "Continue" }).click();
      await heading(c.page, `Welcome, ${ada.name}!`);
      assert.equal(new URL(c.page.url()).pathname, "/dashboard");
      assert.deepEqual(linkCalls, ["POST"]);
      const cookie = (await c.context.cookies()).find((item) => item.name === REFRESH_COOKIE);
      assert.ok(cookie?.httpOnly, "signed in with the refresh cookie, like a code sign-in");
      await c.page.reload();
      await heading(c.page, `Welcome, ${ada.name}!`);
    });

    await test("a used link says so and offers a new code; a link without its token is incomplete", async () => {
      const d = await openBrowser("browser-d");
      linkBrowsers.push(d);
      await d.page.goto(`/auth/link#token=${signInLink}`);
      await d.page.getByRole("button", { name: "Continue" }).click();
      assert.equal(
        await alertText(d.page),
        "This link is invalid, expired or already used. Ask for a new one.",
      );
      await d.page.waitForFunction(() => document.activeElement?.getAttribute("role") === "alert");
      assert.equal(await d.page.getByRole("main").getByRole("button").count(), 0);
      await d.page.getByRole("link", { name: "Sign in with a new code" }).waitFor();
      await screenshot(d.page, "link-used");

      await d.page.goto("/auth/link");
      assert.equal(
        await alertText(d.page),
        "This link is incomplete. Open it again from the email, or ask for a new one.",
      );
      assert.equal(await d.page.getByRole("main").getByRole("button").count(), 0);
      await screenshot(d.page, "link-incomplete");
    });

    await test("forgot password by link: a new password right there, then sign in with it", async () => {
      const d = linkBrowsers[1];
      await d.page.getByRole("link", { name: "Forgot your password?" }).click();
      await heading(d.page, "Reset your password");
      await d.page.getByLabel("Email", { exact: true }).fill(ada.email);
      const mark = await mailMark();
      await d.page.getByRole("button", { name: "Send me a code" }).click();
      await d.page.getByLabel("6-digit code", { exact: true }).waitFor();
      const token = await readLinkToken(ada.email, "forget-password", mark);
      await d.page.goto(`/auth/link#token=${token}`);
      await d.page.getByRole("button", { name: "Continue" }).click();
      await heading(d.page, "Choose a new password");
      const password = d.page.getByLabel("New password", { exact: true });
      await d.page.waitForFunction(
        () => document.activeElement?.getAttribute("name") === "password",
      );
      await password.fill(ada.linkPassword);
      await d.page.getByLabel("Repeat the new password", { exact: true }).fill(ada.linkPassword);
      await screenshot(d.page, "link-new-password");
      await d.page.getByRole("button", { name: "Set new password" }).click();
      await heading(d.page, "Password changed");
      await d.page
        .getByText("Your password has been changed. Every device was signed out.")
        .waitFor();
      await screenshot(d.page, "link-password-changed");
      await d.page.getByRole("link", { name: "Sign in", exact: true }).click();
      await heading(d.page, "Sign in");
      await signInWithPassword(d.page, { email: ada.email, password: ada.changedPassword });
      assert.equal(await alertText(d.page), "Wrong email or password.");
      await d.page.getByLabel("Password", { exact: true }).fill(ada.linkPassword);
      await d.page.getByRole("button", { name: "Sign in", exact: true }).click();
      await heading(d.page, `Welcome, ${ada.name}!`);
    });

    await test("signed in, a verification link verifies; an email change by link is done", async () => {
      const e = await openBrowser("browser-e");
      linkBrowsers.push(e);
      await e.page.goto("/sign-up");
      await heading(e.page, "Create an account");
      await e.page.getByLabel("Name", { exact: true }).fill(katherine.name);
      await e.page.getByLabel("Email", { exact: true }).fill(katherine.email);
      await e.page.getByLabel("Password", { exact: true }).fill(katherine.password);
      let mark = await mailMark();
      await e.page.getByRole("button", { name: "Create account" }).click();
      await heading(e.page, `Welcome, ${katherine.name}!`);
      const verification = await readLinkToken(katherine.email, "email-verification", mark);

      await e.page.goto(`/auth/link#token=${verification}`);
      await heading(e.page, "Continue from your email");
      await e.page.getByText("You are signed in as").waitFor();
      await screenshot(e.page, "link-continue-signed-in");
      await e.page.getByRole("button", { name: "Continue" }).click();
      await heading(e.page, "Email verified");
      await e.page.getByText(`Your email ${katherine.email} is verified. Thank you!`).waitFor();
      await screenshot(e.page, "link-email-verified");
      await e.page.getByRole("link", { name: "Go to the dashboard" }).click();
      await heading(e.page, `Welcome, ${katherine.name}!`);
      assert.equal(await e.page.getByText("verify your address").count(), 0);

      await e.page.getByRole("link", { name: "Settings" }).click();
      await heading(e.page, "Settings");
      const card = e.page.locator(".card", { hasText: "Email address" });
      await card.getByLabel("New email address", { exact: true }).fill(katherine.newEmail);
      mark = await mailMark();
      await card.getByRole("button", { name: "Send a code to the new address" }).click();
      const change = await readLinkToken(katherine.newEmail, "email-change", mark);
      await e.page.goto(`/auth/link#token=${change}`);
      await e.page.getByRole("button", { name: "Continue" }).click();
      await heading(e.page, "Done");
      await e.page.getByText("Every device signed in to the account was signed out.").waitFor();
      // The change ended this browser's sign-in too: the page knows it.
      await e.page.getByRole("navigation").waitFor({ state: "detached" });
      await screenshot(e.page, "link-done");
      await e.page.getByRole("link", { name: "Sign in", exact: true }).click();
      await heading(e.page, "Sign in");
      await signInWithPassword(e.page, { email: katherine.newEmail, password: katherine.password });
      await heading(e.page, `Welcome, ${katherine.name}!`);
    });

    await test("a code sign-up sets a password in settings (none asked for); confirm it is you starts with an emailed code", async () => {
      const g = await openBrowser("browser-g");
      linkBrowsers.push(g);
      const page = g.page;
      await page.goto("/sign-in/code");
      await heading(page, "Sign in with a code");
      await page.getByLabel("Email", { exact: true }).fill(mary.email);
      let mark = await mailMark();
      await page.getByRole("button", { name: "Send me a code" }).click();
      await page
        .getByLabel("6-digit code", { exact: true })
        .fill(await readCode(mary.email, "sign-in", mark));
      await page.getByText("New here? Tell us your name").click();
      await page.getByLabel("Name (optional)", { exact: true }).fill(mary.name);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await heading(page, `Welcome, ${mary.name}!`);

      await page.getByRole("link", { name: "Settings" }).click();
      await heading(page, "Settings");
      const card = settingsCard(page, "Set a password");
      await card.getByLabel("New password", { exact: true }).waitFor();
      assert.equal(await card.getByLabel("Current password", { exact: true }).count(), 0);
      await card.getByLabel("New password", { exact: true }).fill(mary.password);
      await card.getByLabel("Repeat the new password", { exact: true }).fill(mary.password);
      await screenshot(page, "settings-set-password");
      await elementShot(card, "card-set-password");
      await card.getByRole("button", { name: "Set password" }).click(); // a recent sign-in
      await focusOnMessage(page, "Your password has been set.");
      await page
        .getByTestId("security-event")
        .first()
        .filter({ hasText: "Password changed" })
        .waitFor();

      // This sign-in began with an emailed code: so does "confirm it is you", when asked for.
      const zone = settingsCard(page, "Delete account");
      await zone.getByRole("button", { name: "Delete my account…" }).click();
      const send = zone.getByRole("button", { name: "Email me a code" });
      await page.waitForFunction(() => document.activeElement?.textContent === "Email me a code");
      const ways = zone.getByRole("list", { name: "Other ways to confirm it is you" });
      assert.deepEqual(await ways.getByRole("button").allInnerTexts(), ["Use my password instead"]);
      await screenshot(page, "settings-step-up-email-first");
      await elementShot(zone, "card-step-up-email-first");
      mark = await mailMark();
      await send.click();
      await focusOnField(page, "otp");
      const resend = zone.getByRole("button", { name: /^Send a new code \(in \d+ s\)$/ });
      assert.equal(await resend.getAttribute("aria-disabled"), "true");
      await zone
        .getByLabel("6-digit code", { exact: true })
        .fill(await readCode(mary.email, "reauthentication", mark));
      await screenshot(page, "settings-step-up-email-code");
      await zone.getByRole("button", { name: "Confirm" }).click();
      await zone.getByLabel('Type "DELETE" to confirm', { exact: true }).waitFor();
      await zone.getByRole("button", { name: "Cancel" }).click(); // the account stays

      await signOutFromNav(page);
      await signInWithPassword(page, mary);
      await heading(page, `Welcome, ${mary.name}!`);
    });

    // Second factors, in a browser of their own with a passkey authenticator in it.
    /** @type {Awaited<ReturnType<typeof openBrowser>> | null} */
    let f = null;
    /** @type {Awaited<ReturnType<typeof addVirtualAuthenticator>> | null} */
    let authenticator = null;
    let totpKey = "";
    /** @type {string[]} */
    let recoveryCodes = [];

    await test("second factors: a new account verifies its address, then sees both cards", async () => {
      f = await openBrowser("browser-f");
      linkBrowsers.push(f);
      authenticator = await addVirtualAuthenticator(f.page);
      const page = f.page;
      await page.goto("/sign-up");
      await heading(page, "Create an account");
      await page.getByLabel("Name", { exact: true }).fill(dorothy.name);
      await page.getByLabel("Email", { exact: true }).fill(dorothy.email);
      await page.getByLabel("Password", { exact: true }).fill(dorothy.password);
      await page.getByRole("button", { name: "Create account" }).click();
      await heading(page, `Welcome, ${dorothy.name}!`);
      await page.goto("/settings");
      await heading(page, "Settings");
      // Factors are enrolled on a verified address only: both cards say so first.
      for (const name of ["Two-factor authentication", "Passkeys"]) {
        await settingsCard(page, name).getByText("Verify your email address first.").waitFor();
      }
      await settingsCard(page, "Passkeys").getByRole("link", { name: "Verify it now" }).click();
      await heading(page, "Verify your email");
      const mark = await mailMark();
      await page.getByRole("button", { name: "Send me a code" }).click();
      await page.getByLabel("6-digit code", { exact: true }).waitFor();
      const code = await readCode(dorothy.email, "email-verification", mark);
      await page.getByLabel("6-digit code", { exact: true }).fill(code);
      await page.getByRole("button", { name: "Verify email" }).click();
      await page.getByText("Your email is verified. Thank you!").waitFor();
      await page.goto("/settings");
      await heading(page, "Settings");
      const card = settingsCard(page, "Two-factor authentication");
      await card.getByRole("button", { name: "Turn on two-factor authentication" }).waitFor();
      await settingsCard(page, "Passkeys").getByText("No passkeys yet.").waitFor();
      await screenshot(page, "settings-two-factor-off");
      await elementShot(card, "card-two-factor-off");
    });

    await test("second factors: turn on: password, QR code and key, a first code, recovery codes (.txt)", async () => {
      assert.ok(f);
      const page = f.page;
      const card = settingsCard(page, "Two-factor authentication");
      await card.getByRole("button", { name: "Turn on two-factor authentication" }).click();
      await card.getByLabel("Your password", { exact: true }).fill("not my password");
      await card.getByRole("button", { name: "Continue" }).click();
      assert.equal(
        await fieldError(page, "Your password"),
        "Your current password is not correct.",
      );
      await card.getByLabel("Your password", { exact: true }).fill(dorothy.password);
      await screenshot(page, "settings-two-factor-password");
      await elementShot(card, "card-two-factor-password");
      await card.getByRole("button", { name: "Continue" }).click();
      const qr = card.getByRole("img", { name: "QR code of your authenticator key" });
      await qr.waitFor();
      const box = await qr.boundingBox();
      assert.ok(box && box.width >= 150 && Math.abs(box.width - box.height) < 1, "a square code");
      totpKey = (await card.getByTestId("totp-secret").innerText()).replace(/\s/g, "");
      assert.match(totpKey, /^[A-Z2-7]{32}$/, "the key to type in: 160 bits of base32");
      await screenshot(page, "settings-two-factor-scan");
      await elementShot(card, "card-two-factor-scan");

      const field = card.getByLabel("6-digit code", { exact: true });
      const right = await nextTotpCode(totpKey);
      await field.fill(right === "000000" ? "111111" : "000000");
      await card.getByRole("button", { name: "Turn on", exact: true }).click();
      assert.equal(
        await fieldError(page, "6-digit code"),
        "That code is not right. Check it, or use another way to confirm it is you.",
      );
      await field.fill(right);
      await card.getByRole("button", { name: "Turn on", exact: true }).click();
      await card.getByText("Two-factor authentication is on.").waitFor();
      const list = card.getByRole("list", { name: "Your recovery codes" });
      recoveryCodes = (await list.getByRole("listitem").allInnerTexts()).map((c) => c.trim());
      assert.equal(recoveryCodes.length, 10);
      for (const code of recoveryCodes) assert.match(code, /^[0-9a-z]{6}-[0-9a-z]{6}$/);
      await screenshot(page, "settings-recovery-codes");
      await elementShot(card, "card-recovery-codes");

      const downloading = page.waitForEvent("download");
      await card.getByRole("button", { name: "Download (.txt)" }).click();
      const download = await downloading;
      assert.equal(download.suggestedFilename(), "classroom-recovery-codes.txt");
      const text = await readFile(await download.path(), "utf8");
      assert.deepEqual(
        text.split("\n").filter((line) => /^\w{6}-\w{6}$/.test(line)),
        recoveryCodes,
      );
      assert.ok(text.startsWith(`Recovery codes for ${dorothy.email}`), text);

      await card.getByRole("button", { name: "I have saved my codes" }).click();
      await card.getByText("On", { exact: true }).waitFor();
      assert.equal(await card.getByRole("list").count(), 0, "the codes are shown once");
      await card.getByRole("button", { name: "Make new recovery codes" }).waitFor();
      await screenshot(page, "settings-two-factor-on");
      await elementShot(card, "card-two-factor-on");
    });

    await test("second factors: a password sign-in asks for the second step; an expired one starts over; the app's code signs in", async () => {
      assert.ok(f);
      const page = f.page;
      await signOutFromNav(page);
      await signInWithPassword(page, dorothy);
      await heading(page, "Confirm it is you");
      assert.equal(new URL(page.url()).pathname, "/sign-in/two-factor");
      assert.equal(await page.title(), "Confirm it is you · Classroom");
      const cookies = await f.context.cookies();
      assert.ok(
        !cookies.some((c) => c.name === REFRESH_COOKIE),
        "no sign-in before the second step",
      );
      const pending = cookies.find((c) => c.name === PENDING_COOKIE);
      assert.ok(pending?.httpOnly, "the pending sign-in is an httpOnly cookie");
      // No passkey yet: the app's code and recovery codes are offered, nothing else.
      const main = page.getByRole("main");
      await main.getByRole("button", { name: "Use a recovery code instead" }).waitFor();
      assert.equal(await main.getByRole("button", { name: "Use a passkey instead" }).count(), 0);
      await screenshot(page, "sign-in-two-factor-code");

      const field = page.getByLabel("6-digit code", { exact: true });
      await field.fill("000000");
      await page.getByRole("button", { name: "Continue" }).click();
      assert.equal(
        await fieldError(page, "6-digit code"),
        "That code is not right. Check it, or use another way to confirm it is you.",
      );
      await screenshot(page, "sign-in-two-factor-error");

      // The pending sign-in ends (5 minutes on): back to sign-in, saying why.
      await f.context.clearCookies({ name: PENDING_COOKIE });
      await field.fill("000000");
      await page.getByRole("button", { name: "Continue" }).click();
      await heading(page, "Sign in");
      assert.equal(
        await alertText(page),
        "This sign-in has expired or had too many wrong answers. Sign in again.",
      );
      // The address typed for it is filled in again (from the router's state, stored nowhere).
      assert.equal(await page.getByLabel("Email", { exact: true }).inputValue(), dorothy.email);
      assert.equal(await page.getByLabel("Password", { exact: true }).inputValue(), "");
      await screenshot(page, "sign-in-two-factor-expired");

      await signInWithPassword(page, dorothy);
      await heading(page, "Confirm it is you");
      await page.getByLabel("6-digit code", { exact: true }).fill(await nextTotpCode(totpKey));
      await page.getByRole("button", { name: "Continue" }).click();
      await heading(page, `Welcome, ${dorothy.name}!`);
      assert.equal(new URL(page.url()).pathname, "/dashboard");
    });

    await test("second factors: add a passkey in settings (virtual authenticator) and rename it", async () => {
      assert.ok(f && authenticator);
      const page = f.page;
      await page.getByRole("link", { name: "Settings" }).click();
      await heading(page, "Settings");
      const card = settingsCard(page, "Passkeys");
      await card.getByText("No passkeys yet.").waitFor();
      await card.getByLabel("Name of the new passkey (optional)", { exact: true }).fill("Laptop");
      await card.getByRole("button", { name: "Add a passkey" }).click();
      await card.getByText("Passkey “Laptop” added.").waitFor();
      const rows = card.getByTestId("passkey");
      assert.equal(await rows.count(), 1);
      const row = await rows.first().innerText();
      assert.match(row, /^Laptop/);
      assert.match(row, /Device-bound/, "the virtual authenticator's key is not synced");
      assert.match(row, /added \w{3} \d{1,2}, \d{4}\u00a0· never used/); // the dot ends a piece
      const held = await authenticator.credentials();
      assert.equal(held.length, 1);
      assert.equal(held[0].isResidentCredential, true, "a discoverable credential: a passkey");
      await screenshot(page, "settings-passkeys");
      await elementShot(card, "card-passkeys");

      await card.getByRole("button", { name: "Rename passkey Laptop" }).click();
      const name = card.getByLabel("New name for “Laptop”", { exact: true });
      await name.fill("Work laptop");
      await screenshot(page, "settings-passkey-rename");
      await elementShot(card, "card-passkey-rename");
      await card.getByRole("button", { name: "Save name" }).click();
      await rows.filter({ hasText: "Work laptop" }).waitFor();
    });

    await test("second factors: passkey autofill signs in from the sign-in page, with no second step", async () => {
      assert.ok(f);
      const page = f.page;
      // The browser offers the passkey in the email field's suggestions; Chromium's virtual
      // authenticator takes it at once, as a user picking it would.
      const calls = passkeyCalls(page);
      await page.getByRole("navigation").getByRole("button", { name: "Sign out" }).click();
      await heading(page, `Welcome, ${dorothy.name}!`);
      assert.deepEqual(calls.stop(), ["authentication-options", "sign-in"]);
      await page.getByRole("link", { name: "Settings" }).click();
      await heading(page, "Settings");
      const event = page.getByTestId("security-event").first();
      await event.waitFor();
      assert.match(await event.innerText(), /Signed in with a passkey/);
      const row = settingsCard(page, "Passkeys").getByTestId("passkey").first();
      await row.filter({ hasText: /last used/ }).waitFor();
    });

    await test("second factors: 'Sign in with a passkey' replaces the waiting autofill request", async () => {
      assert.ok(f && authenticator);
      const page = f.page;
      await authenticator.confirms(false); // the autofill request waits for a pick
      const calls = passkeyCalls(page);
      await signOutFromNav(page);
      const email = page.getByLabel("Email", { exact: true });
      assert.equal(await email.getAttribute("autocomplete"), "username webauthn");
      await sleep(500);
      assert.equal(new URL(page.url()).pathname, "/sign-in", "nothing picked: still signing in");
      await screenshot(page, "sign-in-passkey");
      await authenticator.confirms(true);
      await page.getByRole("button", { name: "Sign in with a passkey" }).click();
      await heading(page, `Welcome, ${dorothy.name}!`);
      // The autofill's request, then the button's, which alone was answered.
      assert.deepEqual(calls.stop(), [
        "authentication-options",
        "authentication-options",
        "sign-in",
      ]);
    });

    await test("second factors: a passkey answers the second step of a password sign-in", async () => {
      assert.ok(f && authenticator);
      const page = f.page;
      await authenticator.confirms(false);
      await signOutFromNav(page);
      await signInWithPassword(page, dorothy);
      await heading(page, "Confirm it is you");
      await authenticator.confirms(true);
      await page.getByRole("button", { name: "Use a passkey instead" }).click();
      const use = page.getByRole("button", { name: "Use a passkey", exact: true });
      await use.waitFor();
      await screenshot(page, "sign-in-two-factor-passkey");
      await use.click();
      await heading(page, `Welcome, ${dorothy.name}!`);
    });

    await test("second factors: a recovery code works once; a trusted device skips the second step", async () => {
      assert.ok(f);
      const page = f.page;
      await authenticator?.confirms(false); // the sign-in page's autofill waits from here on
      /** Sign out, sign in with the password, answer with a recovery code. */
      const withRecoveryCode = async (/** @type {string} */ code, trust = false) => {
        await signOutFromNav(page);
        await signInWithPassword(page, dorothy);
        await heading(page, "Confirm it is you");
        await page.getByRole("button", { name: "Use a recovery code instead" }).click();
        await page.getByLabel("Recovery code", { exact: true }).fill(code);
        if (trust) await page.getByLabel("Trust this device for 30 days", { exact: true }).check();
      };
      await withRecoveryCode(recoveryCodes[0]);
      await screenshot(page, "sign-in-two-factor-recovery-code");
      await page.getByRole("button", { name: "Continue" }).click();
      await heading(page, `Welcome, ${dorothy.name}!`);

      await withRecoveryCode(recoveryCodes[0]);
      await page.getByRole("button", { name: "Continue" }).click();
      assert.equal(
        await fieldError(page, "Recovery code"),
        "That code is not right. Check it, or use another way to confirm it is you.",
      );
      await page.getByLabel("Recovery code", { exact: true }).fill(recoveryCodes[1]);
      await page.getByLabel("Trust this device for 30 days", { exact: true }).check();
      await page.getByRole("button", { name: "Continue" }).click();
      await heading(page, `Welcome, ${dorothy.name}!`);

      await signOutFromNav(page);
      await signInWithPassword(page, dorothy);
      await heading(page, `Welcome, ${dorothy.name}!`); // straight in: this device is trusted
    });

    await test("second factors: settings asks a two-factor account to confirm it is you: the app's code (a wrong one first), or a passkey", async () => {
      assert.ok(f && authenticator);
      const page = f.page;
      await page.getByRole("link", { name: "Settings" }).click();
      await heading(page, "Settings");
      const zone = settingsCard(page, "Delete account");
      const start = zone.getByRole("button", { name: "Delete my account…" });
      await start.click();
      // The password first; then every other way this account has, its passkey once listed.
      const ways = zone.getByRole("list", { name: "Other ways to confirm it is you" });
      await ways.getByRole("button", { name: "Use a passkey instead" }).waitFor();
      assert.deepEqual(await ways.getByRole("button").allInnerTexts(), [
        "Email me a code instead",
        "Use my authenticator app instead",
        "Use a passkey instead",
      ]);
      await screenshot(page, "settings-step-up");
      await elementShot(zone, "card-step-up");

      await ways.getByRole("button", { name: "Use my authenticator app instead" }).click();
      const field = zone.getByLabel("6-digit code", { exact: true });
      await page.waitForFunction(
        () => document.activeElement?.getAttribute("autocomplete") === "one-time-code",
      );
      assert.equal(await zone.getByLabel("Your password", { exact: true }).count(), 0);
      const right = await nextTotpCode(totpKey);
      await field.fill(right === "000000" ? "111111" : "000000");
      await zone.getByRole("button", { name: "Confirm" }).click();
      assert.equal(
        await fieldError(page, "6-digit code"),
        "That code is not right. Check it, or use another way to confirm it is you.",
      );
      await screenshot(page, "settings-step-up-app-error");
      await elementShot(zone, "card-step-up-app-error");
      await field.fill(right);
      await zone.getByRole("button", { name: "Confirm" }).click();
      await zone.getByLabel('Type "DELETE" to confirm', { exact: true }).waitFor();
      await zone.getByRole("button", { name: "Cancel" }).click(); // the account stays
      await start.waitFor();

      // A passkey: the browser's dialog, which the virtual authenticator confirms.
      await authenticator.confirms(true);
      await start.click();
      await ways.getByRole("button", { name: "Use a passkey instead" }).click();
      const use = zone.getByRole("button", { name: "Use a passkey", exact: true });
      await page.waitForFunction(() => document.activeElement?.textContent === "Use a passkey");
      await screenshot(page, "settings-step-up-passkey");
      await elementShot(zone, "card-step-up-passkey");
      const calls = passkeyCalls(page);
      await use.click();
      await zone.getByLabel('Type "DELETE" to confirm', { exact: true }).waitFor();
      assert.deepEqual(calls.stop(), ["authentication-options"]);
      await zone.getByRole("button", { name: "Cancel" }).click();
      await start.waitFor();
      await authenticator.confirms(false);

      await page.reload();
      await heading(page, "Settings");
      const events = page.getByTestId("security-event");
      await events.first().waitFor();
      const newest = (await events.allInnerTexts()).slice(0, 3).map((text) => text.split("\n")[0]);
      assert.deepEqual(newest, [
        "Confirmed it was you",
        "Confirmed it was you",
        "Wrong password or code while confirming it was you",
      ]);
    });

    await test("second factors: delete the passkey after a confirmation", async () => {
      assert.ok(f && authenticator);
      const page = f.page;
      await page.getByRole("link", { name: "Settings" }).click();
      await heading(page, "Settings");
      const card = settingsCard(page, "Passkeys");
      await card.getByRole("button", { name: /^Delete passkey Work laptop,/ }).click();
      await card.getByText("Delete this passkey? It will no longer sign you in.").waitFor();
      await screenshot(page, "settings-passkey-delete");
      await elementShot(card, "card-passkey-delete");
      await card.getByRole("button", { name: "Delete passkey Work laptop for good" }).click();
      await card.getByText("No passkeys yet.").waitFor();
    });

    await test("second factors: turn two-factor off with the password; sign-in is one step again", async () => {
      assert.ok(f);
      const page = f.page;
      const card = settingsCard(page, "Two-factor authentication");
      await card.getByRole("button", { name: "Turn off…" }).click();
      await card.getByLabel("Your password", { exact: true }).fill(dorothy.password);
      await screenshot(page, "settings-two-factor-turn-off");
      await elementShot(card, "card-two-factor-turn-off");
      await card.getByRole("button", { name: "Turn off two-factor authentication" }).click();
      await card
        .getByText(
          "Two-factor authentication is off. Your authenticator app and recovery codes no longer work.",
        )
        .waitFor();
      await card.getByRole("button", { name: "Turn on two-factor authentication" }).waitFor();
      await screenshot(page, "settings-two-factor-turned-off");
      await elementShot(card, "card-two-factor-turned-off");
      await signOutFromNav(page);
      await signInWithPassword(page, dorothy);
      await heading(page, `Welcome, ${dorothy.name}!`);
    });

    await test("unknown pages show the SPA's 404; unknown API routes stay JSON", async () => {
      await pageA.goto("/no/such/page");
      await heading(pageA, "Page not found");
      await screenshot(pageA, "not-found");
      const answers = await pageA.evaluate(async () => {
        const api = await fetch("/api/no-such-endpoint/");
        const asset = await fetch("/assets/no-such-file.js");
        return {
          api: { status: api.status, code: (await api.json()).code },
          asset: { status: asset.status, code: (await asset.json()).code },
        };
      });
      assert.deepEqual(answers.api, { status: 404, code: "NOT_FOUND" });
      assert.deepEqual(answers.asset, { status: 404, code: "NOT_FOUND" });
    });

    await test("Swagger UI and the admin run under the same CSP, without violations", async () => {
      for (const path of ["/", "/api/docs/", "/admin/login/"]) {
        const response = await pageA.goto(path);
        const policy = response?.headers()["content-security-policy"] ?? "";
        assert.match(policy, /script-src 'self'(;|$)/, path);
        assert.doesNotMatch(policy, /unsafe-eval/, path);
        // Swagger UI sets inline styles as it renders: the only relaxation, on that page only.
        if (path !== "/api/docs/") assert.doesNotMatch(policy, /unsafe-inline/, path);
      }
      await pageA.goto("/api/docs/");
      await pageA
        .getByRole("heading", { name: /Auth API/ })
        .first()
        .waitFor();
      await screenshot(pageA, "swagger-ui", { audit: false });
      // "Try it out" on refresh/ in a signed-in browser: an empty body (the cookie does it), sent
      // with the CSRF cookie's value as X-CSRFToken.
      await pageA.goto("/sign-in"); // the reset by link ended this browser's sign-in
      await signInWithPassword(pageA, { email: ada.email, password: ada.linkPassword });
      await heading(pageA, `Welcome, ${ada.name}!`);
      await pageA.goto("/api/docs/");
      const refresh = pageA.locator("#operations-refresh-refresh");
      await refresh.locator(".opblock-summary").click();
      await refresh.getByRole("button", { name: "Try it out" }).click();
      assert.equal(await refresh.locator("textarea.body-param__text").inputValue(), "{}");
      const answered = pageA.waitForResponse(
        (r) => r.url().endsWith("/api/auth/refresh/") && r.request().method() === "POST",
      );
      await refresh.getByRole("button", { name: "Execute" }).click();
      const answer = await answered;
      assert.equal(answer.status(), 200, await answer.text());
      assert.ok(answer.request().headers()["x-csrftoken"], "the CSRF header was sent");
      await screenshot(pageA, "swagger-ui-refresh", { audit: false });
      await pageA.goto("/admin/login/");
      await pageA.getByRole("button", { name: "Log in" }).waitFor();
      await screenshot(pageA, "admin-login", { audit: false });
    });

    await test("no uncaught errors in the pages", async () => {
      assert.deepEqual(pageErrors, []);
    });
  } finally {
    const browsers =
      /** @type {{context: import("playwright-core").BrowserContext, userDataDir: string}[]} */ (
        [a, b, ...linkBrowsers].filter(Boolean)
      );
    for (const browser of browsers) {
      await browser.context.close().catch(() => {});
      await rm(browser.userDataDir, { recursive: true, force: true });
    }
  }
}

let crashed = false;
try {
  await main();
} catch (error) {
  crashed = true;
  console.error("e2e run crashed:", error);
}

const count = (/** @type {string} */ status) => results.filter((r) => r.status === status).length;
const summary = {
  numPassedTests: count("passed"),
  numFailedTests: count("failed") + (crashed ? 1 : 0),
  numSkippedTests: count("skipped"),
  testResults: results,
};
if (RESULTS) await writeFile(RESULTS, JSON.stringify(summary, null, 2));
console.log(
  `e2e summary — passed ${summary.numPassedTests}, failed ${summary.numFailedTests}, skipped ${summary.numSkippedTests}; ${pagesChecked} page states checked by axe-core and at ${PHONE_WIDTH} px`,
);
console.log(`screenshots in ${SHOTS}`);
process.exit(summary.numFailedTests > 0 ? 1 : 0);
