/**
 * Every method of the better-auth-shaped client against the real server (scripts/test-web starts
 * it): the `{data, error}` each resolves to, and its error codes.
 */
import { describe, expect, it, vi } from "vitest";
import {
  CookieJar,
  PASSWORD,
  mailMark,
  newEmail,
  pageOf,
  readCode,
  readLink,
  signedUp,
  wrongCode,
} from "./support";

describe("signUp.email", () => {
  it("creates the account and signs this page in", async () => {
    const client = pageOf(new CookieJar());
    const email = newEmail("sign-up");
    const { data, error } = await client.signUp.email({
      email,
      password: PASSWORD,
      name: "Ada",
      role: "teacher",
    });
    expect(error).toBeNull();
    expect(data?.user).toMatchObject({ email, name: "Ada", role: "teacher", emailVerified: false });
    expect(data?.token.split(".")).toHaveLength(3);
    expect(client.getAccessToken()).toBe(data?.token);
  });

  it("mails the verification code itself (sendVerificationOnSignUp)", async () => {
    const { client, email, verificationCode } = await signedUp("verify-on-sign-up");
    const { data, error } = await client.emailOtp.verifyEmail({ email, otp: verificationCode });
    expect(error).toBeNull();
    expect(data).toMatchObject({ user: { emailVerified: true } });
  });

  it("answers USER_ALREADY_EXISTS, PASSWORD_TOO_SHORT and VALIDATION_ERROR", async () => {
    const { email } = await signedUp("taken");
    const client = pageOf(new CookieJar());
    const taken = await client.signUp.email({ email, password: PASSWORD, name: "B" });
    expect(taken.data).toBeNull();
    expect(taken.error).toMatchObject({ code: "USER_ALREADY_EXISTS", status: 422 });
    const short = await client.signUp.email({ email: newEmail("s"), password: "short", name: "B" });
    expect(short.error).toMatchObject({ code: "PASSWORD_TOO_SHORT", status: 400 });
    const noEmail = await client.signUp.email({ email: "", password: PASSWORD, name: "B" });
    expect(noEmail.error).toMatchObject({ code: "INVALID_EMAIL", status: 400 });
    const badName = await client.signUp.email({
      email: newEmail("n"),
      password: PASSWORD,
      name: 42 as unknown as string,
    });
    expect(badName.error).toMatchObject({ code: "VALIDATION_ERROR", status: 400 });
    expect(Object.keys(badName.error?.fields ?? {})).toEqual(["name"]);
    expect(client.getAccessToken()).toBeNull();
  });
});

describe("signIn.email, getSession, signOut", () => {
  it("signs in, restores on the next page load, and signs out", async () => {
    const { email } = await signedUp("sign-in");
    const jar = new CookieJar();
    const page = pageOf(jar);
    const signIn = await page.signIn.email({ email, password: PASSWORD, rememberMe: true });
    expect(signIn.error).toBeNull();
    expect(signIn.data).toMatchObject({ redirect: false, user: { email } });

    const reload = pageOf(jar); // a new page of the same browser: restored from the cookie
    const session = await reload.getSession();
    expect(session.error).toBeNull();
    expect(session.data?.user.email).toBe(email);
    expect(session.data?.session.id).toMatch(/\S/);

    const out = await reload.signOut();
    expect(out).toEqual({ data: { success: true }, error: null });
    expect(reload.getAccessToken()).toBeNull();
    expect((await pageOf(jar).getSession()).data).toBeNull();
    expect((await page.getSession()).data).toBeNull(); // the other page's sign-in ended too
  });

  it("getSession is data null, not an error, for a browser that never signed in", async () => {
    expect(await pageOf(new CookieJar()).getSession()).toEqual({ data: null, error: null });
  });

  it("answers INVALID_EMAIL_OR_PASSWORD (401), and calls onError / onSuccess", async () => {
    const { email } = await signedUp("wrong-password");
    const client = pageOf(new CookieJar());
    const onError = vi.fn();
    const onSuccess = vi.fn();
    const wrong = await client.signIn.email(
      { email, password: "not the password" },
      { onError, onSuccess },
    );
    expect(wrong.error).toMatchObject({ code: "INVALID_EMAIL_OR_PASSWORD", status: 401 });
    expect(onError).toHaveBeenCalledWith({ error: wrong.error });
    expect(onSuccess).not.toHaveBeenCalled();
    // fetchOptions inside the arguments, as better-auth also accepts
    const right = await client.signIn.email({
      email,
      password: PASSWORD,
      fetchOptions: { onSuccess },
    });
    expect(onSuccess).toHaveBeenCalledWith({ data: right.data });
  });
});

