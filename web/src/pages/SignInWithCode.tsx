import { useState } from "react";
import type { FormEvent } from "react";
import { Link } from "react-router";
import type { Role } from "@authsvc/client";
import { useAuth } from "../auth/AuthProvider";
import { useAsyncAction } from "../auth/useAsyncAction";
import { EnterCodeStep, SendCodeStep } from "../components/CodeSteps";
import { Address, Field } from "../components/Form";
import { RolePicker } from "../components/RolePicker";
import { useEmailCode } from "../components/useEmailCode";
import { useSecondStep } from "./SignInTwoFactor";

/** Sign in with an emailed code: send code (type sign-in) → enter code → email-otp/sign-in/. */
export function SignInWithCode() {
  const { client } = useAuth();
  const action = useAsyncAction();
  const { run, reset } = action;
  const secondStep = useSecondStep();
  const [step, setStep] = useState<"email" | "code">("email");
  const { email, setEmail, otp, setOtp, sendCode, resend, anotherEmail, judged } = useEmailCode(
    "sign-in",
    run,
    () => setStep("code"),
  );
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("student");

  function signIn(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      const { data, error } = await client.signIn.emailOtp({
        email,
        otp,
        rememberMe: true,
        ...(name.trim() ? { name: name.trim(), role } : {}),
      });
      if (error) throw judged(error);
      secondStep(data, email); // else signed in: the route guard moves on
    }, event);
  }

  return (
    <section className="card narrow">
      <h1>Sign in with a code</h1>
      {step === "email" ? (
        <SendCodeStep
          action={action}
          intro="We will email you a 6-digit code. No password needed."
          email={email}
          onEmailChange={setEmail}
          onSubmit={sendCode}
        />
      ) : (
        <EnterCodeStep
          action={action}
          notice={
            <>
              If <Address email={email} /> can receive mail, a code is on its way. It is valid for 5
              minutes.
            </>
          }
          otp={otp}
          onOtpChange={setOtp}
          onSubmit={signIn}
          submitLabel="Sign in"
          pendingLabel="Signing in…"
          resend={resend}
          onUseAnotherEmail={() => {
            reset();
            anotherEmail();
            setStep("email");
          }}
        >
          <details className="new-account">
            <summary>New here? Tell us your name</summary>
            <p className="muted">Used only if this code creates your account.</p>
            <Field
              label="Name (optional)"
              name="name"
              autoComplete="name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              error={action.fields.name}
            />
            <RolePicker value={role} onChange={setRole} />
          </details>
        </EnterCodeStep>
      )}
      <ul className="links">
        <li>
          <Link to="/sign-in">Sign in with a password</Link>
        </li>
      </ul>
    </section>
  );
}
