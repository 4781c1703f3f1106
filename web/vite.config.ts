/// <reference types="vitest/config" />
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// @authsvc/client as source (the package ships dist/, built by npm pack): a change to the client
// shows here at once. tsconfig.json maps the same names.
const client = (file: string) =>
  fileURLToPath(new URL(`../clients/typescript/src/${file}`, import.meta.url));

// Development: `npm run dev` serves the SPA on http://localhost:5173 and proxies /api to the Django
// dev server (./scripts/serve), so the API is same-origin as in production (cookies, CSRF).
// Production: `npm run build` writes dist/, which Django serves at / (src/project/spa.py).
export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^@authsvc\/client$/, replacement: client("index.ts") },
      { find: /^@authsvc\/client\/react$/, replacement: client("react.ts") },
      { find: /^@authsvc\/client\/testing$/, replacement: client("testing/fakeApi.ts") },
    ],
  },
  server: {
    host: "localhost",
    port: 5173,
    strictPort: true,
    proxy: {
      "/api": { target: "http://127.0.0.1:8000", changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
  },
  test: {
    include: ["src/**/*.test.{ts,tsx}"],
    environment: "node",
    restoreMocks: true,
  },
});
