import { useEffect, useRef, useState } from "react";
import type { FormEvent } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import type { User } from "@authsvc/client";
import { useAuth } from "../auth/AuthProvider";
import { useAsyncAction } from "../auth/useAsyncAction";
import { Address, FormError, Notice, SubmitButton } from "../components/Form";
import { Loading } from "../components/Layout";
import { NewPasswordStep, PasswordResetDone } from "../components/NewPasswordStep";
import { useSecondStep } from "./SignInTwoFactor";

/** The token of a link's fragment (`#token=...`), or null. */
export function linkToken(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, "")).get("token") || null;
}

type Step =
  | { name: "ready" }
  | { name: "verified"; user: User }
  | { name: "password"; resetToken: string }
  | { name: "passwordChanged" }
  | { name: "done" };

const HEADINGS: Record<Step["name"], string> = {
  ready: "Continue from your email",
  verified: "Email verified",
  password: "Choose a new password",
  passwordChanged: "Password changed",
  done: "Done",
};

/**
 * /auth/link#token=…: the one-click link of every code mail, signed in or not. Nothing happens
 * on load (mail scanners open links; a GET never uses one): the token is read from the fragment,
 * the fragment leaves the address bar and the history, and one button uses the link. Then what
 * the code of that mail would have given: signed in (on to the dashboard), the address verified,
 * a new password to choose, or an email change done (or undone).
 */
export function EmailLink() {
  const { client, status, user } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const secondStep = useSecondStep();
  const [token] = useState(() => linkToken(location.hash));
  useEffect(() => {
    if (!window.location.hash) return;
    // The token is a credential until used: not in the address bar, the history or a bookmark.
    const { pathname, search } = window.location;
    window.history.replaceState(window.history.state, "", pathname + search);
  }, []);
  const action = useAsyncAction();
  const [step, setStep] = useState<Step>({ name: "ready" });
  // A used, expired or unknown link (or an undo too late): pressing again cannot help.
  const [spent, setSpent] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const shown = useRef(step.name);
  useEffect(() => {
    if (shown.current === step.name) return;
    shown.current = step.name;
    // The button is gone: the focus goes to what replaced it (the new password's field takes
    // it itself).
    if (step.name !== "password") heading.current?.focus();
  }, [step.name]);

  if (status === "loading") return <Loading label="Restoring your session…" />;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!token) return;
    void action.run(async () => {
      const { data, error } = await client.magicLink.verify({ token });
      if (error) {
        setSpent(error.code === "INVALID_LINK" || error.code === "USER_ALREADY_EXISTS");
        throw error;
      }
      if (data.outcome === "twoFactorRedirect") secondStep(data);
      else if (data.outcome === "signedIn") navigate("/dashboard", { replace: true });
      else if (data.outcome === "verified") setStep({ name: "verified", user: data.user });
      else if (data.outcome === "resetToken") {
        setStep({ name: "password", resetToken: data.resetToken });
      } else setStep({ name: "done" });
    }, event);
  }

  async function setPassword(password: string) {
    if (step.name !== "password") return;
    const { error } = await client.resetPassword({ newPassword: password, token: step.resetToken });
    if (error) throw error;
  }

  return (
    <section className="card narrow">
      <h1 ref={heading} tabIndex={-1}>
        {HEADINGS[step.name]}
      </h1>
      {step.name === "ready" && !token && (
        <>
          <FormError message="This link is incomplete. Open it again from the email, or ask for a new one." />
          <WaysOn signedIn={status === "signedIn"} verified={user?.emailVerified} />
        </>
      )}
      {step.name === "ready" && token && (
        <>
          <form onSubmit={submit} noValidate>
            {!spent && (
              <p className="muted">
                You opened a link from one of our emails. Press Continue to use it: it works once.
              </p>
            )}
            {user && (
              <p className="muted">
                You are signed in as <Address email={user.email} after="." />
              </p>
            )}
            <FormError message={action.error} />
            {!spent && (
              <SubmitButton pending={action.pending} pendingLabel="Continuing…">
                Continue
              </SubmitButton>
            )}
          </form>
          {action.error && (
            <WaysOn signedIn={status === "signedIn"} verified={user?.emailVerified} />
          )}
        </>
      )}
      {step.name === "verified" && (
        <>
          <Notice>
            Your email <Address email={step.user.email} /> is verified. Thank you!
          </Notice>
          <Link className="button primary wide" to="/dashboard">
            Go to the dashboard
          </Link>
        </>
      )}
      {step.name === "password" && (
        <>
          <NewPasswordStep
            action={action}
            setPassword={setPassword}
            onDone={() => setStep({ name: "passwordChanged" })}
          />
          <ul className="links">
            <li>
              <Link to="/sign-in">Back to sign in</Link>
            </li>
          </ul>
        </>
      )}
      {step.name === "passwordChanged" && <PasswordResetDone focus={false} />}
      {step.name === "done" && (
        <>
          <Notice>Every device signed in to the account was signed out.</Notice>
          <p>
            If the link confirmed a new email address, sign in with that address. If it undid a
            change of address, the account has its old address back: choose a new password with
            “Forgot your password?”.
          </p>
          <Link className="button primary wide" to="/sign-in">
            Sign in
          </Link>
          <ul className="links">
            <li>
              <Link to="/forgot-password">Forgot your password?</Link>
            </li>
          </ul>
        </>
      )}
    </section>
  );
}

/** Where to go from a link that did not work: ask for a new code (and its link). */
function WaysOn({ signedIn, verified }: { signedIn: boolean; verified?: boolean }) {
  if (signedIn) {
    return (
      <ul className="links">
        {verified === false && (
          <li>
            <Link to="/verify-email">Verify your email with a new code</Link>
          </li>
        )}
        <li>
          <Link to="/dashboard">Back to the dashboard</Link>
        </li>
      </ul>
    );
  }
  return (
    <ul className="links">
      <li>
        <Link to="/sign-in/code">Sign in with a new code</Link>
      </li>
      <li>
        <Link to="/forgot-password">Forgot your password?</Link>
      </li>
      <li>
        <Link to="/sign-in">Sign in with a password</Link>
      </li>
    </ul>
  );
}
