import { useCallback, useEffect, useRef, useState } from "react";
import type { FormEvent } from "react";
import { useNavigate } from "react-router";
import type { SessionListItem, TrustedDevice } from "@authsvc/client";
import { useAuth } from "../auth/AuthProvider";
import { errorMessage } from "../auth/errors";
import { useSignedInByPassword } from "../auth/signInProof";
import { useAsyncAction } from "../auth/useAsyncAction";
import {
  NewPasswordFields,
  PasswordField,
  REPEAT_MISMATCH,
  repeatMismatch,
} from "../components/AuthFields";
import {
  Checkbox,
  Facts,
  FormError,
  Notice,
  SubmitButton,
  UsernameField,
} from "../components/Form";
import { Loading } from "../components/Layout";
import { At, day, when } from "../components/Time";
import {
  ChangeEmailCard,
  DeleteAccountCard,
  ProfileCard,
  SecurityActivityCard,
  SecurityActivityProvider,
  StepUp,
  useActivityChanged,
} from "./AccountCards";
import { PasskeysCard, TwoFactorCard } from "./SecondFactorCards";

export function Settings() {
  return (
    <section className="stack">
      <h1>Settings</h1>
      <SecurityActivityProvider>
        <ProfileCard />
        <ChangeEmailCard />
        <ChangePassword />
        <TwoFactorCard />
        <PasskeysCard />
        <SignIns />
        <TrustedDevices />
        <SecurityActivityCard />
        <SignOutCard />
        <DeleteAccountCard />
      </SecurityActivityProvider>
    </section>
  );
}

/**
 * Change the password, or set a first one. An account made by an emailed code has none, and the
 * user object does not say which: when this sign-in began with the password, the current one is
 * asked for; otherwise the new one is sent alone, and the API's answer tells (INVALID_PASSWORD:
 * there is one, ask for it; REAUTHENTICATION_REQUIRED: there is none, and the sign-in is not
 * recent: confirm it is you, without a password, then send it again).
 */
function ChangePassword() {
  const { client, user } = useAuth();
  const { pending, error, fields, run, refuse } = useAsyncAction();
  const activityChanged = useActivityChanged();
  const byPassword = useSignedInByPassword();
  // What the API said about the account (null: nothing yet).
  const [hasPassword, setHasPassword] = useState<boolean | null>(null);
  const asksCurrent = hasPassword ?? byPassword !== false;
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [revokeOthers, setRevokeOthers] = useState(true);
  const [done, setDone] = useState<"changed" | "set" | null>(null);
  const [stepUp, setStepUp] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const change = (target: FormEvent | HTMLFormElement | null) => {
    const sendsCurrent = asksCurrent;
    // Left out, not sent empty, when not asked for (an empty one would count as a wrong guess);
    // the client's type, better-auth's, always wants one.
    const current = (sendsCurrent ? currentPassword : undefined) as string;
    return run(async () => {
      const { error } = await client.changePassword({
        currentPassword: current,
        newPassword,
        revokeOtherSessions: revokeOthers,
      });
      activityChanged(); // changed, or a wrong current password the activity lists
      if (error?.code === "REAUTHENTICATION_REQUIRED") {
        setHasPassword(false);
        setStepUp(true);
        return;
      }
      if (error?.code === "INVALID_PASSWORD" && !sendsCurrent) {
        setHasPassword(true);
        if (form.current) refuse(form.current, { currentPassword: "Enter your current password." });
        return;
      }
      if (error) throw error;
      setCurrentPassword("");
      setNewPassword("");
      setRepeat("");
      setHasPassword(true);
      setDone(sendsCurrent ? "changed" : "set");
    }, target);
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    if (repeatMismatch(newPassword, repeat)) return refuse(event, { repeat: REPEAT_MISMATCH });
    void change(event);
  }

  return (
    <div className="card">
      <h2>{asksCurrent ? "Change password" : "Set a password"}</h2>
      {stepUp && (
        <StepUp
          passwordless
          onConfirmed={() => {
            setStepUp(false);
            void change(form.current);
          }}
          onCancel={() => setStepUp(false)}
        />
      )}
      <form
        ref={form}
        onSubmit={submit}
        onInput={() => setDone(null)}
        noValidate
        hidden={stepUp} // kept while confirming: what was typed is sent right after
      >
        {!asksCurrent && (
          <p className="muted">
            You signed in without a password. Choose one to sign in with it too; if your account has
            one already, you will be asked for it.
          </p>
        )}
        <FormError message={error} />
        {done && (
          <Notice focus>
            {done === "set" ? "Your password has been set." : "Your password has been changed."}
          </Notice>
        )}
        <UsernameField email={user?.email} />
        {asksCurrent && (
          <PasswordField
            label="Current password"
            name="currentPassword"
            value={currentPassword}
            onChange={setCurrentPassword}
            error={fields.currentPassword}
          />
        )}
        <NewPasswordFields
          name="newPassword"
          password={newPassword}
          onPasswordChange={setNewPassword}
          repeat={repeat}
          onRepeatChange={setRepeat}
          fields={fields}
        />
        <Checkbox
          label="Sign out of all other devices"
          checked={revokeOthers}
          onChange={(e) => setRevokeOthers(e.target.checked)}
        />
        <SubmitButton pending={pending} pendingLabel="Saving…">
          {asksCurrent ? "Change password" : "Set password"}
        </SubmitButton>
      </form>
    </div>
  );
}