describe("emailOtp", () => {
  it("sendVerificationOtp + signIn.emailOtp signs in; a wrong code is INVALID_OTP", async () => {
    const { email } = await signedUp("code-sign-in");
    const client = pageOf(new CookieJar());
    const since = await mailMark();
    expect(await client.emailOtp.sendVerificationOtp({ email, type: "sign-in" })).toEqual({
      data: { success: true },
      error: null,
    });
    const otp = await readCode(email, "sign-in", since);
    const wrong = await client.signIn.emailOtp({ email, otp: wrongCode(otp) });
    expect(wrong.error).toMatchObject({ code: "INVALID_OTP", status: 400 });
    const right = await client.signIn.emailOtp({ email, otp });
    expect(right.error).toBeNull();
    expect(right.data).toMatchObject({ user: { email, emailVerified: true } });
  });

  it("sendVerificationOtp rejects an unknown type and a bad address", async () => {
    const client = pageOf(new CookieJar());
    const badType = await client.emailOtp.sendVerificationOtp({
      email: newEmail("t"),
      type: "magic" as "sign-in",
    });
    expect(badType.error?.code).toMatch(/^(INVALID_OTP_TYPE|VALIDATION_ERROR)$/);
    const badEmail = await client.emailOtp.sendVerificationOtp({ email: "nope", type: "sign-in" });
    expect(badEmail.error?.code).toMatch(/^(INVALID_EMAIL|VALIDATION_ERROR)$/);
  });

  it("verifyEmail marks a signed-in user verified", async () => {
    const { client, email, verificationCode } = await signedUp("verify");
    const since = await mailMark();
    await client.emailOtp.sendVerificationOtp({ email, type: "email-verification" });
    const otp = await readCode(email, "email-verification", since);
    expect(otp).not.toBe(verificationCode); // a new send replaces the sign-up's code
    const old = await client.emailOtp.verifyEmail({ email, otp: verificationCode });
    expect(old.error?.code).toBe("INVALID_OTP");
    const wrong = await client.emailOtp.verifyEmail({ email, otp: wrongCode(otp) });
    expect(wrong.error?.code).toBe("INVALID_OTP");
    const { data, error } = await client.emailOtp.verifyEmail({ email, otp });
    expect(error).toBeNull();
    expect(data).toMatchObject({ status: true, user: { email, emailVerified: true } });
    expect((await client.getSession()).data?.user.emailVerified).toBe(true);
  });

  it("checkVerificationOtp then resetPassword (two screens, one code) sets the password", async () => {
    const { email } = await signedUp("reset");
    const client = pageOf(new CookieJar());
    const since = await mailMark();
    expect((await client.forgetPassword.emailOtp({ email })).error).toBeNull();
    const otp = await readCode(email, "forget-password", since);
    const wrong = await client.emailOtp.checkVerificationOtp({
      email,
      type: "forget-password",
      otp: wrongCode(otp),
    });
    expect(wrong.error?.code).toBe("INVALID_OTP");
    const check = await client.emailOtp.checkVerificationOtp({
      email,
      type: "forget-password",
      otp,
    });
    expect(check).toEqual({ data: { success: true }, error: null });
    const reset = await client.emailOtp.resetPassword({
      email,
      otp,
      password: "a new horse staple",
    });
    expect(reset).toEqual({ data: { success: true }, error: null });
    const again = await client.emailOtp.resetPassword({ email, otp, password: "another one here" });
    expect(again.error?.code).toMatch(/^(INVALID_OTP|OTP_EXPIRED|TOO_MANY_ATTEMPTS)$/);
    const signIn = await pageOf(new CookieJar()).signIn.email({
      email,
      password: "a new horse staple",
    });
    expect(signIn.error).toBeNull();
  });

  it("resetPassword alone (one screen) checks the code itself", async () => {
    const { email } = await signedUp("reset-one-call");
    const client = pageOf(new CookieJar());
    const since = await mailMark();
    await client.emailOtp.sendVerificationOtp({ email, type: "forget-password" });
    const otp = await readCode(email, "forget-password", since);
    const short = await client.emailOtp.resetPassword({ email, otp, password: "short" });
    expect(short.error?.code).toBe("PASSWORD_TOO_SHORT");
    const { error } = await client.emailOtp.resetPassword({
      email,
      otp,
      password: "one call horse",
    });
    expect(error).toBeNull();
  });
});

