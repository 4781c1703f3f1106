// Lighthouse on the app's pages (started by scripts/lighthouse, which serves the build):
//   E2E_BASE_URL        http://localhost:PORT
//   LIGHTHOUSE_MODULE   path of lighthouse/core/index.js
//   CHROMIUM            the browser (Debian's /usr/bin/chromium)
// Every page at Lighthouse's mobile emulation and at its desktop settings. Sign-in, the second
// step of a sign-in (as it renders when opened: it asks for the pending sign-in only when
// answered) and sign-up are audited signed out; then a user signs up in the same browser and the
// dashboard and settings are audited signed in (Lighthouse keeps the cookies: no storage reset),
// and settings' "confirm it is you" form as a snapshot (accessibility and best practices: a
// state, not a load).
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const BASE_URL = process.env.E2E_BASE_URL ?? "";
const REPORTS = new URL("./lighthouse/", import.meta.url).pathname;
const TARGET = 95;
const GATED = ["performance", "accessibility", "best-practices"];
const LIGHTHOUSE = process.env.LIGHTHOUSE_MODULE ?? "lighthouse";
const { default: lighthouse, desktopConfig, snapshot } = await import(LIGHTHOUSE);
// Lighthouse drives a page of its own through puppeteer-core, its dependency.
const { default: puppeteer } = await import(
  createRequire(process.env.LIGHTHOUSE_MODULE ?? import.meta.url).resolve("puppeteer-core")
);
/**
 * Each form factor: its Lighthouse config, and its screen (snapshots emulate none: the tab is
 * sized to it instead).
 * @type {[string, object | undefined, {width: number, height: number}][]}
 */
const FORM_FACTORS = [
  ["mobile", undefined, { width: 412, height: 823 }],
  ["desktop", desktopConfig, { width: 1350, height: 940 }],
];

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

const port = await freePort();
const profile = await mkdtemp(join(tmpdir(), "authsvc-lighthouse-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  baseURL: BASE_URL,
  args: ["--headless", "--no-sandbox", "--disable-gpu", `--remote-debugging-port=${port}`],
});
await mkdir(REPORTS, { recursive: true });

/** @type {{page: string, scores: Record<string, number>}[]} */
const rows = [];

/**
 * Scores of one result, printed and kept; the audits that cost points when a gated category is
 * below the target.
 * @param {string} label
 * @param {any} result
 */
async function record(label, result) {
  if (!result) throw new Error(`no Lighthouse result for ${label}`);
  const name = label.replace(/\W+/g, "-").replace(/^-|-$/g, "") || "root";
  await writeFile(join(REPORTS, `${name}.json`), String(result.report));
  /** @type {Record<string, number>} */
  const scores = {};
  for (const [id, category] of Object.entries(result.lhr.categories)) {
    const { score } = /** @type {{score: number | null}} */ (category);
    if (score !== null) scores[id] = Math.round(score * 100);
  }
  /** @param {string} id */
  const shown = (id) => result.lhr.audits[id]?.displayValue;
  const metrics = shown("largest-contentful-paint")
    ? `   LCP ${shown("largest-contentful-paint")}, TBT ${shown("total-blocking-time")}, CLS ${shown("cumulative-layout-shift")}`
    : "";
  rows.push({ page: label, scores });
  console.log(
    `${label.padEnd(36)} performance ${scores.performance ?? "-"}  accessibility ${scores.accessibility}` +
      `  best-practices ${scores["best-practices"]}  seo ${scores.seo ?? "-"}${metrics}`,
  );
  for (const [id, score] of Object.entries(scores)) {
    if (!GATED.includes(id) || score >= TARGET) continue;
    const failing = Object.values(result.lhr.audits)
      .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== "informative")
      .map((a) => `${a.id} (${a.displayValue ?? a.score})`);
    console.log(`  ${id} below ${TARGET}: ${failing.join(", ")}`);
  }
}

/** A page load at each form factor. @param {string} path */
async function audit(path) {
  for (const [formFactor, config] of FORM_FACTORS) {
    const result = await lighthouse(
      `${BASE_URL}${path}`,
      {
        port,
        output: "json",
        logLevel: "error",
        disableStorageReset: true,
        onlyCategories: ["performance", "accessibility", "best-practices", "seo"],
      },
      config,
    );
    await record(`${formFactor} ${path}`, result);
  }
}

/**
 * The state `page` is in now (Lighthouse's snapshot mode), at each form factor.
 * @param {import("playwright-core").Page} page
 * @param {string} label
 */
async function auditState(page, label) {
  const path = new URL(page.url()).pathname;
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${port}` });
  try {
    const tabs = await browser.pages();
    const tab = tabs.find(
      (/** @type {{url(): string}} */ candidate) => new URL(candidate.url()).pathname === path,
    );
    if (!tab) throw new Error(`no tab at ${path}`);
    for (const [formFactor, config, screen] of FORM_FACTORS) {
      await page.setViewportSize(screen);
      const result = await snapshot(tab, {
        config,
        flags: {
          output: "json",
          logLevel: "error",
          onlyCategories: ["accessibility", "best-practices"],
        },
      });
      await record(`${formFactor} ${label}`, result);
    }
  } finally {
    await browser.disconnect();
  }
}

try {
  await audit("/sign-in");
  await audit("/sign-in/two-factor");
  await audit("/sign-up");
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto("/sign-up");
  await page.getByLabel("Name", { exact: true }).fill("Light House");
  await page.getByLabel("Email", { exact: true }).fill(`lh-${Date.now()}@example.com`);
  await page.getByLabel("Password", { exact: true }).fill("a long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Welcome, Light House!" }).waitFor();
  await audit("/dashboard");
  await audit("/settings");
  await page.goto("/settings");
  await page.getByRole("button", { name: "Delete my account…" }).click();
  await page.getByLabel("Your password", { exact: true }).waitFor();
  await auditState(page, "/settings confirm it is you");
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}

const below = rows.filter((row) => GATED.some((id) => row.scores[id] < TARGET));
console.log(below.length ? `below ${TARGET}: ${below.map((r) => r.page).join(", ")}` : "all >= 95");
process.exit(below.length ? 1 : 0);
