// `npm run build` (and `npm pack`, through prepack): dist/ as the package ships it, the ESM
// JavaScript and .d.ts files tsc makes from src/ (tsconfig.build.json), and the generated
// schema.d.ts beside them (tsc does not copy a .d.ts it only reads).
import { execFileSync } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
rmSync("dist", { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
copyFileSync("src/schema.d.ts", "dist/schema.d.ts");
