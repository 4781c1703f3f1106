import { useState } from "react";
import type { FormEvent } from "react";
import { Link } from "react-router";
import type { Role } from "@authsvc/client";
import { useAuth } from "../auth/AuthProvider";
import { useAsyncAction } from "../auth/useAsyncAction";
import { EmailField, NewPasswordField } from "../components/AuthFields";
import { Field, FormError, SubmitButton } from "../components/Form";
import { RolePicker } from "../components/RolePicker";

export function SignUp() {
  const { client } = useAuth();
  const { pending, error, fields, run } = useAsyncAction();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("student");

  function submit(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      const { error } = await client.signUp.email({
        name,
        email,
        password,
        role,
        rememberMe: true,
      });
      if (error) throw error;
    }, event);
  }

  return (
    <section className="card narrow">
      <h1>Create an account</h1>
      <form onSubmit={submit} noValidate>
        <FormError message={error} />
        <Field
          label="Name"
          name="name"
          autoComplete="name"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={fields.name}
        />
        <EmailField value={email} onChange={setEmail} error={fields.email} />
        <NewPasswordField value={password} onChange={setPassword} error={fields.password} />
        <RolePicker value={role} onChange={setRole} />
        <SubmitButton pending={pending} pendingLabel="Creating your account…">
          Create account
        </SubmitButton>
      </form>
      <ul className="links">
        <li>
          Already have an account? <Link to="/sign-in">Sign in</Link>
        </li>
      </ul>
    </section>
  );
}
