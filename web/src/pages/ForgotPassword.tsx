import { useState } from "react";
import type { FormEvent } from "react";
import { Link } from "react-router";
import { useAuth } from "../auth/AuthProvider";
import { useAsyncAction } from "../auth/useAsyncAction";
import { CodeField } from "../components/CodeField";
import { Field, FormError, Notice, SubmitButton } from "../components/Form";

/**
 * Forgotten password: send code (type forget-password) → enter code → email-otp/check/ hands a
 * resetToken → new password → password/reset/ {resetToken, password}.
 */
export function ForgotPassword() {
  const { client } = useAuth();
  const { pending, error, fields, run } = useAsyncAction();
  const [step, setStep] = useState<"email" | "code" | "password" | "done">("email");
  const [email, setEmail] = useState("");
  const [otp, setOtp] = useState("");
  const [resetToken, setResetToken] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState(false);

  function sendCode(event?: FormEvent) {
    event?.preventDefault();
    void run(async () => {
      await client.sendOtp(email, "forget-password");
      setOtp("");
      setStep("code");
    });
  }

  function checkCode(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      setResetToken(await client.checkResetCode(email, otp));
      setStep("password");
    });
  }

  function resetPassword(event: FormEvent) {
    event.preventDefault();
    if (password !== confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    void run(async () => {
      await client.resetPassword(resetToken, password);
      setResetToken("");
      // A reset ends every sign-in of the account, this tab's included.
      if (client.getState().status === "signedIn") await client.signOut();
      setStep("done");
    });
  }

  return (
    <section className="card narrow">
      <h1>Reset your password</h1>
      {step === "email" && (
        <form onSubmit={sendCode} noValidate>
          <p className="muted">Enter your account's email and we will send you a 6-digit code.</p>
          <FormError message={error} />
          <Field
            label="Email"
            type="email"
            name="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={fields.email}
          />
          <SubmitButton pending={pending} pendingLabel="Sending…">
            Send me a code
          </SubmitButton>
        </form>
      )}
      {step === "code" && (
        <form onSubmit={checkCode} noValidate>
          <Notice>
            If <strong>{email}</strong> has an account, a code is on its way.
          </Notice>
          <FormError message={error} />
          <CodeField value={otp} onChange={setOtp} error={fields.otp} />
          <SubmitButton pending={pending} pendingLabel="Checking…">
            Continue
          </SubmitButton>
          <button
            type="button"
            className="link-button"
            onClick={() => sendCode()}
            disabled={pending}
          >
            Send a new code
          </button>
        </form>
      )}
      {step === "password" && (
        <form onSubmit={resetPassword} noValidate>
          <FormError message={mismatch ? "The two passwords do not match." : error} />
          <Field
            label="New password"
            type="password"
            name="password"
            autoComplete="new-password"
            required
            minLength={8}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            hint="At least 8 characters, not a common password."
            error={fields.password}
          />
          <Field
            label="Repeat the new password"
            type="password"
            name="confirm"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
          <SubmitButton pending={pending} pendingLabel="Saving…">
            Set new password
          </SubmitButton>
        </form>
      )}
      {step === "done" && (
        <>
          <Notice>Your password has been changed. Every device was signed out.</Notice>
          <Link className="button primary" to="/sign-in">
            Sign in
          </Link>
        </>
      )}
      {step !== "done" && (
        <ul className="links">
          <li>
            <Link to="/sign-in">Back to sign in</Link>
          </li>
        </ul>
      )}
    </section>
  );
}
