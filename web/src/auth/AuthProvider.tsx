/**
 * The React side of auth, kept thin: it owns one client of `@authsvc/client` (better-auth's call
 * surface), starts the session restore on mount, and re-renders on the client's state changes.
 * All token logic lives in the client package.
 */
import {
  createContext,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
} from "react";
import type { ReactNode } from "react";
import { createAuthClient } from "@authsvc/client/react";
import type { ReactAuthClient } from "@authsvc/client/react";
import type { AuthState } from "@authsvc/client";

interface AuthContextValue extends AuthState {
  client: ReactAuthClient;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({
  client,
  children,
}: {
  client?: ReactAuthClient;
  children: ReactNode;
}) {
  const [owned] = useState(() => client ?? createAuthClient());
  const core = owned.$core;
  const state = useSyncExternalStore(
    (listener) => core.subscribe(listener),
    () => core.getState(),
  );
  useEffect(() => {
    void core.start(); // idempotent: StrictMode's double effect restores once
  }, [core]);
  const value = useMemo(() => ({ ...state, client: owned }), [state, owned]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth() must be used inside <AuthProvider>.");
  return value;
}
