// The React entry, type-checked under moduleResolution Bundler (a browser app's set-up).
import { createAuthClient } from "@authsvc/client/react";

const authClient = createAuthClient({ baseURL: "" });

export function Header() {
  const { data, isPending, error } = authClient.useSession();
  if (isPending) return null;
  if (error) return <p role="alert">{error.message}</p>;
  return <p>{data ? data.user.email : "Signed out"}</p>;
}
