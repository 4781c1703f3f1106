import { useCallback, useEffect, useRef, useState } from "react";
import type { FormEvent } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import type { AuthClientError } from "@authsvc/client";
import { useAuth } from "../auth/AuthProvider";
import { errorMessage } from "../auth/errors";
import { useAsyncAction } from "../auth/useAsyncAction";
import { EmailField, PasswordField } from "../components/AuthFields";
import { Checkbox, FormError, Notice, SubmitButton } from "../components/Form";
import { useSecondStep } from "./SignInTwoFactor";
import type { SignInState } from "./SignInTwoFactor";

/** What a passkey request may end with that needs no word: nothing was picked, or no autofill. */
const QUIET: AuthClientError["code"][] = [
  "AUTH_CANCELLED",
  "ERROR_CEREMONY_ABORTED",
  "PASSKEY_NOT_SUPPORTED",
];

export function SignIn() {
  const { client, endedBy } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  const secondStep = useSecondStep();
  const { pending, error, fields, run, setError } = useAsyncAction();
  const passkey = useAsyncAction();
  // What a second step that expired handed back: why, and the address typed for that sign-in.
  const [handedBack] = useState(() => (location.state as SignInState | null) ?? {});
  const [email, setEmail] = useState(handedBack.email ?? "");
  const [password, setPassword] = useState("");
  const [rememberMe, setRememberMe] = useState(true);
  // Why the last sign-in did not finish (its second step expired), until the next try.
  const [carried, setCarried] = useState(() =>
    handedBack.error ? errorMessage(handedBack.error) : null,
  );
  useEffect(() => {
    // Read once, then gone from the history entry (a reload starts clean); where the user was
    // headed stays.
    const state = location.state as SignInState | null;
    if (!state || (state.email === undefined && state.error === undefined)) return;
    navigate(location.pathname, { replace: true, state: state.from ? { from: state.from } : null });
  }, [location, navigate]);

  // Passkey autofill: the browser offers the account's passkeys in the email field's
  // suggestions, and picking one signs in. The request waits until then (a press of "Sign in
  // with a passkey" replaces it, and it starts again after that one failed); it ends with the page.
  const mounted = useRef(false);
  const autofill = useCallback(() => {
    void client.signIn.passkey({ autoFill: true, rememberMe: true }).then(({ error }) => {
      if (mounted.current && error && !QUIET.includes(error.code)) setError(errorMessage(error));
    });
  }, [client, setError]);
  useEffect(() => {
    mounted.current = true;
    autofill();
    return () => {
      mounted.current = false;
      client.$core.cancelPasskeyRequest();
    };
  }, [autofill, client]);

  function submit(event: FormEvent) {
    event.preventDefault();
    setCarried(null);
    passkey.reset();
    // Signed in: the auth state turns signedIn and the route guard moves on to the dashboard.
    void run(async () => {
      const { data, error } = await client.signIn.email({ email, password, rememberMe });
      if (error) throw error;
      secondStep(data, email);
    }, event);
  }

  function withPasskey() {
    setCarried(null);
    setError(null);
    void passkey
      .run(async () => {
        const { error } = await client.signIn.passkey({ rememberMe });
        if (error && error.code !== "ERROR_CEREMONY_ABORTED") throw error;
      })
      .then((signedIn) => {
        if (!signedIn && mounted.current) autofill();
      });
  }

  const message = error ?? passkey.error ?? carried;
  return (
    <section className="card narrow">
      <h1>Sign in</h1>
      <form onSubmit={submit} noValidate>
        {endedBy === "expired" && !message && (
          <Notice>Your session has ended. Please sign in again.</Notice>
        )}
        {endedBy === "signOut" && !message && <Notice>You have signed out.</Notice>}
        {endedBy === "deleted" && !message && (
          <Notice>Your account has been deleted. We sent a confirmation to your email.</Notice>
        )}
        <FormError message={message} />
        <EmailField
          value={email}
          onChange={setEmail}
          error={fields.email}
          autoComplete="username webauthn"
        />
        <PasswordField value={password} onChange={setPassword} error={fields.password} />
        <Checkbox
          label="Remember me"
          name="rememberMe"
          checked={rememberMe}
          onChange={(e) => setRememberMe(e.target.checked)}
        />
        <SubmitButton pending={pending} pendingLabel="Signing in…">
          Sign in
        </SubmitButton>
      </form>
      <div className="or" aria-hidden="true">
        or
      </div>
      <button
        type="button"
        className="button passkey-button"
        onClick={withPasskey}
        disabled={passkey.pending || pending}
        aria-busy={passkey.pending}
      >
        {passkey.pending ? "Waiting for your passkey…" : "Sign in with a passkey"}
      </button>
      <ul className="links">
        <li>
          <Link to="/forgot-password">Forgot your password?</Link>
        </li>
        <li>
          <Link to="/sign-in/code">Sign in with a code instead</Link>
        </li>
        <li>
          New here? <Link to="/sign-up">Create an account</Link>
        </li>
      </ul>
    </section>
  );
}
