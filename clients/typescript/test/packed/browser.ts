// Bundled by Vite in a project outside this repository: the packed client (its React entry and
// its plain one) in a browser build, where the cookie transport is the default.
import { isTwoFactorRedirect } from "@authsvc/client";
import { createAuthClient } from "@authsvc/client/react";

const authClient = createAuthClient({ baseURL: "" });
const { data } = await authClient.signIn.email({ email: "ada@example.com", password: "x" });
if (data && isTwoFactorRedirect(data)) location.assign("/sign-in/two-factor");
