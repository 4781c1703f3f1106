import { useState } from "react";
import type { FormEvent } from "react";
import { Link } from "react-router";
import { useAuth } from "../auth/AuthProvider";
import { useAsyncAction } from "../auth/useAsyncAction";
import { NewPasswordField, PasswordField } from "../components/AuthFields";
import { EnterCodeStep, SendCodeStep } from "../components/CodeSteps";
import { Address, FormError, Notice, SubmitButton } from "../components/Form";
import { useEmailCode } from "../components/useEmailCode";

/**
 * Forgotten password: send code (type forget-password) → enter code (checked) → new password.
 * The client trades the code for a single-use reset token at the check and spends it at the reset.
 */
export function ForgotPassword() {
  const { client } = useAuth();
  const action = useAsyncAction();
  const { pending, error, fields, run } = action;
  const [step, setStep] = useState<"email" | "code" | "password" | "done">("email");
  const { email, setEmail, otp, setOtp, sendCode, resend } = useEmailCode(
    "forget-password",
    run,
    () => setStep("code"),
  );
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState(false);

  function checkCode(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      const { error } = await client.emailOtp.checkVerificationOtp({
        email,
        type: "forget-password",
        otp,
      });
      if (error) throw error;
      setStep("password");
    }, event);
  }

  function resetPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (password && password !== confirm) {
      setMismatch(true);
      const repeat = event.currentTarget.elements.namedItem("confirm");
      if (repeat instanceof HTMLInputElement) repeat.focus();
      return;
    }
    setMismatch(false);
    void run(async () => {
      const { error } = await client.emailOtp.resetPassword({ email, otp, password });
      if (error) throw error;
      // A reset ends every sign-in of the account, this tab's included.
      if (client.$core.getState().status === "signedIn") await client.signOut();
      setStep("done");
    }, event);
  }

  return (
    <section className="card narrow">
      <h1>Reset your password</h1>
      {step === "email" && (
        <SendCodeStep
          action={action}
          intro="Enter your account's email and we will send you a 6-digit code."
          email={email}
          onEmailChange={setEmail}
          onSubmit={sendCode}
        />
      )}
      {step === "code" && (
        <EnterCodeStep
          action={action}
          notice={
            <>
              If <Address email={email} /> has an account, a code is on its way.
            </>
          }
          otp={otp}
          onOtpChange={setOtp}
          onSubmit={checkCode}
          submitLabel="Continue"
          pendingLabel="Checking…"
          resend={resend}
        />
      )}
      {step === "password" && (
        <form onSubmit={resetPassword} noValidate>
          <FormError message={error} />
          <NewPasswordField
            label="New password"
            value={password}
            onChange={setPassword}
            error={fields.password}
          />
          <PasswordField
            label="Repeat the new password"
            name="confirm"
            autoComplete="new-password"
            value={confirm}
            onChange={setConfirm}
            error={mismatch ? "The two passwords do not match." : fields.confirm}
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
