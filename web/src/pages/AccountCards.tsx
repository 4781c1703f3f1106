/**
 * Settings cards for account self-service: profile, change email (code step), security activity
 * and the "Delete account" danger zone. Sensitive actions need a fresh proof of the owner: when
 * the API answers REAUTHENTICATION_REQUIRED, or before deleting, the user confirms it is them
 * first: the password, an emailed code, the authenticator app's code or a passkey.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { FormEvent } from "react";
import { useNavigate } from "react-router";
import { ApiError } from "@authsvc/client";
import type { AuthClientError, SecurityEvent } from "@authsvc/client";
import { useAuth } from "../auth/AuthProvider";
import { errorMessage } from "../auth/errors";
import { useAsyncAction } from "../auth/useAsyncAction";
import { PasswordField } from "../components/AuthFields";
import { CODE_LENGTH, CodeField } from "../components/CodeField";
import { Address, Field, FormError, Notice, SubmitButton } from "../components/Form";
import { Loading } from "../components/Layout";

export const needsStepUp = (error: AuthClientError | null) =>
  error?.code === "REAUTHENTICATION_REQUIRED";

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
        {done && <Notice>Your profile has been saved.</Notice>}
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

/** The ways to confirm it is you: every account has the first two. */
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
 * the others offered below.
 */
export function StepUp({
  onConfirmed,
  onCancel,
}: {
  onConfirmed: () => void;
  onCancel?: () => void;
}) {
  const { client, user } = useAuth();
  const { pending, error, fields, run, reset } = useAsyncAction();
  const hasPasskey = useHasPasskey();
  const [method, setMethod] = useState<StepUpMethod>("password");
  const [password, setPassword] = useState("");
  const [otp, setOtp] = useState("");
  const [code, setCode] = useState("");
  const [short, setShort] = useState(false);
  const offered: StepUpMethod[] = [
    "password",
    "email",
    ...(user?.twoFactorEnabled ? (["totp"] as const) : []),
    ...(hasPasskey ? (["passkey"] as const) : []),
  ];

  function submit(event: FormEvent) {
    event.preventDefault();
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
      if (error) throw error;
      onConfirmed();
    }, event);
  }

  function choose(next: StepUpMethod) {
    reset();
    setShort(false);
    if (next !== "email") {
      setMethod(next);
      return;
    }
    void run(async () => {
      const { error } = await client.emailOtp.sendVerificationOtp({
        email: user?.email ?? "",
        type: "reauthentication",
      });
      if (error) throw error;
      setOtp("");
      setMethod("email");
    });
  }

  // An edit takes the "all 6 digits" message away: it no longer describes the field.
  const typeCode = (set: (value: string) => void) => (value: string) => {
    setShort(false);
    set(value);
  };
  const codeError = short ? "Enter all 6 digits of the code." : fields.otp;
  return (
    <div className="step-up">
      <form onSubmit={submit} noValidate>
        <p className="muted">For your safety, confirm it is you.</p>
        <FormError message={error} />
        {method === "password" && (
          <PasswordField
            label="Your password"
            value={password}
            onChange={setPassword}
            error={fields.password}
            autoFocus
          />
        )}
        {method === "email" && (
          <>
            <Notice>
              We sent a code to <Address email={user?.email} after="." />
            </Notice>
            <CodeField key="email" value={otp} onChange={typeCode(setOtp)} error={codeError} />
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
            key={method === "passkey" ? "passkey" : "confirm"}
            pending={pending}
            pendingLabel={method === "passkey" ? "Waiting for your passkey…" : "Checking…"}
            autoFocus={method === "passkey"} // the way chosen: its button (no field to fill)
          >
            {method === "passkey" ? "Use a passkey" : "Confirm"}
          </SubmitButton>
          {onCancel && (
            <button type="button" className="link-button" onClick={onCancel} disabled={pending}>
              Cancel
            </button>
          )}
        </div>
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
  const [step, setStep] = useState<"email" | "confirm-it-is-you" | "code" | "done">("email");
  const [newEmail, setNewEmail] = useState("");
  const [otp, setOtp] = useState("");

  const send = useCallback(
    (event?: FormEvent) =>
      run(async () => {
        if (newEmail.trim().toLowerCase() === user?.email) throw SAME_EMAIL;
        const { error } = await client.changeEmail({ newEmail });
        if (needsStepUp(error)) setStep("confirm-it-is-you");
        else if (error) throw error;
        else setStep("code");
      }, event),
    [client, newEmail, run, user?.email],
  );

  function anotherAddress() {
    setOtp("");
    setStep("email");
  }

  function confirm(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      const { error } = await client.changeEmail({ newEmail, otp });
      if (error) throw error;
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
          <Notice>
            A code is on its way to <Address email={newEmail} after="," /> unless that address
            already has an account.
          </Notice>
          <CodeField value={otp} onChange={setOtp} error={fields.otp} />
          <div className="row">
            <SubmitButton pending={pending} pendingLabel="Confirming…">
              Change email
            </SubmitButton>
            <button type="button" className="link-button" onClick={anotherAddress}>
              Use another address
            </button>
          </div>
        </form>
      )}
      {step === "done" && (
        <>
          <Notice>
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
  const [events, setEvents] = useState<SecurityEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void client.listSecurityEvents().then(({ data, error }) => {
      if (data) setEvents(data.results);
      else setError(errorMessage(error));
    });
  }, [client]);

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
                {new Date(event.createdAt).toLocaleString(undefined, {
                  dateStyle: "medium",
                  timeStyle: "short",
                })}{" "}
                · {event.device} · {event.ipAddress ?? "unknown address"}
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
