/**
 * The React side of auth, kept thin: it owns one AuthClient, starts the session restore on mount,
 * and re-renders on the client's state changes. All token logic lives in authClient.ts.
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
import { AuthClient } from "./authClient";
import type { AuthState } from "./authClient";

interface AuthContextValue extends AuthState {
  client: AuthClient;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({ client, children }: { client?: AuthClient; children: ReactNode }) {
  const [owned] = useState(() => client ?? new AuthClient());
  const state = useSyncExternalStore(
    (listener) => owned.subscribe(listener),
    () => owned.getState(),
  );
  useEffect(() => {
    void owned.start(); // idempotent: StrictMode's double effect restores once
  }, [owned]);
  const value = useMemo(() => ({ ...state, client: owned }), [state, owned]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth() must be used inside <AuthProvider>.");
  return value;
}
