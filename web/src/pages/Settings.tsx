import { useCallback, useEffect, useState } from "react";
import type { FormEvent } from "react";
import { useNavigate } from "react-router";
import type { SessionListItem, TrustedDevice } from "@authsvc/client";
import { useAuth } from "../auth/AuthProvider";
import { errorMessage } from "../auth/errors";
import { useAsyncAction } from "../auth/useAsyncAction";
import { NewPasswordField, PasswordField } from "../components/AuthFields";
import { Checkbox, FormError, Notice, SubmitButton } from "../components/Form";
import { Loading } from "../components/Layout";
import { At, day, when } from "../components/Time";
import {
  ChangeEmailCard,
  DeleteAccountCard,
  ProfileCard,
  SecurityActivityCard,
} from "./AccountCards";
import { PasskeysCard, TwoFactorCard } from "./SecondFactorCards";

export function Settings() {
  return (
    <section className="stack">
      <h1>Settings</h1>
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
    </section>
  );
}

function ChangePassword() {
  const { client } = useAuth();
  const { pending, error, fields, run } = useAsyncAction();
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [revokeOthers, setRevokeOthers] = useState(true);
  const [done, setDone] = useState(false);

  function submit(event: FormEvent) {
    event.preventDefault();
    setDone(false);
    void run(async () => {
      const { error } = await client.changePassword({
        currentPassword,
        newPassword,
        revokeOtherSessions: revokeOthers,
      });
      if (error) throw error;
      setCurrentPassword("");
      setNewPassword("");
      setDone(true);
    }, event);
  }

  return (
    <div className="card">
      <h2>Change password</h2>
      <form onSubmit={submit} onInput={() => setDone(false)} noValidate>
        <FormError message={error} />
        {done && <Notice>Your password has been changed.</Notice>}
        <PasswordField
          label="Current password"
          name="currentPassword"
          value={currentPassword}
          onChange={setCurrentPassword}
          error={fields.currentPassword}
        />
        <NewPasswordField
          label="New password"
          name="newPassword"
          value={newPassword}
          onChange={setNewPassword}
          error={fields.newPassword}
        />
        <Checkbox
          label="Sign out of all other devices"
          checked={revokeOthers}
          onChange={(e) => setRevokeOthers(e.target.checked)}
        />
        <SubmitButton pending={pending} pendingLabel="Saving…">
          Change password
        </SubmitButton>
      </form>
    </div>
  );
}

function SignIns() {
  const { client } = useAuth();
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
    else await load();
    setRevoking(null);
  }

  async function revokeOthers() {
    setRevoking("others");
    const { error } = await client.revokeOtherSessions();
    if (error) setError(errorMessage(error));
    else {
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
                  {item.ipAddress ?? "unknown address"} · signed in <At iso={item.createdAt} /> ·
                  last active <At iso={item.lastUsedAt} />
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
                  {item.ipAddress ?? "unknown address"} · last used <At iso={item.lastUsedAt} /> ·
                  trusted until <At iso={item.expiresAt} format={day} />
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
