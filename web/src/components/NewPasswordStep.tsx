import { useState } from "react";
import type { FormEvent } from "react";
import { Link } from "react-router";
import { useAuth } from "../auth/AuthProvider";
import type { useAsyncAction } from "../auth/useAsyncAction";
import { NewPasswordField, PasswordField } from "./AuthFields";
import { FormError, Notice, SubmitButton } from "./Form";

/**
 * The last step of a password reset (by code or by link): the new password twice, then
 * `setPassword` (which throws the client's error). A reset ends every sign-in of the account,
 * this tab's included: the tab is signed out before `onDone`.
 */
export function NewPasswordStep({
  action: { pending, error, fields, run },
  setPassword,
  onDone,
}: {
  action: ReturnType<typeof useAsyncAction>;
  setPassword: (password: string) => Promise<void>;
  onDone: () => void;
}) {
  const { client } = useAuth();
  const [password, setPasswordValue] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState(false);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (password && password !== confirm) {
      setMismatch(true);
      const repeat = event.currentTarget.elements.namedItem("confirm");
      if (repeat instanceof HTMLInputElement) repeat.focus();
      return;
    }
    setMismatch(false);
    void run(async () => {
      await setPassword(password);
      if (client.$core.getState().status === "signedIn") await client.signOut();
      onDone();
    }, event);
  }

  return (
    <form onSubmit={submit} noValidate>
      <FormError message={error} />
      <NewPasswordField
        label="New password"
        value={password}
        onChange={setPasswordValue}
        error={fields.password}
        autoFocus
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
  );
}

/** What a completed reset says, and the way on. */
export function PasswordResetDone() {
  return (
    <>
      <Notice>Your password has been changed. Every device was signed out.</Notice>
      <Link className="button primary" to="/sign-in">
        Sign in
      </Link>
    </>
  );
}
