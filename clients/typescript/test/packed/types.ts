// Type-checked in a project outside this repository against the packed client, under
// moduleResolution NodeNext (tsconfig.nodenext.json) and Bundler (tsconfig.bundler.json).
// The @ts-expect-error lines fail the check if the package's types resolved to `any`.
import { ApiError, createAuthClient, memoryTokenStore } from "@authsvc/client";
import type { ClientErrorCode, ErrorCode, SessionData, TokenStore, User } from "@authsvc/client";
import { FakeApi, USER } from "@authsvc/client/testing";

const tokenStore: TokenStore = memoryTokenStore();
const client = createAuthClient({ baseURL: "http://localhost:8000", tokenStore });

export async function signIn(email: string, password: string): Promise<User | null> {
  const { data, error } = await client.signIn.email({ email, password, rememberMe: true });
  if (error) {
    const code: ErrorCode | ClientErrorCode = error.code;
    throw new ApiError(error.status, { code, message: error.message });
  }
  if (data.twoFactorRedirect) return null; // a second step: twoFactor.verifyTotp({code})
  return data.user;
}

export async function session(): Promise<SessionData | null> {
  return (await client.getSession()).data;
}

export const fake = createAuthClient({ baseURL: "http://api.test", fetch: new FakeApi().fetch });
export const user: User = USER;

// @ts-expect-error: not a code of the API
export const unknownCode: ErrorCode = "NOT_A_CODE";
// @ts-expect-error: signIn.email needs a password
void client.signIn.email({ email: "ada@example.com" });
