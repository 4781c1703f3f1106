import { useState } from "react";
import type { FormEvent } from "react";
import { Link } from "react-router";
import { useAuth } from "../auth/AuthProvider";
import { useAsyncAction } from "../auth/useAsyncAction";
import { EnterCodeStep, SendCodeStep } from "../components/CodeSteps";
import { Address } from "../components/Form";
import { NewPasswordStep, PasswordResetDone } from "../components/NewPasswordStep";
import { useEmailCode } from "../components/useEmailCode";

/**
 * Forgotten password: send code (type forget-password) → enter code (checked) → new password.
 * The client trades the code for a single-use reset token at the check and spends it at the reset.
 */
export function ForgotPassword() {
  const { client } = useAuth();
  const action = useAsyncAction();
  const { run, reset } = action;
  const [step, setStep] = useState<"email" | "code" | "password" | "done">("email");
  const { email, setEmail, otp, setOtp, sendCode, resend, anotherEmail, judged } = useEmailCode(
    "forget-password",
    run,
    () => setStep("code"),
  );

  function checkCode(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      const { error } = await client.emailOtp.checkVerificationOtp({
        email,
        type: "forget-password",
        otp,
      });
      if (error) throw judged(error);
      setStep("password");
    }, event);
  }

  async function resetPassword(password: string) {
    const { error } = await client.emailOtp.resetPassword({ email, otp, password });
    if (error) throw error;
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
          onUseAnotherEmail={() => {
            reset();
            anotherEmail();
            setStep("email");
          }}
        />
      )}
      {step === "password" && (
        <NewPasswordStep
          action={action}
          email={email}
          setPassword={resetPassword}
          onDone={() => setStep("done")}
        />
      )}
      {step === "done" && <PasswordResetDone />}
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
