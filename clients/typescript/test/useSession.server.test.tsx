// @vitest-environment happy-dom
/** useSession() in React against the real server: pending, signed out, signed in, signed out. */
import { act, cleanup, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { ReactAuthClient } from "../src/react";
import { CookieJar, PASSWORD, pageOf, signedUp } from "./support";

function Probe({ client }: { client: ReactAuthClient }) {
  const { data, isPending, error } = client.useSession();
  const text = isPending
    ? "pending"
    : error
      ? `error ${error.code}`
      : data
        ? `${data.user.email} ${data.user.role} ${data.session.id ? "with session" : ""}`
        : "signed out";
  return <p data-testid="probe">{text}</p>;
}

const probe = () => screen.getByTestId("probe").textContent;

afterEach(cleanup);

describe("useSession", () => {
  it("follows sign-in, refetch and sign-out", async () => {
    const { email } = await signedUp("hook", { role: "teacher" });
    const client = pageOf(new CookieJar());
    render(<Probe client={client} />);
    // A browser that never signed in has nothing to restore: signed out at once, no request.
    expect(probe()).toBe("signed out");

    await act(async () => {
      await client.signIn.email({ email, password: PASSWORD });
    });
    // A sign-in's answer is not the session: the hook loads GET session/ once.
    await waitFor(() => expect(probe()).toBe(`${email} teacher with session`));

    await act(async () => {
      await client.signOut();
    });
    await waitFor(() => expect(probe()).toBe("signed out"));
  });

  it("restores a page load of a signed-in browser", async () => {
    const { jar, email } = await signedUp("hook-restore");
    render(<Probe client={pageOf(jar)} />);
    expect(probe()).toBe("pending");
    await waitFor(() => expect(probe()).toBe(`${email} student with session`));
  });
});