function SignIns() {
  const { client } = useAuth();
  const activityChanged = useActivityChanged();
  const [items, setItems] = useState<SessionListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [endedOthers, setEndedOthers] = useState(false);

  const load = useCallback(async () => {
    const { data, error } = await client.listSessions();
    setItems(data ?? null);
    setError(error && errorMessage(error));
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  async function revoke(id: string) {
    setRevoking(id);
    const { error } = await client.revokeSession({ token: id });
    if (error) setError(errorMessage(error));
    else {
      activityChanged();
      await load();
    }
    setRevoking(null);
  }

  async function revokeOthers() {
    setRevoking("others");
    const { error } = await client.revokeOtherSessions();
    if (error) setError(errorMessage(error));
    else {
      activityChanged();
      setEndedOthers(true);
      await load();
    }
    setRevoking(null);
  }

  const others = items ? items.filter((item) => !item.current).length : 0;
  return (
    <div className="card">
      <h2>Where you're signed in</h2>
      <FormError message={error} />
      {endedOthers && <Notice>You are signed out of every other device.</Notice>}
      {!items && !error && <Loading label="Loading your sign-ins…" />}
      {items && (
        <ul className="sessions" aria-label="Sign-ins">
          {items.map((item) => (
            <li key={item.id} className="session" data-testid="session">
              <div>
                <strong>{item.device}</strong>
                {item.current && <span className="badge badge-current">This device</span>}
                <div className="muted small">
                  <Facts>
                    {[
                      item.ipAddress ?? "unknown address",
                      <span key="signed-in">
                        signed in <At iso={item.createdAt} />
                      </span>,
                      <span key="active">
                        last active <At iso={item.lastUsedAt} />
                      </span>,
                    ]}
                  </Facts>
                </div>
              </div>
              {!item.current && (
                <button
                  type="button"
                  className="button danger"
                  onClick={() => revoke(item.id)}
                  disabled={revoking !== null}
                  aria-label={`Sign out ${item.device}, signed in ${when(item.createdAt)}`}
                >
                  {revoking === item.id ? "Signing out…" : "Sign out"}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {others > 0 && (
        <button
          type="button"
          className="button"
          onClick={revokeOthers}
          disabled={revoking !== null}
        >
          {revoking === "others" ? "Signing out…" : "Sign out of all other devices"}
        </button>
      )}
    </div>
  );
}

/** The clients that completed a sign-in to the account: failures elsewhere never lock them out. */
function TrustedDevices() {
  const { client } = useAuth();
  const activityChanged = useActivityChanged();
  const [items, setItems] = useState<TrustedDevice[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);

  const load = useCallback(async () => {
    const { data, error } = await client.listDevices();
    setItems(data ?? null);
    setError(error && errorMessage(error));
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  async function revoke(id: string) {
    setRevoking(id);
    const { error } = await client.revokeDevice({ id });
    if (!error) activityChanged();
    await load(); // after an error too: a device revoked elsewhere (NOT_FOUND) leaves the list
    if (error) setError(errorMessage(error));
    setRevoking(null);
  }

  return (
    <div className="card">
      <h2>Trusted devices</h2>
      <p className="muted">
        Devices where you completed a sign-in. Failed sign-ins from other devices never lock them
        out. Revoking a device does not sign it out.
      </p>
      <FormError message={error} />
      {!items && !error && <Loading label="Loading your devices…" />}
      {items && items.length === 0 && <p className="muted">No trusted devices.</p>}
      {items && items.length > 0 && (
        <ul className="devices" aria-label="Trusted devices">
          {items.map((item) => (
            <li key={item.id} className="device" data-testid="device">
              <div>
                <div className="device-name">
                  <strong>{item.device}</strong>
                  {item.current && <span className="badge badge-current">This device</span>}
                </div>
                <div className="muted small">
                  <Facts>
                    {[
                      item.ipAddress ?? "unknown address",
                      <span key="used">
                        last used <At iso={item.lastUsedAt} />
                      </span>,
                      <span key="until">
                        trusted until <At iso={item.expiresAt} format={day} />
                      </span>,
                    ]}
                  </Facts>
                </div>
              </div>
              <button
                type="button"
                className="button danger"
                onClick={() => revoke(item.id)}
                disabled={revoking !== null}
                aria-label={`Revoke ${item.device}${item.current ? " (this device)" : ""}, last used ${when(item.lastUsedAt)}`}
              >
                {revoking === item.id ? "Revoking…" : "Revoke"}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function SignOutCard() {
  const { client } = useAuth();
  const navigate = useNavigate();
  const [pending, setPending] = useState(false);
  async function signOut() {
    setPending(true);
    await client.signOut();
    navigate("/sign-in", { replace: true });
  }
  return (
    <div className="card">
      <h2>Sign out</h2>
      <p className="muted">End this sign-in on this device.</p>
      <button type="button" className="button" onClick={signOut} disabled={pending}>
        {pending ? "Signing out…" : "Sign out of this device"}
      </button>
    </div>
  );
}
