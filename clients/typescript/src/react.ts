/**
 * better-auth's `better-auth/react`: the same client plus `useSession()`, a hook that re-renders
 * on every sign-in, refresh and sign-out of the client, and returns `{data, isPending, error,
 * refetch}` with `data = {user, session} | null`.
 */
import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import { createAuthClient as createBaseClient } from "./client.js";
import type { CreateAuthClientOptions, SessionData } from "./client.js";
import { toAuthClientError } from "./errors.js";
import type { AuthClientError } from "./errors.js";

export interface UseSessionResult {
  data: SessionData | null;
  isPending: boolean;
  error: AuthClientError | null;
  refetch: () => Promise<void>;
}

export function createAuthClient(options: CreateAuthClientOptions = {}) {
  const client = createBaseClient(options);
  const core = client.$core;
  const subscribe = (listener: () => void) => core.subscribe(listener);
  const snapshot = () => core.getState();

  function useSession(): UseSessionResult {
    const state = useSyncExternalStore(subscribe, snapshot, snapshot);
    const [error, setError] = useState<AuthClientError | null>(null);
    const [loading, setLoading] = useState(false);

    const refetch = useCallback(async () => {
      setLoading(true);
      try {
        await core.currentSession();
        setError(null);
      } catch (caught) {
        setError(toAuthClientError(caught));
      } finally {
        setLoading(false);
      }
    }, []);

    useEffect(() => {
      void core.start(); // idempotent: restores the session once per page
    }, []);
    // Signed in by a call that returns no session (sign-in, sign-up): load it once.
    const needsSession = state.status === "signedIn" && state.session === null;
    useEffect(() => {
      if (needsSession) void refetch();
    }, [needsSession, refetch]);

    const data =
      state.status === "signedIn" && state.user && state.session
        ? { user: state.user, session: state.session }
        : null;
    const isPending = state.status === "loading" || (needsSession && error === null) || loading;
    return { data, isPending, error, refetch };
  }

  return { ...client, useSession };
}

export type ReactAuthClient = ReturnType<typeof createAuthClient>;
export type * from "./index.js";
