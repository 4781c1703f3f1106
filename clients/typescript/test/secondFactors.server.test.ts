/**
 * twoFactor.*, passkey.* and signIn.passkey against the real server (scripts/test-web starts
 * it): TOTP codes computed here as an authenticator app does, passkeys made by a software
 * authenticator in place of the browser's navigator.credentials. Browsers are cookie jars;
 * the last test is a script's client (body transport, no cookies).
 */
import { describe, expect, it } from "vitest";
import { createAuthClient } from "../src/client";
import { SoftwareAuthenticator, currentStep, totpCode } from "./authenticators";
import {
  BASE_URL,
  CookieJar,
  PASSWORD,
  mailMark,
  newEmail,
  pageOf,
  readCode,
  signedUp,
} from "./support";

type Page = ReturnType<typeof pageOf>;

/** A verified account with two-factor on (enrolled with the code of the previous step). */
async function withTwoFactor(label: string) {
  const account = await signedUp(label);
  const { client, email, verificationCode } = account;
  expect((await client.emailOtp.verifyEmail({ email, otp: verificationCode })).error).toBeNull();
  const { data, error } = await client.twoFactor.enable({ password: PASSWORD });
  expect(error).toBeNull();
  const { totpURI, backupCodes } = data!;
  const enrolled = await client.twoFactor.verifyTotp({
    code: totpCode(totpURI, currentStep() - 1),
  });
  expect(enrolled.error).toBeNull();
  return { ...account, totpURI, backupCodes };
}

/** A sign-in by password in a new browser, which the account answers with a second step. */
async function pendingSignIn(email: string, jar = new CookieJar(), options = {}) {
  const page = pageOf(jar, options);
  const { data, error } = await page.signIn.email({ email, password: PASSWORD });
  expect(error).toBeNull();
  expect(data?.twoFactorRedirect).toBe(true);
  return { page, jar, methods: data?.twoFactorRedirect ? data.twoFactorMethods : [] };
}

async function expectSignedIn(page: Pick<Page, "getSession">, email: string) {
  const session = await page.getSession();
  expect(session.error).toBeNull();
  expect(session.data?.user.email).toBe(email);
}

describe("twoFactor: TOTP", () => {
  it("enable, verifyTotp (enrolment), sign out; signIn.email asks for a second step; verifyTotp signs in", async () => {
    const { client, email, verificationCode } = await signedUp("totp");
    const notVerified = await client.twoFactor.enable({ password: PASSWORD });
    expect(notVerified.error).toMatchObject({ code: "EMAIL_NOT_VERIFIED" });
    await client.emailOtp.verifyEmail({ email, otp: verificationCode });

    const wrongPassword = await client.twoFactor.enable({ password: "not the password" });
    expect(wrongPassword.error).toMatchObject({ code: "INVALID_PASSWORD", status: 400 });
    const { data: enabled, error } = await client.twoFactor.enable({ password: PASSWORD });
    expect(error).toBeNull();
    expect(enabled?.totpURI).toMatch(/^otpauth:\/\/totp\/.+\?.*secret=[A-Z2-7]+/);
    expect(enabled?.backupCodes).toHaveLength(10);
    const uri = enabled!.totpURI;

    // Until the first code two-factor is off; a wrong code does not turn it on.
    const wrong = await client.twoFactor.verifyTotp({ code: "000000" });
    expect(wrong.error).toMatchObject({ code: "INVALID_TWO_FACTOR_CODE", status: 400 });
    const enrol = await client.twoFactor.verifyTotp({ code: totpCode(uri, currentStep() - 1) });
    expect(enrol.error).toBeNull();
    expect(enrol.data?.user).toMatchObject({ email, twoFactorEnabled: true });
    expect(client.$core.getState().user?.twoFactorEnabled).toBe(true);
    expect((await client.getSession()).data?.user.twoFactorEnabled).toBe(true);
    await client.signOut();

    const { page, jar, methods } = await pendingSignIn(email);
    expect(methods).toEqual(["totp", "backup-code"]);
    expect(page.getAccessToken()).toBeNull();
    expect((await pageOf(jar).getSession()).data).toBeNull(); // nothing to restore yet
    const badCode = await page.twoFactor.verifyTotp({ code: "000000" });
    expect(badCode.error).toMatchObject({ code: "INVALID_TWO_FACTOR_CODE" });

    const code = totpCode(uri);
    const { data, error: verifyError } = await page.twoFactor.verifyTotp({ code });
    expect(verifyError).toBeNull();
    expect(data?.user).toMatchObject({ email, twoFactorEnabled: true });
    expect(data?.token.split(".")).toHaveLength(3);
    expect(page.getAccessToken()).toBe(data?.token);
    await expectSignedIn(page, email);
    await expectSignedIn(pageOf(jar), email); // a new page of that browser restores it

    // A code is accepted once: the same code cannot answer another sign-in.
    const other = await pendingSignIn(email);
    const replay = await other.page.twoFactor.verifyTotp({ code });
    expect(replay.error).toMatchObject({ code: "INVALID_TWO_FACTOR_CODE" });

    // Step-up by the authenticator app.
    const stepUp = await page.reauthenticate({ code: totpCode(uri, currentStep() + 1) });
    expect(stepUp.error).toBeNull();
    expect(page.getAccessToken()).not.toBe(data?.token);
  });

  it("a second step nobody started is TWO_FACTOR_SIGN_IN_EXPIRED", async () => {
    const page = pageOf(new CookieJar());
    const { error } = await page.twoFactor.verifyTotp({ code: "123456" });
    expect(error).toMatchObject({ code: "TWO_FACTOR_SIGN_IN_EXPIRED", status: 401 });
  });
});