describe("magicLink (the link of a mail)", () => {
  it("signIn.magicLink mails a link alone; magicLink.verify signs in any browser, once", async () => {
    const { email } = await signedUp("link-sign-in");
    const asking = pageOf(new CookieJar());
    const since = await mailMark();
    expect(await asking.signIn.magicLink({ email })).toEqual({
      data: { status: true },
      error: null,
    });
    const token = await readLink(email, "sign-in-link", since);

    const other = pageOf(new CookieJar()); // the phone the mail was read on
    const { data, error } = await other.magicLink.verify({ token });
    expect(error).toBeNull();
    expect(data).toMatchObject({ outcome: "signedIn", user: { email, emailVerified: true } });
    expect(data?.outcome === "signedIn" && data.token.split(".")).toHaveLength(3);
    expect(other.getAccessToken()).toBe(data?.outcome === "signedIn" ? data.token : null);
    expect((await other.getSession()).data?.user.email).toBe(email);
    expect(asking.getAccessToken()).toBeNull(); // the browser that asked is not signed in

    const again = await pageOf(new CookieJar()).magicLink.verify({ query: { token } });
    expect(again.data).toBeNull();
    expect(again.error).toMatchObject({ code: "INVALID_LINK", status: 400 });
    const badEmail = await asking.signIn.magicLink({ email: "nope" });
    expect(badEmail.error?.code).toMatch(/^(INVALID_EMAIL|VALIDATION_ERROR)$/);
  });

  it("the link of a sign-in code mail works in place of its code, and uses the code up", async () => {
    const { email } = await signedUp("link-or-code");
    const client = pageOf(new CookieJar());
    const since = await mailMark();
    await client.emailOtp.sendVerificationOtp({ email, type: "sign-in" });
    const otp = await readCode(email, "sign-in", since);
    const token = await readLink(email, "sign-in", since);
    const other = pageOf(new CookieJar());
    expect((await other.magicLink.verify({ token })).data?.outcome).toBe("signedIn");
    const code = await client.signIn.emailOtp({ email, otp });
    expect(code.error?.code).toMatch(/^(INVALID_OTP|OTP_EXPIRED)$/);
  });

  it("signed in, the verification link of the sign-up mail verifies this sign-in's account", async () => {
    const { client, email, verificationLink } = await signedUp("link-verify");
    const before = client.getAccessToken();
    const { data, error } = await client.magicLink.verify({ token: verificationLink });
    expect(error).toBeNull();
    expect(data).toEqual({ outcome: "verified", user: expect.objectContaining({ email }) });
    expect(data?.outcome === "verified" && data.user.emailVerified).toBe(true);
    expect(client.getAccessToken()).toBe(before); // the same sign-in, not a new one
    expect((await client.getSession()).data?.user.emailVerified).toBe(true);
  });

  it("signed out, the verification link (first proof of the address) signs that browser in", async () => {
    const { email, verificationLink } = await signedUp("link-verify-out");
    const other = pageOf(new CookieJar());
    const { data } = await other.magicLink.verify({ token: verificationLink });
    expect(data).toMatchObject({ outcome: "signedIn", user: { email, emailVerified: true } });
    expect((await other.getSession()).data?.user.email).toBe(email);
  });

  it("a forget-password link gives a reset token; resetPassword({newPassword, token}) sets it", async () => {
    const { email } = await signedUp("link-reset");
    const since = await mailMark();
    await pageOf(new CookieJar()).forgetPassword.emailOtp({ email });
    const token = await readLink(email, "forget-password", since);
    const client = pageOf(new CookieJar());
    const { data, error } = await client.magicLink.verify({ token });
    expect(error).toBeNull();
    expect(data).toEqual({ outcome: "resetToken", resetToken: expect.stringMatching(/\S/) });
    expect(client.getAccessToken()).toBeNull();
    const resetToken = data?.outcome === "resetToken" ? data.resetToken : "";
    const short = await client.resetPassword({ newPassword: "short", token: resetToken });
    expect(short.error?.code).toBe("PASSWORD_TOO_SHORT");
    expect(
      await client.resetPassword({ newPassword: "purple walrus orbit 7", token: resetToken }),
    ).toEqual({
      data: { status: true },
      error: null,
    });
    const again = await client.resetPassword({
      newPassword: "green walrus orbit 8",
      token: resetToken,
    });
    expect(again.error?.code).toBe("INVALID_TOKEN");
    const signIn = await pageOf(new CookieJar()).signIn.email({
      email,
      password: "purple walrus orbit 7",
    });
    expect(signIn.error).toBeNull();
  });

  it("a step-up link renews the sign-in that sends its Bearer token, and no other", async () => {
    const { client, email } = await signedUp("link-step-up");
    const since = await mailMark();
    await client.emailOtp.sendVerificationOtp({ email, type: "reauthentication" });
    const token = await readLink(email, "reauthentication", since);
    const stranger = await pageOf(new CookieJar()).magicLink.verify({ token });
    expect(stranger.error?.code).toBe("INVALID_LINK"); // and the link is still usable:
    const before = client.getAccessToken();
    const { data, error } = await client.magicLink.verify({ token });
    expect(error).toBeNull();
    expect(data).toMatchObject({ outcome: "signedIn", user: { email } });
    expect(client.getAccessToken()).not.toBe(before); // a new authTime
    expect((await client.getSession()).data?.user.email).toBe(email);
  });

  it("an email change by link is done, and ends the sign-in of the page that used it", async () => {
    const { client } = await signedUp("link-change");
    const newAddress = newEmail("link-changed");
    const since = await mailMark();
    await client.changeEmail({ newEmail: newAddress });
    const token = await readLink(newAddress, "email-change", since);
    const { data, error } = await client.magicLink.verify({ token });
    expect(error).toBeNull();
    expect(data).toEqual({ outcome: "done" });
    expect(client.getAccessToken()).toBeNull(); // every sign-in of the account ended, this one too
    expect(client.$core.getState().endedBy).toBe("expired");
    const signIn = await pageOf(new CookieJar()).signIn.email({
      email: newAddress,
      password: PASSWORD,
    });
    expect(signIn.data).toMatchObject({ user: { email: newAddress } });
  });

  it("the undo link gives the old address back; the address stays reserved until then", async () => {
    const first = await signedUp("link-undo");
    const moved = newEmail("link-undo-new");
    let since = await mailMark();
    await first.client.changeEmail({ newEmail: moved });
    await first.client.changeEmail({
      newEmail: moved,
      otp: await readCode(moved, "email-change", since),
    });
    const undo = await readLink(first.email, "email-change-undo", since);
    const outsider = pageOf(new CookieJar());
    expect((await outsider.magicLink.verify({ token: undo })).data).toEqual({ outcome: "done" });
    expect((await outsider.magicLink.verify({ token: undo })).error?.code).toBe("INVALID_LINK");
    const old = await pageOf(new CookieJar()).signIn.email({
      email: first.email,
      password: PASSWORD,
    });
    expect(old.error?.code).toBe("INVALID_EMAIL_OR_PASSWORD"); // a new password is asked for

    const second = await signedUp("link-undo-taken");
    const away = newEmail("link-undo-away");
    since = await mailMark();
    await second.client.changeEmail({ newEmail: away });
    await second.client.changeEmail({
      newEmail: away,
      otp: await readCode(away, "email-change", since),
    });
    const kept = await readLink(second.email, "email-change-undo", since);
    // The freed address stays the account's while its undo works: nobody can sign up with it.
    const squatter = await pageOf(new CookieJar()).signUp.email({
      email: second.email,
      password: PASSWORD,
      name: "Taker",
    });
    expect(squatter.error).toMatchObject({ code: "USER_ALREADY_EXISTS", status: 422 });
    const undone = await pageOf(new CookieJar()).magicLink.verify({ token: kept });
    expect(undone.data).toEqual({ outcome: "done" });
  });
});

