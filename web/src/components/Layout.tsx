import { Link, Navigate, NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { useEffect, useState } from "react";
import { useAuth } from "../auth/AuthProvider";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </div>
  );
}

const TITLES: Record<string, string> = {
  "/sign-in": "Sign in",
  "/sign-in/code": "Sign in with a code",
  "/sign-in/two-factor": "Confirm it is you",
  "/sign-up": "Create an account",
  "/forgot-password": "Forgot password",
  "/verify-email": "Verify your email",
  "/auth/link": "Email link",
  "/dashboard": "Dashboard",
  "/settings": "Settings",
};

/** Each page its own title (tabs, history and screen readers tell pages apart). */
function usePageTitle() {
  const { pathname } = useLocation();
  useEffect(() => {
    const page = TITLES[pathname.replace(/\/+$/, "") || "/"];
    document.title = page
      ? `${page} · Classroom`
      : pathname === "/"
        ? "Classroom"
        : "Page not found · Classroom";
  }, [pathname]);
}

export function Layout() {
  const { status, user, client } = useAuth();
  const navigate = useNavigate();
  usePageTitle();
  const [signingOut, setSigningOut] = useState(false);

  async function signOut() {
    setSigningOut(true);
    await client.signOut();
    setSigningOut(false);
    navigate("/sign-in", { replace: true });
  }

  return (
    <>
      <header className="topbar">
        <Link to="/" className="brand">
          Classroom
        </Link>
        {status === "signedIn" && user && (
          <nav aria-label="Main">
            <NavLink to="/dashboard">Dashboard</NavLink>
            <NavLink to="/settings">Settings</NavLink>
            <button type="button" className="link-button" onClick={signOut} disabled={signingOut}>
              {signingOut ? "Signing out…" : "Sign out"}
            </button>
          </nav>
        )}
      </header>
      <main className="content">
        <Outlet />
      </main>
    </>
  );
}

/** Pages for signed-in users: wait for the restore, send signed-out visitors to sign-in. */
export function RequireAuth() {
  const { status, endedBy } = useAuth();
  const location = useLocation();
  if (status === "loading") return <Loading label="Restoring your session…" />;
  if (status === "signedOut") {
    // After an explicit sign-out, the next sign-in starts from the dashboard.
    const state = endedBy === "signOut" ? null : { from: location.pathname };
    return <Navigate to="/sign-in" replace state={state} />;
  }
  return <Outlet />;
}

/**
 * Pages for signed-out visitors (sign-in, sign-up, code sign-in): once signed in (restored, or
 * the form succeeded) the user goes where they were headed, or to the dashboard.
 */
export function RedirectIfSignedIn() {
  const { status } = useAuth();
  const location = useLocation();
  if (status === "loading") return <Loading label="Restoring your session…" />;
  if (status === "signedIn") {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={from && from !== "/" ? from : "/dashboard"} replace />;
  }
  return <Outlet />;
}
