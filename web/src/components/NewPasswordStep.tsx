import { useState } from "react";
import type { FormEvent } from "react";
import { Link } from "react-router";
import { useAuth } from "../auth/AuthProvider";
import type { useAsyncAction } from "../auth/useAsyncAction";
import { NewPasswordFields, REPEAT_MISMATCH, repeatMismatch } from "./AuthFields";
import { FormError, Notice, SubmitButton, UsernameField } from "./Form";

/**
 * The last step of a password reset (by code or by link): the new password twice, then
 * `setPassword` (which throws the client's error). A reset ends every sign-in of the account,
 * this tab's included: the tab is signed out before `onDone`. `email`, when known, is the
 * username a password manager saves the new password under.
 */
export function NewPasswordStep({
  action: { pending, error, fields, run, refuse },
  email,
  setPassword,
  onDone,
}: {
  action: ReturnType<typeof useAsyncAction>;
  email?: string;
  setPassword: (password: string) => Promise<void>;
  onDone: () => void;
}) {
  const { client } = useAuth();
  const [password, setPasswordValue] = useState("");
  const [repeat, setRepeat] = useState("");

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (repeatMismatch(password, repeat)) return refuse(event, { repeat: REPEAT_MISMATCH });
    void run(async () => {
      await setPassword(password);
      if (client.$core.getState().status === "signedIn") await client.signOut();
      onDone();
    }, event);
  }

  return (
    <form onSubmit={submit} noValidate>
      <FormError message={error} />
      <UsernameField email={email} />
      <NewPasswordFields
        name="password"
        password={password}
        onPasswordChange={setPasswordValue}
        repeat={repeat}
        onRepeatChange={setRepeat}
        fields={fields}
        autoFocus
      />
      <SubmitButton pending={pending} pendingLabel="Saving…">
        Set new password
      </SubmitButton>
    </form>
  );
}

/** What a completed reset says (it takes the focus: the form is gone), and the way on. */
export function PasswordResetDone({ focus = true }: { focus?: boolean }) {
  return (
    <>
      <Notice focus={focus}>Your password has been changed. Every device was signed out.</Notice>
      <Link className="button primary wide" to="/sign-in">
        Sign in
      </Link>
    </>
  );
}
