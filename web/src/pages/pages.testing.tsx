/** For the page tests: the app on a client of the fake API (and authenticator), and the queries
 * they share. */
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { expect } from "vitest";
import { createAuthClient } from "@authsvc/client/react";
import type { FakeApi, FakeAuthenticator } from "@authsvc/client/testing";
import { App } from "../App";

/** The app at `path` (with history `state`), its client talking to `api` and `authenticator`. */
export function renderApp(
  api: FakeApi,
  {
    path,
    state = null,
    authenticator,
  }: { path: string; state?: unknown; authenticator?: FakeAuthenticator },
) {
  window.history.replaceState(state, "", path);
  const client = createAuthClient({
    baseURL: window.location.origin,
    fetch: api.fetch,
    readCookie: api.readCookie,
    ...(authenticator ? { credentials: authenticator.credentials } : {}),
  });
  render(<App client={client} />);
  return client;
}

/** The settings card under the heading `name`, once it has loaded. */
export async function settingsCard(name: string) {
  const heading = await screen.findByRole("heading", { name, level: 2 });
  const element = heading.closest(".card") as HTMLElement;
  await waitFor(() => expect(within(element).queryByText(/^Loading/)).toBeNull());
  return element;
}

/** Types `value` into a field, as a user's input event would. */
export const type = (element: HTMLElement, value: string) =>
  fireEvent.change(element, { target: { value } });
