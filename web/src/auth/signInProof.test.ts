import { describe, expect, it } from "vitest";
import { amrOf } from "./signInProof";
import { tokenWith } from "./signInProof.testing";

describe("amrOf", () => {
  it("reads how the sign-in was proven from the access token's payload", () => {
    expect(amrOf(tokenWith({ sub: "u", amr: ["pwd", "otp", "mfa"] }))).toEqual([
      "pwd",
      "otp",
      "mfa",
    ]);
    expect(amrOf(tokenWith({ amr: ["otp"], note: "~~~ ??? >>>" }))).toEqual(["otp"]);
  });

  it("says nothing of a token without amr, or of what is not a token", () => {
    expect(amrOf(tokenWith({ sub: "u" }))).toBeNull();
    expect(amrOf(tokenWith({ amr: "pwd" }))).toBeNull();
    expect(amrOf("access-1")).toBeNull();
    expect(amrOf("a.%%%.c")).toBeNull();
    expect(amrOf(null)).toBeNull();
  });
});
