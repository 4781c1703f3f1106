import { useState } from "react";
import type { FormEvent } from "react";
import { Link, useLocation } from "react-router";
import { useAuth } from "../auth/AuthProvider";
import { useAsyncAction } from "../auth/useAsyncAction";
import { EnterCodeStep, SendCodeStep } from "../components/CodeSteps";
import { Address, Notice } from "../components/Form";
import { Loading } from "../components/Layout";
import { useEmailCode } from "../components/useEmailCode";
import { useSecondStep } from "./SignInTwoFactor";

/** Verify an email: send code (type email-verification) → enter code → email-otp/verify-email/. */
export function VerifyEmail() {
  const { status } = useAuth();
  // Signed in, the address is the account's: known once the sign-in is restored (a reload).
  if (status === "loading") return <Loading label="Restoring your session…" />;
  return <VerifyEmailSteps />;
}

function VerifyEmailSteps() {
  const { client, user } = useAuth();
  const action = useAsyncAction();
  const secondStep = useSecondStep();
  // From the dashboard right after sign-up: the code mailed at sign-up is waiting.
  const location = useLocation();
  const codeSent = Boolean(user && (location.state as { codeSent?: boolean } | null)?.codeSent);
  const [step, setStep] = useState<"email" | "code" | "done">(codeSent ? "code" : "email");
  const { email, setEmail, otp, setOtp, sendCode, resend, judged } = useEmailCode(
    "email-verification",
    action.run,
    () => setStep("code"),
    user?.email ?? "",
    codeSent,
  );

  if (user?.emailVerified && step !== "done") {
    return (
      <section className="card narrow">
        <h1>Verify your email</h1>
        <Notice>
          Your email <Address email={user.email} /> is already verified.
        </Notice>
        <Link to="/dashboard">Back to the dashboard</Link>
      </section>
    );
  }

  function verify(event: FormEvent) {
    event.preventDefault();
    void action.run(async () => {
      const { data, error } = await client.emailOtp.verifyEmail({ email, otp });
      if (error) throw judged(error);
      if (!secondStep(data, email)) setStep("done");
    }, event);
  }

  return (
    <section className="card narrow">
      <h1>Verify your email</h1>
      {step === "email" && (
        <SendCodeStep
          action={action}
          intro={user ? undefined : "We will email a code to the address you signed up with."}
          email={email}
          onEmailChange={setEmail}
          readOnly={Boolean(user)}
          onSubmit={sendCode}
        />
      )}
      {step === "code" && (
        <EnterCodeStep
          action={action}
          notice={
            <>
              We sent a code to <Address email={email} after={user ? "." : undefined} />
              {user ? null : " (if it has an account)."}
            </>
          }
          otp={otp}
          onOtpChange={setOtp}
          onSubmit={verify}
          submitLabel="Verify email"
          pendingLabel="Verifying…"
          resend={resend}
        />
      )}
      {step === "done" && (
        <>
          <Notice focus>Your email is verified. Thank you!</Notice>
          {user ? (
            <Link to="/dashboard">Back to the dashboard</Link>
          ) : (
            <Link to="/sign-in">Sign in</Link>
          )}
        </>
      )}
      {!user && step !== "done" && (
        <ul className="links">
          <li>
            <Link to="/sign-in">Back to sign in</Link>
          </li>
        </ul>
      )}
    </section>
  );
}
