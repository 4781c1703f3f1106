/**
 * Settings cards for account self-service: profile, change email (code step), security activity
 * and the "Delete account" danger zone. Sensitive actions need a fresh proof of the owner: when
 * the API answers REAUTHENTICATION_REQUIRED, or before deleting, the user confirms it is them
 * first: the password, an emailed code, the authenticator app's code or a passkey.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState } from "react";
import type { FormEvent, ReactNode } from "react";
import { useNavigate } from "react-router";
import { ApiError } from "@authsvc/client";
import type { AuthClientError, SecurityEvent } from "@authsvc/client";
import { useAuth } from "../auth/AuthProvider";
import { errorMessage } from "../auth/errors";
import { useSignedInByPassword } from "../auth/signInProof";
import { useAsyncAction } from "../auth/useAsyncAction";
import { PasswordField } from "../components/AuthFields";
import { CODE_LENGTH, CodeField } from "../components/CodeField";
import { codeNotice, ResendButton } from "../components/CodeSteps";
import {
  Address,
  Facts,
  Field,
  FormError,
  Notice,
  SubmitButton,
  UsernameField,
} from "../components/Form";
import { Loading } from "../components/Layout";
import { At } from "../components/Time";
import { useCodeGuesses, useResend } from "../components/useEmailCode";

export const needsStepUp = (error: AuthClientError | null) =>
  error?.code === "REAUTHENTICATION_REQUIRED";

// The security activity lists what the other cards do: each says when it did something the
// list may show (a change, a confirmation, a failure), and the list loads again.
const ActivityChanged = createContext<() => void>(() => {});
const ActivityVersion = createContext(0);

/** Around the settings cards: `useActivityChanged()` in one of them reloads the activity list. */
export function SecurityActivityProvider({ children }: { children: ReactNode }) {
  const [version, setVersion] = useState(0);
  const changed = useCallback(() => setVersion((count) => count + 1), []);
  return (
    <ActivityChanged.Provider value={changed}>
      <ActivityVersion.Provider value={version}>{children}</ActivityVersion.Provider>
    </ActivityChanged.Provider>
  );
}

/** Call after an action the security activity may record: the list shows it. */
export const useActivityChanged = () => useContext(ActivityChanged);

/**
 * Changing to the address the account already has: said under the field, nothing is sent (the
 * server would answer success and mail the owner that the address is taken). A client-only code;
 * its sentence is in auth/errors.ts like every other.
 */
const SAME_EMAIL = new ApiError(400, { code: "EMAIL_UNCHANGED" }).toJSON();

export function ProfileCard() {
  const { client, user } = useAuth();
  const { pending, error, fields, run } = useAsyncAction();
  const [name, setName] = useState(user?.name ?? "");
  const [image, setImage] = useState(user?.image ?? "");
  const [done, setDone] = useState(false);
  const [unloadable, setUnloadable] = useState<string | null>(null); // an address that failed

  function submit(event: FormEvent) {
    event.preventDefault();
    setDone(false);
    void run(async () => {
      const { error } = await client.updateUser({ name, image: image.trim() || null });
      if (error) throw error;
      setDone(true);
    }, event);
  }

  const preview = image.startsWith("https://") ? image : null;
  return (
    <div className="card">
      <h2>Profile</h2>
      <form onSubmit={submit} onInput={() => setDone(false)} noValidate>
        <FormError message={error} />
        {done && <Notice focus>Your profile has been saved.</Notice>}
        <Field
          label="Name"
          name="name"
          autoComplete="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={fields.name}
        />
        <Field
          label="Picture URL"
          name="image"
          type="url"
          inputMode="url"
          placeholder="https://…"
          hint="An https:// address of an image, or empty for none."
          value={image}
          onChange={(e) => setImage(e.target.value)}
          error={fields.image}
        />
        {preview && unloadable !== preview && (
          <img
            className="avatar-preview"
            src={preview}
            alt="Picture preview"
            onError={() => setUnloadable(preview)}
          />
        )}
        {preview && unloadable === preview && (
          <p className="hint">This picture could not be loaded. Check the address.</p>
        )}
        <SubmitButton pending={pending} pendingLabel="Saving…">
          Save profile
        </SubmitButton>
      </form>
    </div>
  );
}

/** The ways to confirm it is you: the password (when the account has one) and an emailed code
 * for every account; an authenticator app and a passkey for those that have them. */
type StepUpMethod = "password" | "email" | "totp" | "passkey";

