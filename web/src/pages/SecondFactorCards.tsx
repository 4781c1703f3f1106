/**
 * Settings cards for second factors: two-factor authentication (an authenticator app, with
 * recovery codes) and passkeys. Both need a verified address. Turning two-factor on or off,
 * making new recovery codes, adding and deleting a passkey need a fresh sign-in: when the API
 * answers REAUTHENTICATION_REQUIRED the card asks the owner to confirm it is them (the step-up of
 * the email change and the deletion), then does what was asked.
 */
import { lazy, Suspense, useCallback, useEffect, useId, useRef, useState } from "react";
import type { FormEvent } from "react";
import { Link } from "react-router";
import type { Passkey } from "@authsvc/client";
import { useAuth } from "../auth/AuthProvider";
import { errorMessage } from "../auth/errors";
import { useAsyncAction } from "../auth/useAsyncAction";
import { PasswordField } from "../components/AuthFields";
import { CODE_LENGTH, CodeField } from "../components/CodeField";
import { Facts, Field, FormError, Notice, SubmitButton, UsernameField } from "../components/Form";
import { Loading } from "../components/Layout";
import { At, day, when } from "../components/Time";
import { needsStepUp, StepUp, useActivityChanged } from "./AccountCards";

// The QR code's library is loaded only when someone turns two-factor on.
const QrCode = lazy(() => import("../components/QrCode"));

/** The base32 key of an otpauth:// URI, in groups of 4 to type in ("ABCD EFGH ..."). */
export function totpSecret(totpURI: string): string {
  let secret = "";
  try {
    secret = new URL(totpURI).searchParams.get("secret") ?? "";
  } catch {
    return "";
  }
  return (secret.match(/.{1,4}/g) ?? []).join(" ");
}

/** What a downloaded recovery-codes file says. */
export function recoveryCodesText(email: string, codes: string[]): string {
  return [
    `Recovery codes for ${email} (Classroom)`,
    "",
    ...codes,
    "",
    "Each code signs you in once when you cannot use your authenticator app or passkey.",
    "Making new codes ends these.",
    "",
  ].join("\n");
}

/** Factors are enrolled only on a verified address: the way to verify it. */
function VerifyFirst() {
  return (
    <p className="alert alert-warning" role="status">
      Verify your email address first. <Link to="/verify-email">Verify it now</Link>
    </p>
  );
}

