import { defineConfig } from "vitest/config";

// Every method against the real server: AUTH_BASE_URL (a running server) and AUTH_MAIL_LOG (the
// file its console mail backend writes to, where the tests read the codes). scripts/test-web
// starts both.
export default defineConfig({
  test: {
    include: ["test/**/*.test.{ts,tsx}"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 20_000,
  },
});