const STEP_UP_SWITCHES: Record<StepUpMethod, string> = {
  password: "Use my password instead",
  email: "Email me a code instead",
  totp: "Use my authenticator app instead",
  passkey: "Use a passkey instead",
};

/** Whether the signed-in account has a passkey (false until known, or when the list fails). */
function useHasPasskey() {
  const { client } = useAuth();
  const [hasPasskey, setHasPasskey] = useState(false);
  useEffect(() => {
    let current = true;
    void client.passkey.listUserPasskeys().then(({ data }) => {
      if (current) setHasPasskey(Boolean(data?.length));
    });
    return () => {
      current = false;
    };
  }, [client]);
  return hasPasskey;
}

/**
 * Confirm it is you: the password, a code emailed to the account's address, a code of the
 * authenticator app (two-factor on) or a passkey (the account has one). One way at a time, with
 * the others offered below. The password comes first unless this sign-in began without one (an
 * account made by an emailed code has none): then an emailed code, sent when asked for.
 * `passwordless`: the account is known to have no password (it is not offered at all).
 */
export function StepUp({
  onConfirmed,
  onCancel,
  passwordless = false,
}: {
  onConfirmed: () => void;
  onCancel?: () => void;
  passwordless?: boolean;
}) {
  const { client, user } = useAuth();
  const { pending, error, fields, run, reset } = useAsyncAction();
  const activityChanged = useActivityChanged();
  const hasPasskey = useHasPasskey();
  const byPassword = useSignedInByPassword();
  const [method, setMethod] = useState<StepUpMethod>(() =>
    passwordless || byPassword === false ? "email" : "password",
  );
  const [password, setPassword] = useState("");
  const [otp, setOtp] = useState("");
  const [code, setCode] = useState("");
  const [short, setShort] = useState(false);
  const resend = useResend();
  const guesses = useCodeGuesses();
  const codeSent = resend.sends > 0;
  const offered: StepUpMethod[] = [
    ...(passwordless ? [] : (["password"] as const)),
    "email",
    ...(user?.twoFactorEnabled ? (["totp"] as const) : []),
    ...(hasPasskey ? (["passkey"] as const) : []),
  ];

  const sendCode = (event?: FormEvent) =>
    run(async () => {
      const { error } = await client.emailOtp.sendVerificationOtp({
        email: user?.email ?? "",
        type: "reauthentication",
      });
      if (error) throw error;
      setOtp("");
      guesses.newCode();
      resend.sent();
      setMethod("email");
    }, event);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (method === "email" && !codeSent) {
      void sendCode(event);
      return;
    }
    const typed = method === "email" ? otp : method === "totp" ? code : null;
    // A short code is said here: sent, it would count as a wrong answer.
    if (typed !== null && typed.length !== CODE_LENGTH) {
      setShort(true);
      const field = (event.currentTarget as HTMLFormElement).elements.namedItem("otp");
      if (field instanceof HTMLInputElement) field.focus();
      return;
    }
    setShort(false);
    const proofs = {
      password: { password },
      email: { otp },
      totp: { code },
      passkey: { passkey: true },
    } as const;
    void run(async () => {
      const { error } = await client.reauthenticate(proofs[method]);
      activityChanged(); // confirmed, or a failure the activity lists
      if (error) throw method === "email" ? guesses.judged(error) : error;
      onConfirmed();
    }, event);
  }

  function choose(next: StepUpMethod) {
    reset();
    setShort(false);
    // A code sent before still works (and "Send a new code" is there): no second mail.
    if (next === "email" && !codeSent) void sendCode();
    else setMethod(next);
  }

  // An edit takes the "all 6 digits" message away: it no longer describes the field.
  const typeCode = (set: (value: string) => void) => (value: string) => {
    setShort(false);
    set(value);
  };
  const codeError = short ? "Enter all 6 digits of the code." : fields.otp;
  const asksToSend = method === "email" && !codeSent;
  const buttonOnly = method === "passkey" || asksToSend; // no field to fill: the button
  return (
    <div className="step-up">
      <form onSubmit={submit} noValidate>
        <p className="muted">For your safety, confirm it is you.</p>
        <FormError message={error} />
        {method === "password" && (
          <>
            <UsernameField email={user?.email} />
            <PasswordField
              label="Your password"
              value={password}
              onChange={setPassword}
              error={fields.password}
              autoFocus
            />
          </>
        )}
        {asksToSend && (
          <p>
            We will email a 6-digit code to <Address email={user?.email} after="." />
          </p>
        )}
        {method === "email" && codeSent && (
          <>
            {!error && (
              <Notice>
                {codeNotice(
                  resend.sends,
                  <>
                    We sent a code to <Address email={user?.email} after="." />
                  </>,
                )}
              </Notice>
            )}
            <CodeField
              key={`email-${resend.sends}`} // a new code: a fresh field, which takes the focus
              value={otp}
              onChange={typeCode(setOtp)}
              error={codeError}
            />
          </>
        )}
        {method === "totp" && (
          <CodeField
            key="totp"
            value={code}
            onChange={typeCode(setCode)}
            error={codeError}
            hint="The code your authenticator app shows for Classroom."
          />
        )}
        {method === "passkey" && (
          <p>Use a passkey of your account: on this device, a phone or a security key.</p>
        )}
        <div className="row">
          <SubmitButton
            key={buttonOnly ? method : "confirm"}
            pending={pending}
            pendingLabel={
              method === "passkey"
                ? "Waiting for your passkey…"
                : asksToSend
                  ? "Sending…"
                  : "Checking…"
            }
            autoFocus={buttonOnly}
          >
            {method === "passkey" ? "Use a passkey" : asksToSend ? "Email me a code" : "Confirm"}
          </SubmitButton>
          {onCancel && (
            <button type="button" className="link-button" onClick={onCancel} disabled={pending}>
              Cancel
            </button>
          )}
        </div>
        {method === "email" && codeSent && (
          <ResendButton
            onResend={() => void sendCode()}
            availableIn={resend.availableIn}
            pending={pending}
          />
        )}
      </form>
      <ul className="links" aria-label="Other ways to confirm it is you">
        {offered
          .filter((other) => other !== method)
          .map((other) => (
            <li key={other}>
              <button
                type="button"
                className="link-button"
                onClick={() => choose(other)}
                disabled={pending}
              >
                {STEP_UP_SWITCHES[other]}
              </button>
            </li>
          ))}
      </ul>
    </div>
  );
}