describe("twoFactor: recovery codes, trusted devices, disable", () => {
  it("a recovery code works once; trustDevice makes that browser skip the second step", async () => {
    const { email, backupCodes } = await withTwoFactor("backup");
    const first = await pendingSignIn(email);
    const used = await first.page.twoFactor.verifyBackupCode({
      code: backupCodes[0],
      trustDevice: true,
    });
    expect(used.error).toBeNull();
    expect(used.data?.user.email).toBe(email);
    await expectSignedIn(first.page, email);

    const second = await pendingSignIn(email);
    const again = await second.page.twoFactor.verifyBackupCode({ code: backupCodes[0] });
    expect(again.error).toMatchObject({ code: "INVALID_TWO_FACTOR_CODE" });
    expect(
      (await second.page.twoFactor.verifyBackupCode({ code: backupCodes[1] })).error,
    ).toBeNull();

    // The trusted browser signs in with the password alone now.
    await first.page.signOut();
    const trusted = await pageOf(first.jar).signIn.email({ email, password: PASSWORD });
    expect(trusted.data).toMatchObject({ redirect: false, user: { email } });
  });

  it("generateBackupCodes ends the old codes; disable turns two-factor off", async () => {
    const { client, email, backupCodes } = await withTwoFactor("regenerate");
    const { data, error } = await client.twoFactor.generateBackupCodes({ password: PASSWORD });
    expect(error).toBeNull();
    expect(data?.status).toBe(true);
    expect(data?.backupCodes).toHaveLength(10);
    expect(data?.backupCodes).not.toContain(backupCodes[2]);

    const old = await pendingSignIn(email);
    expect(
      (await old.page.twoFactor.verifyBackupCode({ code: backupCodes[2] })).error,
    ).toMatchObject({
      code: "INVALID_TWO_FACTOR_CODE",
    });
    expect(
      (await old.page.twoFactor.verifyBackupCode({ code: data!.backupCodes[0] })).error,
    ).toBeNull();

    const wrong = await client.twoFactor.disable({ password: "not the password" });
    expect(wrong.error?.code).toBe("INVALID_PASSWORD");
    const off = await client.twoFactor.disable({ password: PASSWORD });
    expect(off.error).toBeNull();
    expect(off.data).toMatchObject({ status: true, user: { twoFactorEnabled: false } });
    const direct = await pageOf(new CookieJar()).signIn.email({ email, password: PASSWORD });
    expect(direct.data).toMatchObject({ user: { email, twoFactorEnabled: false } });
    const notEnabled = await client.twoFactor.generateBackupCodes();
    expect(notEnabled.error?.code).toBe("TWO_FACTOR_NOT_ENABLED");
  });

  it("a code sign-in asks for the second step too", async () => {
    const { email, totpURI } = await withTwoFactor("code-sign-in");
    const page = pageOf(new CookieJar());
    const since = await mailMark();
    await page.emailOtp.sendVerificationOtp({ email, type: "sign-in" });
    const otp = await readCode(email, "sign-in", since);
    const { data } = await page.signIn.emailOtp({ email, otp });
    expect(data).toEqual({ twoFactorRedirect: true, twoFactorMethods: ["totp", "backup-code"] });
    expect((await page.twoFactor.verifyTotp({ code: totpCode(totpURI) })).error).toBeNull();
    await expectSignedIn(page, email);
  });
});

