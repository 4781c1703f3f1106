import { useState } from "react";
import type { FormEvent } from "react";
import { Link } from "react-router";
import { useAuth } from "../auth/AuthProvider";
import { useAsyncAction } from "../auth/useAsyncAction";
import { EmailField, PasswordField } from "../components/AuthFields";
import { Checkbox, FormError, Notice, SubmitButton } from "../components/Form";

export function SignIn() {
  const { client, endedBy } = useAuth();
  const { pending, error, fields, run } = useAsyncAction();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [rememberMe, setRememberMe] = useState(true);

  function submit(event: FormEvent) {
    event.preventDefault();
    // On success the auth state turns signedIn and the route guard moves on to the dashboard.
    void run(async () => {
      const { error } = await client.signIn.email({ email, password, rememberMe });
      if (error) throw error;
    }, event);
  }

  return (
    <section className="card narrow">
      <h1>Sign in</h1>
      <form onSubmit={submit} noValidate>
        {endedBy === "expired" && !error && (
          <Notice>Your session has ended. Please sign in again.</Notice>
        )}
        {endedBy === "signOut" && !error && <Notice>You have signed out.</Notice>}
        {endedBy === "deleted" && !error && (
          <Notice>Your account has been deleted. We sent a confirmation to your email.</Notice>
        )}
        <FormError message={error} />
        <EmailField value={email} onChange={setEmail} error={fields.email} />
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