export function ChangeEmailCard() {
  const { client, user } = useAuth();
  const { pending, error, fields, run } = useAsyncAction();
  const activityChanged = useActivityChanged();
  const [step, setStep] = useState<"email" | "confirm-it-is-you" | "code" | "done">("email");
  const [newEmail, setNewEmail] = useState("");
  const [otp, setOtp] = useState("");
  const resend = useResend();
  const guesses = useCodeGuesses();

  // The first code and "Send a new code" alike (either may need a fresh step-up first).
  const send = (event?: FormEvent) =>
    run(async () => {
      if (newEmail.trim().toLowerCase() === user?.email) throw SAME_EMAIL;
      const { error } = await client.changeEmail({ newEmail });
      if (needsStepUp(error)) return setStep("confirm-it-is-you");
      if (error) throw error;
      setOtp("");
      guesses.newCode();
      resend.sent();
      setStep("code");
    }, event);

  function anotherAddress() {
    setOtp("");
    resend.restart();
    setStep("email");
  }

  function confirm(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      const { error } = await client.changeEmail({ newEmail, otp });
      if (error) throw guesses.judged(error);
      activityChanged();
      setStep("done");
    }, event);
  }

  return (
    <div className="card">
      <h2>Email address</h2>
      <p className="muted">
        Signed in as <Address email={user?.email} after="." />
      </p>
      <FormError message={error} />
      {step === "email" && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void send(event);
          }}
          noValidate
        >
          <Field
            label="New email address"
            name="newEmail"
            type="email"
            autoComplete="email"
            inputMode="email"
            required
            value={newEmail}
            onChange={(e) => setNewEmail(e.target.value)}
            error={fields.newEmail}
          />
          <SubmitButton pending={pending} pendingLabel="Sending…">
            Send a code to the new address
          </SubmitButton>
        </form>
      )}
      {step === "confirm-it-is-you" && (
        <StepUp onConfirmed={() => void send()} onCancel={() => setStep("email")} />
      )}
      {step === "code" && (
        <form onSubmit={confirm} noValidate>
          {!error && (
            <Notice>
              {codeNotice(
                resend.sends,
                <>
                  A code is on its way to <Address email={newEmail} after="," /> unless that address
                  already has an account.
                </>,
              )}
            </Notice>
          )}
          <CodeField
            key={resend.sends} // a new code: a fresh field, which takes the focus
            value={otp}
            onChange={setOtp}
            error={fields.otp}
          />
          <SubmitButton pending={pending} pendingLabel="Confirming…">
            Change email
          </SubmitButton>
          <div className="row">
            <ResendButton
              onResend={() => void send()}
              availableIn={resend.availableIn}
              pending={pending}
            />
            <button type="button" className="link-button" onClick={anotherAddress}>
              Use another address
            </button>
          </div>
        </form>
      )}
      {step === "done" && (
        <>
          <Notice focus>
            Your email address is now <Address email={user?.email} after="." />
          </Notice>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setNewEmail("");
              anotherAddress();
            }}
          >
            Change it again
          </button>
        </>
      )}
    </div>
  );
}

