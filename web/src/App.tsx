import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import type { ReactAuthClient } from "@authsvc/client/react";
import { AuthProvider, useAuth } from "./auth/AuthProvider";
import { Layout, Loading, RedirectIfSignedIn, RequireAuth } from "./components/Layout";
import { Dashboard } from "./pages/Dashboard";
import { EmailLink } from "./pages/EmailLink";
import { ForgotPassword } from "./pages/ForgotPassword";
import { NotFound } from "./pages/NotFound";
import { Settings } from "./pages/Settings";
import { SignIn } from "./pages/SignIn";
import { SignInTwoFactor } from "./pages/SignInTwoFactor";
import { SignInWithCode } from "./pages/SignInWithCode";
import { SignUp } from "./pages/SignUp";
import { VerifyEmail } from "./pages/VerifyEmail";

function Home() {
  const { status } = useAuth();
  if (status === "loading") return <Loading label="Restoring your session…" />;
  return <Navigate to={status === "signedIn" ? "/dashboard" : "/sign-in"} replace />;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Home />} />
        <Route element={<RedirectIfSignedIn />}>
          <Route path="sign-in" element={<SignIn />} />
          <Route path="sign-in/code" element={<SignInWithCode />} />
          <Route path="sign-in/two-factor" element={<SignInTwoFactor />} />
          <Route path="sign-up" element={<SignUp />} />
        </Route>
        <Route path="forgot-password" element={<ForgotPassword />} />
        <Route path="verify-email" element={<VerifyEmail />} />
        <Route path="auth/link" element={<EmailLink />} />
        <Route element={<RequireAuth />}>
          <Route path="dashboard" element={<Dashboard />} />
          <Route path="settings" element={<Settings />} />
        </Route>
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

export function App({ client }: { client?: ReactAuthClient }) {
  return (
    <AuthProvider client={client}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </AuthProvider>
  );
}
