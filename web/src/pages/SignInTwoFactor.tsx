import { useEffect, useRef, useState } from "react";
import type { FormEvent } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { isTwoFactorRedirect } from "@authsvc/client";
import type { AuthClientError, TwoFactorMethod } from "@authsvc/client";
import { useAuth } from "../auth/AuthProvider";
import { useAsyncAction } from "../auth/useAsyncAction";
import { CODE_LENGTH, CodeField } from "../components/CodeField";
import { Checkbox, Field, FormError, SubmitButton } from "../components/Form";

/**
 * What the second-step page is handed: the account's methods, where the user was headed, and
 * the address they typed (router state, in this tab's history entry only: no storage, no
 * cookie), which goes back to the sign-in form if this sign-in expires.
 */
export interface SecondStepState {
  twoFactorMethods?: TwoFactorMethod[];
  from?: string;
  email?: string;
}

/**
 * What the sign-in page is handed back: why the second step ended (an expired sign-in), and the
 * address typed for it, to fill in again.
 */
export interface SignInState {
  error?: AuthClientError;
  from?: string;
  email?: string;
}

export const SECOND_STEP_PATH = "/sign-in/two-factor";

/**
 * After a sign-in's answer: `true` (and on to the second step) when the account asks for one.
 * Every path that signs in (password, emailed code, link) answers `{twoFactorRedirect: true,
 * twoFactorMethods}` instead of tokens then. `email`: the address the user typed, if any.
 */
export function useSecondStep() {
  const navigate = useNavigate();
  const location = useLocation();
  return (data: object, email?: string): boolean => {
    if (!isTwoFactorRedirect(data)) return false;
    const from = (location.state as { from?: string } | null)?.from;
    const state: SecondStepState = { twoFactorMethods: data.twoFactorMethods, from, email };
    navigate(SECOND_STEP_PATH, { state });
    return true;
  };
}

const ORDER: TwoFactorMethod[] = ["totp", "passkey", "backup-code"];

const INTROS: Record<TwoFactorMethod, string> = {
  totp: "Enter the 6-digit code your authenticator app shows for Classroom.",
  passkey: "Use a passkey of your account: on this device, a phone or a security key.",
  "backup-code":
    "Enter one of the recovery codes you saved when you turned on two-factor authentication. Each code works once.",
};

const SWITCH_LABELS: Record<TwoFactorMethod, string> = {
  totp: "Use your authenticator app",
  passkey: "Use a passkey",
  "backup-code": "Use a recovery code",
};

/**
 * /sign-in/two-factor: the second step of a sign-in of an account with two-factor on — a code of
 * the authenticator app, a recovery code or a passkey (those the account has), and "Trust this
 * device for 30 days". Success signs in (the route guard moves on); a pending sign-in that
 * expired or had too many wrong answers goes back to sign-in with the reason.
 */
export function SignInTwoFactor() {
  const { client } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const state = (location.state as SecondStepState | null) ?? {};
  // Without the sign-in's list (a bookmark, say): what every account with two-factor has.
  const offered = state.twoFactorMethods?.length
    ? ORDER.filter((method) => state.twoFactorMethods?.includes(method))
    : (["totp", "backup-code"] as TwoFactorMethod[]);
  const [method, setMethod] = useState<TwoFactorMethod>(offered[0] ?? "totp");
  const { pending, error, fields, run, reset } = useAsyncAction();
  const [otp, setOtp] = useState("");
  const [code, setCode] = useState("");
  const [short, setShort] = useState(false);
  const [trustDevice, setTrustDevice] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const shown = useRef(method);
  useEffect(() => {
    if (shown.current === method) return;
    shown.current = method;
    if (method === "passkey") heading.current?.focus(); // the code fields take it themselves
  }, [method]);

  function answered(error: AuthClientError | null) {
    if (error?.code === "TWO_FACTOR_SIGN_IN_EXPIRED") {
      const back: SignInState = { error, from: state.from, email: state.email };
      navigate("/sign-in", { replace: true, state: back });
      return;
    }
    if (error) throw error;
    // Signed in: the route guard takes the user where they were headed.
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (method === "totp" && otp.length !== CODE_LENGTH) {
      setShort(true);
      return;
    }
    setShort(false);
    void run(async () => {
      if (method === "totp") {
        answered((await client.twoFactor.verifyTotp({ code: otp, trustDevice })).error);
      } else if (method === "backup-code") {
        answered(
          (await client.twoFactor.verifyBackupCode({ code: code.trim(), trustDevice })).error,
        );
      } else {
        answered((await client.twoFactor.verifyPasskey({ trustDevice })).error);
      }
    }, event);
  }

  function choose(next: TwoFactorMethod) {
    reset();
    setShort(false);
    setMethod(next);
  }

  return (
    <section className="card narrow">
      <h1 ref={heading} tabIndex={-1}>
        Confirm it is you
      </h1>
      <form onSubmit={submit} noValidate>
        <p className="muted">{INTROS[method]}</p>
        <FormError message={error} />
        {method === "totp" && (
          <CodeField
            value={otp}
            onChange={setOtp}
            error={short ? "Enter all 6 digits of the code." : fields.otp}
          />
        )}
        {method === "backup-code" && (
          <Field
            key="backup-code"
            label="Recovery code"
            name="code"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            autoFocus
            required
            className="code-text"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={fields.code}
          />
        )}
        <div>
          <Checkbox
            label="Trust this device for 30 days"
            name="trustDevice"
            checked={trustDevice}
            onChange={(e) => setTrustDevice(e.target.checked)}
            aria-describedby="trust-device-hint"
          />
          <p className="hint trust-hint" id="trust-device-hint">
            Sign-ins from this browser skip this step. Leave it off on a shared computer.
          </p>
        </div>
        <SubmitButton
          pending={pending}
          pendingLabel={method === "passkey" ? "Waiting for your passkey…" : "Checking…"}
        >
          {method === "passkey" ? "Use a passkey" : "Continue"}
        </SubmitButton>
      </form>
      <ul className="links">
        {offered
          .filter((other) => other !== method)
          .map((other) => (
            <li key={other}>
              <button type="button" className="link-button" onClick={() => choose(other)}>
                {SWITCH_LABELS[other]} instead
              </button>
            </li>
          ))}
        <li>
          <Link to="/sign-in">Back to sign in</Link>
        </li>
      </ul>
    </section>
  );
}
