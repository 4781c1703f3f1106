import { defineConfig } from "vitest/config";

// Unit tests: the client against a fake fetch (src/**/*.test.ts).
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
    restoreMocks: true,
  },
});
