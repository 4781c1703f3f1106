import { useState } from "react";
import type { FormEvent } from "react";
import { Link } from "react-router";
import type { Role } from "../auth/authClient";
import { useAuth } from "../auth/AuthProvider";
import { useAsyncAction } from "../auth/useAsyncAction";
import { CodeField } from "../components/CodeField";
import { Field, FormError, Notice, SubmitButton } from "../components/Form";
import { RolePicker } from "../components/RolePicker";

/** Sign in with an emailed code: send code (type sign-in) → enter code → email-otp/sign-in/. */
export function SignInWithCode() {
  const { client } = useAuth();
  const { pending, error, fields, run, reset } = useAsyncAction();
  const [step, setStep] = useState<"email" | "code">("email");
  const [email, setEmail] = useState("");
  const [otp, setOtp] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("student");

  function sendCode(event?: FormEvent) {
    event?.preventDefault();
    void run(async () => {
      await client.sendOtp(email, "sign-in");
      setOtp("");
      setStep("code");
    });
  }

  function signIn(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      await client.signInWithOtp({
        email,
        otp,
        rememberMe: true,
        ...(name.trim() ? { name: name.trim(), role } : {}),
      });
    });
  }

  return (
    <section className="card narrow">
      <h1>Sign in with a code</h1>
      {step === "email" ? (
        <form onSubmit={sendCode} noValidate>
          <p className="muted">We will email you a 6-digit code. No password needed.</p>
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
      ) : (
        <form onSubmit={signIn} noValidate>
          <Notice>
            If <strong>{email}</strong> can receive mail, a code is on its way. It is valid for 5
            minutes.
          </Notice>
          <FormError message={error} />
          <CodeField value={otp} onChange={setOtp} error={fields.otp} />
          <details className="new-account">
            <summary>New here? Tell us your name</summary>
            <p className="muted">Used only if this code creates your account.</p>
            <Field
              label="Name (optional)"
              name="name"
              autoComplete="name"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
            <RolePicker value={role} onChange={setRole} />
          </details>
          <SubmitButton pending={pending} pendingLabel="Signing in…">
            Sign in
          </SubmitButton>
          <div className="row">
            <button
              type="button"
              className="link-button"
              onClick={() => sendCode()}
              disabled={pending}
            >
              Send a new code
            </button>
            <button
              type="button"
              className="link-button"
              onClick={() => {
                reset();
                setStep("email");
              }}
            >
              Use another email
            </button>
          </div>
        </form>
      )}
      <ul className="links">
        <li>
          <Link to="/sign-in">Sign in with a password</Link>
        </li>
      </ul>
    </section>
  );
}
