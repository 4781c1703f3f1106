import { describe, expect, it } from "vitest";
import { errorMessage, fieldErrors, humaneWait } from "./errors";

const error = (code: string, extra: object = {}) => ({
  code,
  message: "server text",
  status: 400,
  statusText: "",
  fields: {},
  retryAfter: null,
  ...extra,
});

describe("error messages", () => {
  it("maps API codes to sentences, with Retry-After for rate limits", () => {
    expect(errorMessage(error("TOO_MANY_REQUESTS", { status: 429, retryAfter: 42 }))).toBe(
      "Too many attempts. Try again in 42 seconds.",
    );
    expect(errorMessage(error("INVALID_OTP"))).toBe(
      "That code is not right. Check it, or ask for a new one.",
    );
    expect(errorMessage(error("NETWORK_ERROR", { status: 0 }))).toMatch(
      /Could not reach the server/,
    );
    expect(errorMessage(error("EMAIL_UNCHANGED"))).toBe("That is already your email address.");
    expect(errorMessage(error("UNKNOWN_ERROR", { status: 502 }))).toBe(
      "Something went wrong. Try again.",
    );
    // A code newer than this build: the server's own sentence.
    expect(errorMessage(error("SOMETHING_NEW"))).toBe("server text");
    expect(errorMessage(new Error("bug"))).toBe("Something went wrong. Try again.");
  });

  it("gives per-field messages of validation errors only", () => {
    const fields = { email: ["Enter a valid email address."], name: ["Required.", "Too short."] };
    expect(fieldErrors(error("VALIDATION_ERROR", { fields }))).toEqual({
      email: "Enter a valid email address.",
      name: "Required. Too short.",
    });
    expect(fieldErrors(error("PASSWORD_TOO_SHORT", { fields }))).toEqual({});
  });
});

describe("waits people can read", () => {
  it("says minutes, hours and days instead of thousands of seconds", () => {
    expect([42, 90, 120, 2731, 3600, 5400, 90_000].map(humaneWait)).toEqual([
      "42 seconds",
      "90 seconds",
      "2 minutes",
      "46 minutes",
      "1 hour",
      "2 hours",
      "2 days",
    ]);
  });
});
