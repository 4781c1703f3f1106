// Lighthouse on the app's pages (started by scripts/lighthouse, which serves the build):
//   E2E_BASE_URL        http://localhost:PORT
//   LIGHTHOUSE_MODULE   path of lighthouse/core/index.js
//   CHROMIUM            the browser (Debian's /usr/bin/chromium)
// Sign-in and sign-up are audited signed out; then a user signs up in the same browser and the
// dashboard and settings are audited signed in (Lighthouse keeps the cookies: no storage reset).
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const BASE_URL = process.env.E2E_BASE_URL ?? "";
const REPORTS = new URL("./lighthouse/", import.meta.url).pathname;
const TARGET = 95;
const GATED = ["performance", "accessibility", "best-practices"];
const { default: lighthouse } = await import(process.env.LIGHTHOUSE_MODULE ?? "lighthouse");

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

/** @param {string} path */
async function audit(path) {
  const result = await lighthouse(`${BASE_URL}${path}`, {
    port,
    output: "json",
    logLevel: "error",
    disableStorageReset: true,
    onlyCategories: ["performance", "accessibility", "best-practices", "seo"],
  });
  if (!result) throw new Error(`no Lighthouse result for ${path}`);
  const name = path.replace(/\W+/g, "-").replace(/^-|-$/g, "") || "root";
  await writeFile(join(REPORTS, `${name}.json`), String(result.report));
  /** @type {Record<string, number>} */
  const scores = {};
  for (const [id, category] of Object.entries(result.lhr.categories)) {
    scores[id] = Math.round((category.score ?? 0) * 100);
  }
  const lcp = result.lhr.audits["largest-contentful-paint"]?.displayValue ?? "?";
  const tbt = result.lhr.audits["total-blocking-time"]?.displayValue ?? "?";
  const cls = result.lhr.audits["cumulative-layout-shift"]?.displayValue ?? "?";
  rows.push({ page: path, scores });
  console.log(
    `${path.padEnd(12)} performance ${scores.performance}  accessibility ${scores.accessibility}` +
      `  best-practices ${scores["best-practices"]}  seo ${scores.seo}   LCP ${lcp}, TBT ${tbt}, CLS ${cls}`,
  );
  for (const [id, score] of Object.entries(scores)) {
    if (!GATED.includes(id) || score >= TARGET) continue;
    const failing = Object.values(result.lhr.audits)
      .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== "informative")
      .map((a) => `${a.id} (${a.displayValue ?? a.score})`);
    console.log(`  ${id} below ${TARGET}: ${failing.join(", ")}`);
  }
}

try {
  await audit("/sign-in");
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
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}

const below = rows.filter((row) => GATED.some((id) => row.scores[id] < TARGET));
console.log(below.length ? `below ${TARGET}: ${below.map((r) => r.page).join(", ")}` : "all >= 95");
process.exit(below.length ? 1 : 0);
