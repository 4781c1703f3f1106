import { useState } from "react";
import type { FormEvent } from "react";
import { Link } from "react-router";
import { useAuth } from "../auth/AuthProvider";
import { useAsyncAction } from "../auth/useAsyncAction";
import { CodeField } from "../components/CodeField";
import { Field, FormError, Notice, SubmitButton } from "../components/Form";

/** Verify an email: send code (type email-verification) → enter code → email-otp/verify-email/. */
export function VerifyEmail() {
  const { client, user } = useAuth();
  const { pending, error, fields, run } = useAsyncAction();
  const [step, setStep] = useState<"email" | "code" | "done">("email");
  const [email, setEmail] = useState(user?.email ?? "");
  const [otp, setOtp] = useState("");

  if (user?.emailVerified && step !== "done") {
    return (
      <section className="card narrow">
        <h1>Verify your email</h1>
        <Notice>Your email {user.email} is already verified.</Notice>
        <Link to="/dashboard">Back to the dashboard</Link>
      </section>
    );
  }

  function sendCode(event?: FormEvent) {
    event?.preventDefault();
    void run(async () => {
      await client.sendOtp(email, "email-verification");
      setOtp("");
      setStep("code");
    });
  }

  function verify(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      await client.verifyEmail(email, otp);
      setStep("done");
    });
  }

  return (
    <section className="card narrow">
      <h1>Verify your email</h1>
      {step === "email" && (
        <form onSubmit={sendCode} noValidate>
          <FormError message={error} />
          <Field
            label="Email"
            type="email"
            name="email"
            autoComplete="email"
            required
            readOnly={Boolean(user)}
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
        <form onSubmit={verify} noValidate>
          <Notice>
            We sent a code to <strong>{email}</strong> (if it has an account).
          </Notice>
          <FormError message={error} />
          <CodeField value={otp} onChange={setOtp} error={fields.otp} />
          <SubmitButton pending={pending} pendingLabel="Verifying…">
            Verify email
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
      {step === "done" && (
        <>
          <Notice>Your email is verified. Thank you!</Notice>
          {user ? (
            <Link to="/dashboard">Back to the dashboard</Link>
          ) : (
            <Link to="/sign-in">Sign in</Link>
          )}
        </>
      )}
    </section>
  );
}