describe("passkeys", () => {
  it("addPasskey, list, rename; signIn.passkey (also by autofill) and step-up with it; delete", async () => {
    const { client, email, verificationCode, origin } = await signedUp("passkey");
    const authenticator = new SoftwareAuthenticator(origin);
    const owner = pageOf(new CookieJar(), { credentials: authenticator.credentials });
    await owner.signIn.email({ email, password: PASSWORD });
    const notVerified = await owner.passkey.addPasskey();
    expect(notVerified.error).toMatchObject({ code: "EMAIL_NOT_VERIFIED" });
    await client.emailOtp.verifyEmail({ email, otp: verificationCode });

    const { data: added, error } = await owner.passkey.addPasskey({ name: "Test key" });
    expect(error).toBeNull();
    expect(added).toMatchObject({ name: "Test key", backedUp: true, deviceType: "multiDevice" });
    const twice = await owner.passkey.addPasskey();
    expect(twice.error).toMatchObject({ code: "PREVIOUSLY_REGISTERED" }); // excludeCredentials

    const list = await owner.passkey.listUserPasskeys();
    expect(list.data?.map((p) => p.id)).toEqual([added!.id]);
    const renamed = await owner.passkey.updatePasskey({ id: added!.id, name: "Laptop" });
    expect(renamed.data?.passkey).toMatchObject({ id: added!.id, name: "Laptop" });

    const jar = new CookieJar();
    const page = pageOf(jar, { credentials: authenticator.credentials });
    const { data, error: signInError } = await page.signIn.passkey({ rememberMe: false });
    expect(signInError).toBeNull();
    expect(data).toMatchObject({ user: { email } });
    await expectSignedIn(page, email);
    expect((await page.passkey.listUserPasskeys()).data?.[0].lastUsedAt).not.toBeNull();

    const autofill = pageOf(new CookieJar(), { credentials: authenticator.credentials });
    const byAutofill = await autofill.signIn.passkey({ autoFill: true });
    expect(byAutofill.error).toBeNull();
    expect(authenticator.calls.at(-1)).toEqual({ kind: "get", mediation: "conditional" });

    const stepUp = await page.reauthenticate({ passkey: true });
    expect(stepUp.error).toBeNull();
    expect(stepUp.data?.user.email).toBe(email);

    expect((await page.passkey.deletePasskey({ id: added!.id })).data).toEqual({ status: true });
    expect((await page.passkey.listUserPasskeys()).data).toEqual([]);
    const staleStepUp = await page.reauthenticate({ passkey: true });
    expect(staleStepUp.error).toMatchObject({ code: "INVALID_PASSKEY", status: 400 });
    const gone = await pageOf(new CookieJar(), {
      credentials: authenticator.credentials,
    }).signIn.passkey();
    expect(gone.error).toMatchObject({ code: "INVALID_PASSKEY", status: 401 });
  });

  it("a passkey answers the second step of a password sign-in (twoFactor.verifyPasskey)", async () => {
    const { email, origin, backupCodes } = await withTwoFactor("passkey-step");
    const authenticator = new SoftwareAuthenticator(origin);
    const withKey = { credentials: authenticator.credentials };
    const owner = await pendingSignIn(email, new CookieJar(), withKey);
    await owner.page.twoFactor.verifyBackupCode({ code: backupCodes[0] });
    expect((await owner.page.passkey.addPasskey()).error).toBeNull();

    const { page, methods } = await pendingSignIn(email, new CookieJar(), withKey);
    expect(methods).toEqual(["totp", "backup-code", "passkey"]);
    const { data, error } = await page.twoFactor.verifyPasskey();
    expect(error).toBeNull();
    expect(data?.user.email).toBe(email);
    await expectSignedIn(page, email);
  });
});

describe("body transport (a script: no cookies)", () => {
  it("signs up, verifies, enrols TOTP; a sign-in's twoFactorToken and a passkey's challengeToken go back in bodies", async () => {
    const { origin } = await signedUp("origin"); // the web origin its mail links to
    const authenticator = new SoftwareAuthenticator(origin);
    const script = () =>
      createAuthClient({ baseURL: BASE_URL, credentials: authenticator.credentials });
    const client = script();
    expect(client.$core.transport).toBe("body");
    const email = newEmail("script");
    const since = await mailMark();
    const signUp = await client.signUp.email({ email, password: PASSWORD, name: "Script" });
    expect(signUp.error).toBeNull();
    // The sign-up's code is bound to this client by the flowToken it kept.
    const otp = await readCode(email, "email-verification", since);
    expect((await client.emailOtp.verifyEmail({ email, otp })).error).toBeNull();
    expect(await client.$core.refresh()).toBe(true); // the refresh token it kept

    const { data: enabled } = await client.twoFactor.enable({ password: PASSWORD });
    const uri = enabled!.totpURI;
    await client.twoFactor.verifyTotp({ code: totpCode(uri, currentStep() - 1) });
    expect((await client.passkey.addPasskey({ name: "Script key" })).error).toBeNull();
    await client.signOut();

    const second = script();
    const pending = await second.signIn.email({ email, password: PASSWORD });
    expect(pending.data).toEqual({
      twoFactorRedirect: true,
      twoFactorMethods: ["totp", "backup-code", "passkey"],
    });
    const verified = await second.twoFactor.verifyTotp({ code: totpCode(uri) });
    expect(verified.error).toBeNull();
    expect(await second.$core.refresh()).toBe(true);
    await expectSignedIn(second, email);
    await second.signOut();

    const third = script();
    await third.signIn.email({ email, password: PASSWORD });
    expect((await third.twoFactor.verifyPasskey()).error).toBeNull();
    await third.signOut();

    const byPasskey = script();
    const { data, error } = await byPasskey.signIn.passkey();
    expect(error).toBeNull();
    expect(data).toMatchObject({ user: { email } });
    expect(await byPasskey.$core.refresh()).toBe(true);
    await byPasskey.signOut();
    expect(await byPasskey.$core.refresh()).toBe(false);
  });
});