describe("account", () => {
  it("changePassword: INVALID_PASSWORD, PASSWORD_UNCHANGED, then success", async () => {
    const { client } = await signedUp("change-password");
    const wrong = await client.changePassword({
      currentPassword: "nope nope",
      newPassword: "x".repeat(12),
    });
    expect(wrong.error).toMatchObject({ code: "INVALID_PASSWORD", status: 400 });
    const same = await client.changePassword({ currentPassword: PASSWORD, newPassword: PASSWORD });
    expect(same.error?.code).toBe("PASSWORD_UNCHANGED");
    const ok = await client.changePassword({
      currentPassword: PASSWORD,
      newPassword: "brand new staple",
      revokeOtherSessions: true,
    });
    expect(ok.error).toBeNull();
    expect(ok.data?.token).toBe(client.getAccessToken());
  });

  it("listSessions, revokeSession, revokeOtherSessions, revokeSessions", async () => {
    const { client, email } = await signedUp("sessions");
    const second = pageOf(new CookieJar());
    const third = pageOf(new CookieJar());
    await second.signIn.email({ email, password: PASSWORD });
    await third.signIn.email({ email, password: PASSWORD });

    const listed = await client.listSessions();
    expect(listed.data).toHaveLength(3);
    expect(listed.data?.filter((s) => s.current)).toHaveLength(1);
    const secondId = (await second.getSession()).data?.session.id;
    expect(await client.revokeSession({ token: secondId! })).toEqual({
      data: { status: true },
      error: null,
    });
    expect((await second.getSession()).data).toBeNull();
    const missing = await client.revokeSession({ token: "x".repeat(32) });
    expect(missing.error).toMatchObject({ code: "NOT_FOUND", status: 404 });

    expect((await client.revokeOtherSessions()).error).toBeNull();
    expect((await third.getSession()).data).toBeNull();
    expect((await client.listSessions()).data).toHaveLength(1);

    expect((await client.revokeSessions()).error).toBeNull();
    expect(client.getAccessToken()).toBeNull();
    const after = await client.listSessions();
    expect(after.error?.code).toMatch(/^(NOT_AUTHENTICATED|TOKEN_INVALID)$/);
  });

  it("listDevices, revokeDevice: a sign-in from another browser trusts it, until revoked", async () => {
    const { client, email } = await signedUp("devices");
    const first = await client.listDevices();
    expect(first.error).toBeNull();
    expect(first.data).toHaveLength(1); // the sign-up was a complete sign-in from this browser
    expect(first.data?.[0]).toMatchObject({ current: true, device: expect.stringMatching(/\S/) });

    const second = pageOf(new CookieJar());
    await second.signIn.email({ email, password: PASSWORD });
    const both = await client.listDevices();
    expect(both.data).toHaveLength(2);
    const other = both.data?.find((item) => !item.current);
    expect(other).toBeDefined();
    expect((await second.listDevices()).data?.find((item) => item.current)?.id).toBe(other?.id);

    expect(await client.revokeDevice({ id: other!.id })).toEqual({
      data: { status: true },
      error: null,
    });
    expect((await client.listDevices()).data?.map((item) => item.current)).toEqual([true]);
    expect((await second.getSession()).data).not.toBeNull(); // its sign-in goes on
    const again = await client.revokeDevice({ id: other!.id });
    expect(again.error).toMatchObject({ code: "NOT_FOUND", status: 404 });
  });

  it("updateUser changes the name; bad input is VALIDATION_ERROR", async () => {
    const { client } = await signedUp("update");
    const { data, error } = await client.updateUser({ name: "Grace Hopper" });
    expect(error).toBeNull();
    expect(data?.user.name).toBe("Grace Hopper");
    expect((await client.getSession()).data?.user.name).toBe("Grace Hopper");
    const bad = await client.updateUser({ image: "javascript:alert(1)" });
    expect(bad.error?.code).toBe("VALIDATION_ERROR");
  });

  it("changeEmail mails a code to the new address; the code makes the change", async () => {
    const { client } = await signedUp("change-email");
    const newAddress = newEmail("changed");
    const since = await mailMark();
    expect((await client.changeEmail({ newEmail: newAddress })).error).toBeNull();
    const otp = await readCode(newAddress, "email-change", since);
    const wrong = await client.changeEmail({ newEmail: newAddress, otp: wrongCode(otp) });
    expect(wrong.error?.code).toBe("INVALID_OTP");
    const { data, error } = await client.changeEmail({ newEmail: newAddress, otp });
    expect(error).toBeNull();
    expect(data?.user?.email).toBe(newAddress);
  });

  it("deleteUser with the password; a wrong password is INVALID_PASSWORD", async () => {
    const { client, email } = await signedUp("delete");
    const wrong = await client.deleteUser({ password: "not it at all" });
    expect(wrong.error?.code).toBe("INVALID_PASSWORD");
    expect(await client.deleteUser({ password: PASSWORD })).toEqual({
      data: { success: true },
      error: null,
    });
    expect(client.getAccessToken()).toBeNull();
    const signIn = await pageOf(new CookieJar()).signIn.email({ email, password: PASSWORD });
    expect(signIn.error?.code).toBe("INVALID_EMAIL_OR_PASSWORD");
  });

  it("reauthenticate and listSecurityEvents", async () => {
    const { client } = await signedUp("step-up");
    const wrong = await client.reauthenticate({ password: "nope nope nope" });
    expect(wrong.error?.code).toBe("INVALID_PASSWORD");
    expect((await client.reauthenticate({ password: PASSWORD })).error).toBeNull();
    const events = await client.listSecurityEvents();
    expect(events.data?.results.map((e) => e.type)).toContain("reauthenticated");
  });
});
