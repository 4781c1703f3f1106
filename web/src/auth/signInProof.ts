import { useAuth } from "./AuthProvider";

/** The RFC 8176 methods (`amr`) of an access token's payload, or null when it has none. */
export function amrOf(accessToken: string | null): string[] | null {
  const payload = accessToken?.split(".")[1];
  if (!payload) return null;
  try {
    const text = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const amr: unknown = JSON.parse(text).amr;
    return Array.isArray(amr) && amr.every((m) => typeof m === "string") ? amr : null;
  } catch {
    return null;
  }
}

/**
 * Whether this sign-in began with the account's password (its access token's `amr` holds
 * `pwd`), so the account has one: true, false, or null when the token does not say. The user
 * object does not say whether an account has a password (an account made by an emailed code has
 * none); this is a hint for what to ask first, read from the token unverified: the server
 * decides.
 */
export function useSignedInByPassword(): boolean | null {
  const { client } = useAuth();
  const amr = amrOf(client.$core.getAccessToken());
  return amr === null ? null : amr.includes("pwd");
}