const EVENT_LABELS: Record<SecurityEvent["type"], string> = {
  signed_up: "Account created",
  signed_in_password: "Signed in with your password",
  signed_in_code: "Signed in with an emailed code",
  signed_in_new_device: "Signed in from a new device",
  sign_in_failed: "Failed sign-in",
  password_changed: "Password changed",
  password_reset: "Password reset",
  email_changed: "Email address changed",
  refresh_reused: "A stolen session was detected and ended",
  sign_ins_revoked: "Signed out of other devices",
  reauthenticated: "Confirmed it was you",
  step_up_failed: "Wrong password or code while confirming it was you",
  email_change_undone: "Email change undone from the old address",
  signed_in_passkey: "Signed in with a passkey",
  second_factor_failed: "Wrong code at the second step of a sign-in",
  two_factor_enabled: "Two-factor authentication turned on",
  two_factor_disabled: "Two-factor authentication turned off",
  recovery_code_used: "A recovery code was used",
  recovery_codes_new: "New recovery codes made",
  passkey_added: "Passkey added",
  passkey_removed: "Passkey deleted",
};

export function SecurityActivityCard() {
  const { client } = useAuth();
  const version = useContext(ActivityVersion);
  const [events, setEvents] = useState<SecurityEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Again after each action of the other cards (the list so far stays until the new one is in).
  useEffect(() => {
    let current = true;
    void client.listSecurityEvents().then(({ data, error }) => {
      if (!current) return;
      setError(data ? null : errorMessage(error));
      if (data) setEvents(data.results);
    });
    return () => {
      current = false;
    };
  }, [client, version]);

  return (
    <div className="card">
      <h2>Recent security activity</h2>
      <FormError message={error} />
      {!events && !error && <Loading label="Loading your activity…" />}
      {events && events.length === 0 && <p className="muted">Nothing yet.</p>}
      {events && events.length > 0 && (
        <ul className="events" aria-label="Security activity">
          {events.map((event, index) => (
            <li key={`${event.createdAt}-${index}`} data-testid="security-event">
              <strong>{EVENT_LABELS[event.type]}</strong>
              <div className="muted small">
                <Facts>
                  {[
                    <At key="at" iso={event.createdAt} />,
                    event.device,
                    event.ipAddress ?? "unknown address",
                  ]}
                </Facts>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function DeleteAccountCard() {
  const { client } = useAuth();
  const navigate = useNavigate();
  const { pending, error, run } = useAsyncAction();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [confirmed, setConfirmed] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const cancelled = useRef(false);
  useEffect(() => {
    if (!open && cancelled.current) trigger.current?.focus(); // back where the user started
  }, [open]);

  function cancel() {
    cancelled.current = true;
    setOpen(false);
    setConfirmed(false);
    setTyped("");
  }

  function remove(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      const { error } = await client.deleteUser();
      if (error) throw error;
      navigate("/sign-in", { replace: true });
    }, event);
  }

  return (
    <div className="card danger-zone">
      <h2>Delete account</h2>
      <p className="muted">
        Your account and everything in it are deleted for good. This cannot be undone.
      </p>
      {!open && (
        <button ref={trigger} type="button" className="button danger" onClick={() => setOpen(true)}>
          Delete my account…
        </button>
      )}
      {open && !confirmed && <StepUp onConfirmed={() => setConfirmed(true)} onCancel={cancel} />}
      {open && confirmed && (
        <form onSubmit={remove} noValidate>
          <FormError message={error} />
          <Field
            label='Type "DELETE" to confirm'
            name="confirm"
            autoComplete="off"
            autoFocus
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
          <div className="row">
            <button
              type="submit"
              className="button danger"
              disabled={typed !== "DELETE" || pending}
            >
              {pending ? "Deleting…" : "Delete my account for good"}
            </button>
            <button type="button" className="link-button" onClick={cancel} disabled={pending}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