/** The 10 recovery codes, shown once: a list, "Copy" and "Download (.txt)". */
export function RecoveryCodes({ codes, email }: { codes: string[]; email: string }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const headingId = useId();

  async function copy() {
    try {
      await navigator.clipboard.writeText(codes.join("\n"));
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  function download() {
    const blob = new Blob([recoveryCodesText(email, codes)], { type: "text/plain" });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = "classroom-recovery-codes.txt";
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  return (
    <div className="recovery">
      <h3 id={headingId}>Your recovery codes</h3>
      <p className="muted">
        Each code signs you in once when you cannot use your authenticator app. Keep them somewhere
        safe, such as a password manager: they are shown only now.
      </p>
      <ol className="recovery-codes" aria-labelledby={headingId}>
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="row">
        <button type="button" className="button" onClick={() => void copy()}>
          Copy codes
        </button>
        <button type="button" className="button" onClick={download}>
          Download (.txt)
        </button>
      </div>
      {copied !== null && (
        <p className="muted small" role="status">
          {copied ? "Copied." : "Could not copy: select the codes, or download them."}
        </p>
      )}
    </div>
  );
}

type TwoFactorStep =
  | { name: "idle" }
  | { name: "password"; then: "enable" | "disable" }
  | { name: "confirm-it-is-you"; then: "enable" | "disable" | "codes" }
  | { name: "scan"; totpURI: string; backupCodes: string[] }
  | { name: "codes"; backupCodes: string[]; isNew: boolean };

export function TwoFactorCard() {
  const { client, user } = useAuth();
  const { pending, error, fields, run, reset } = useAsyncAction();
  const activityChanged = useActivityChanged();
  const [step, setStep] = useState<TwoFactorStep>({ name: "idle" });
  const [password, setPassword] = useState("");
  const [otp, setOtp] = useState("");
  const [short, setShort] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const enabled = Boolean(user?.twoFactorEnabled);

  function go(next: TwoFactorStep) {
    reset();
    setNotice(null);
    setStep(next);
  }

  function cancel() {
    setPassword("");
    setOtp("");
    go({ name: "idle" });
    setTimeout(() => trigger.current?.focus());
  }

  const enable = (event?: FormEvent) =>
    run(async () => {
      const { data, error } = await client.twoFactor.enable(password ? { password } : {});
      activityChanged(); // a wrong password is listed
      if (needsStepUp(error)) return setStep({ name: "confirm-it-is-you", then: "enable" });
      if (error) {
        setStep({ name: "password", then: "enable" }); // after a step-up too: where it is said
        throw error;
      }
      setPassword("");
      setOtp("");
      setStep({ name: "scan", ...data });
    }, event);

  const disable = (event?: FormEvent) =>
    run(async () => {
      const { error } = await client.twoFactor.disable(password ? { password } : {});
      activityChanged();
      if (needsStepUp(error)) return setStep({ name: "confirm-it-is-you", then: "disable" });
      if (error) {
        setStep({ name: "password", then: "disable" });
        throw error;
      }
      setPassword("");
      setStep({ name: "idle" });
      setNotice(
        "Two-factor authentication is off. Your authenticator app and recovery codes no longer work.",
      );
    }, event);

  const newCodes = () =>
    run(async () => {
      setNotice(null);
      const { data, error } = await client.twoFactor.generateBackupCodes();
      activityChanged();
      if (needsStepUp(error)) return setStep({ name: "confirm-it-is-you", then: "codes" });
      if (error) {
        setStep({ name: "idle" });
        throw error;
      }
      setStep({ name: "codes", backupCodes: data.backupCodes, isNew: true });
    });

  function confirmCode(event: FormEvent) {
    event.preventDefault();
    if (step.name !== "scan") return;
    if (otp.length !== CODE_LENGTH) {
      setShort(true);
      return;
    }
    setShort(false);
    const { backupCodes } = step;
    void run(async () => {
      const { error } = await client.twoFactor.verifyTotp({ code: otp });
      activityChanged();
      if (error) throw error;
      setOtp("");
      setStep({ name: "codes", backupCodes, isNew: false });
    }, event);
  }

  function submitPassword(event: FormEvent) {
    event.preventDefault();
    if (step.name !== "password") return;
    void (step.then === "enable" ? enable(event) : disable(event));
  }

  const again = { enable, disable, codes: newCodes };
  return (
    <div className="card">
      <h2>Two-factor authentication</h2>
      {step.name === "idle" && (
        <>
          {notice && <Notice>{notice}</Notice>}
          <FormError message={error} />
          {enabled ? (
            <>
              <p className="status-line">
                <span className="badge badge-on">On</span>
                <span>
                  Every sign-in asks for a code from your authenticator app, a recovery code or a
                  passkey, except on devices you trust.
                </span>
              </p>
              <div className="row">
                <button
                  type="button"
                  className="button"
                  onClick={() => void newCodes()}
                  disabled={pending}
                >
                  {pending ? "Making codes…" : "Make new recovery codes"}
                </button>
                <button
                  ref={trigger}
                  type="button"
                  className="button danger"
                  onClick={() => go({ name: "password", then: "disable" })}
                >
                  Turn off…
                </button>
              </div>
            </>
          ) : (
            <>
              <p className="muted">
                Add a second step to every sign-in: a code from an authenticator app on your phone
                (or a passkey), so that your password or your mailbox alone cannot open your
                account.
              </p>
              {user?.emailVerified ? (
                <button
                  ref={trigger}
                  type="button"
                  className="button primary"
                  onClick={() => go({ name: "password", then: "enable" })}
                >
                  Turn on two-factor authentication
                </button>
              ) : (
                <VerifyFirst />
              )}
            </>
          )}
        </>
      )}
      {step.name === "password" && (
        <form onSubmit={submitPassword} noValidate>
          <p className="muted">
            {step.then === "enable"
              ? "Enter your password to set up an authenticator app."
              : "Enter your password to turn two-factor authentication off. Your passkeys stay."}
          </p>
          <FormError message={error} />
          <UsernameField email={user?.email} />
          <PasswordField
            label="Your password"
            required={false}
            hint="Leave it empty if your account has no password (you sign in with emailed codes)."
            value={password}
            onChange={setPassword}
            error={fields.password}
            autoFocus
          />
          <div className="row">
            {step.then === "enable" ? (
              <SubmitButton pending={pending} pendingLabel="Checking…">
                Continue
              </SubmitButton>
            ) : (
              <button type="submit" className="button danger" disabled={pending}>
                {pending ? "Turning off…" : "Turn off two-factor authentication"}
              </button>
            )}
            <button type="button" className="link-button" onClick={cancel} disabled={pending}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {step.name === "confirm-it-is-you" && (
        <StepUp onConfirmed={() => void again[step.then]()} onCancel={cancel} />
      )}
      {step.name === "scan" && (
        <form onSubmit={confirmCode} noValidate>
          <p>
            Scan this QR code with an authenticator app (such as Google Authenticator, Microsoft
            Authenticator or a password manager):
          </p>
          <Suspense fallback={<Loading label="Drawing the QR code…" />}>
            <QrCode text={step.totpURI} label="QR code of your authenticator key" />
          </Suspense>
          <p>
            Or type this key into the app:{" "}
            <code className="secret" data-testid="totp-secret">
              {totpSecret(step.totpURI)}
            </code>
          </p>
          <FormError message={error} />
          <CodeField
            value={otp}
            onChange={setOtp}
            error={short ? "Enter all 6 digits of the code." : fields.otp}
            hint="The code the app shows for Classroom: it proves the app is set up."
          />
          <div className="row">
            <SubmitButton pending={pending} pendingLabel="Checking…">
              Turn on
            </SubmitButton>
            <button type="button" className="link-button" onClick={cancel} disabled={pending}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {step.name === "codes" && (
        <>
          <Notice>
            {step.isNew
              ? "Here are your new recovery codes. The old ones no longer work."
              : "Two-factor authentication is on."}
          </Notice>
          <RecoveryCodes codes={step.backupCodes} email={user?.email ?? ""} />
          <button type="button" className="button primary" onClick={() => go({ name: "idle" })}>
            I have saved my codes
          </button>
        </>
      )}
    </div>
  );
}

type PasskeyStepUp = { then: "add" } | { then: "delete"; id: string };

export function PasskeysCard() {
  const { client, user } = useAuth();
  const activityChanged = useActivityChanged();
  const [items, setItems] = useState<Passkey[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const add = useAsyncAction();
  const [name, setName] = useState("");
  const [added, setAdded] = useState<string | null>(null);
  const [stepUp, setStepUp] = useState<PasskeyStepUp | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    const { data, error } = await client.passkey.listUserPasskeys();
    setItems(data ?? null);
    setListError(error && errorMessage(error));
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  const addPasskey = (event?: FormEvent) => {
    event?.preventDefault();
    return add.run(async () => {
      setAdded(null);
      const chosen = name.trim();
      const { data, error } = await client.passkey.addPasskey(chosen ? { name: chosen } : {});
      if (needsStepUp(error)) return setStepUp({ then: "add" });
      if (error) throw error;
      activityChanged();
      await load();
      setName("");
      setAdded(data.name);
    }, event);
  };

  async function remove(id: string) {
    setBusy(id);
    setListError(null);
    const { error } = await client.passkey.deletePasskey({ id });
    if (needsStepUp(error)) setStepUp({ then: "delete", id });
    else {
      if (!error) activityChanged();
      setConfirming(null);
      await load(); // after an error too: a passkey deleted elsewhere leaves the list
      if (error) setListError(errorMessage(error));
    }
    setBusy(null);
  }

  function confirmed() {
    if (!stepUp) return;
    setStepUp(null);
    if (stepUp.then === "add") void addPasskey();
    else void remove(stepUp.id);
  }

  return (
    <div className="card">
      <h2>Passkeys</h2>
      <p className="muted">
        A passkey signs you in with your fingerprint, face or screen lock instead of a password, and
        can answer the second step of a sign-in. It stays on your device or in your password
        manager: nothing secret is sent to us.
      </p>
      <FormError message={listError} />
      {!items && !listError && <Loading label="Loading your passkeys…" />}
      {items && items.length === 0 && <p className="muted">No passkeys yet.</p>}
      {items && items.length > 0 && (
        <ul className="devices" aria-label="Passkeys">
          {items.map((item) =>
            renaming === item.id ? (
              <li key={item.id} className="device" data-testid="passkey">
                <RenamePasskey
                  passkey={item}
                  onDone={async () => {
                    setRenaming(null);
                    await load();
                  }}
                  onCancel={() => setRenaming(null)}
                />
              </li>
            ) : (
              <li key={item.id} className="device" data-testid="passkey">
                <div>
                  <div className="device-name">
                    <strong>{item.name}</strong>
                    <span className="badge">{item.backedUp ? "Synced" : "Device-bound"}</span>
                  </div>
                  <div className="muted small">
                    <Facts>
                      {[
                        <span key="added">
                          added <At iso={item.createdAt} format={day} />
                        </span>,
                        item.lastUsedAt ? (
                          <span key="used">
                            last used <At iso={item.lastUsedAt} />
                          </span>
                        ) : (
                          "never used"
                        ),
                      ]}
                    </Facts>
                  </div>
                  {confirming === item.id && (
                    <p className="small confirm-line">
                      Delete this passkey? It will no longer sign you in.
                    </p>
                  )}
                </div>
                {confirming === item.id ? (
                  <div className="row actions">
                    <button
                      type="button"
                      className="button danger"
                      onClick={() => void remove(item.id)}
                      disabled={busy !== null}
                      aria-label={`Delete passkey ${item.name} for good`}
                    >
                      {busy === item.id ? "Deleting…" : "Delete"}
                    </button>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => setConfirming(null)}
                      disabled={busy !== null}
                    >
                      Cancel
                    </button>
                  </div>
                ) : (
                  <div className="row actions">
                    <button
                      type="button"
                      className="button"
                      onClick={() => {
                        setAdded(null);
                        setRenaming(item.id);
                      }}
                      aria-label={`Rename passkey ${item.name}`}
                    >
                      Rename
                    </button>
                    <button
                      type="button"
                      className="button danger"
                      onClick={() => {
                        setAdded(null);
                        setConfirming(item.id);
                      }}
                      disabled={busy !== null}
                      aria-label={`Delete passkey ${item.name}, added ${when(item.createdAt)}`}
                    >
                      Delete…
                    </button>
                  </div>
                )}
              </li>
            ),
          )}
        </ul>
      )}
      {stepUp && <StepUp onConfirmed={confirmed} onCancel={() => setStepUp(null)} />}
      {!stepUp && !user?.emailVerified && <VerifyFirst />}
      {!stepUp && user?.emailVerified && (
        <form onSubmit={(event) => void addPasskey(event)} noValidate className="add-passkey">
          {added && <Notice>Passkey “{added}” added.</Notice>}
          <FormError message={add.error} />
          <Field
            label="Name of the new passkey (optional)"
            name="name"
            autoComplete="off"
            maxLength={64}
            hint="Where it lives, such as “Work laptop” or “Phone”."
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={add.fields.name}
          />
          <SubmitButton pending={add.pending} pendingLabel="Waiting for your device…">
            Add a passkey
          </SubmitButton>
        </form>
      )}
    </div>
  );
}

function RenamePasskey({
  passkey,
  onDone,
  onCancel,
}: {
  passkey: Passkey;
  onDone: () => Promise<void>;
  onCancel: () => void;
}) {
  const { client } = useAuth();
  const { pending, error, fields, run } = useAsyncAction();
  const [name, setName] = useState(passkey.name);

  function submit(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      const { error } = await client.passkey.updatePasskey({ id: passkey.id, name: name.trim() });
      if (error) throw error;
      await onDone();
    }, event);
  }

  return (
    <form onSubmit={submit} noValidate className="rename">
      <FormError message={error} />
      <Field
        label={`New name for “${passkey.name}”`}
        name="name"
        autoComplete="off"
        required
        maxLength={64}
        autoFocus
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={fields.name}
      />
      <div className="row">
        <SubmitButton pending={pending} pendingLabel="Saving…">
          Save name
        </SubmitButton>
        <button type="button" className="link-button" onClick={onCancel} disabled={pending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
