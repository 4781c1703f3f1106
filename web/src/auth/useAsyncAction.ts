import { useCallback, useEffect, useRef, useState } from "react";
import type { FormEvent } from "react";
import { errorMessage, fieldErrors, fieldOfError } from "./errors";

type FieldMessages = Record<string, string>;

/** The form's named inputs that are `required` and still empty, with a message for each. */
function emptyRequired(form: HTMLFormElement): FieldMessages {
  const missing: FieldMessages = {};
  for (const element of Array.from(form.elements)) {
    if (!(element instanceof HTMLInputElement) || !element.required || !element.name) continue;
    if (element.type === "checkbox" || element.type === "radio" || element.value.trim()) continue;
    // A field may word its own ("Repeat the new password."); else "Enter your <label>.".
    const label = element.labels?.[0]?.textContent?.trim() || element.name;
    missing[element.name] = element.dataset.missing ?? `Enter your ${label.toLowerCase()}.`;
  }
  return missing;
}

function inputNames(form: HTMLFormElement | null): string[] {
  if (!form) return [];
  return Array.from(form.elements).flatMap((element) =>
    element instanceof HTMLInputElement && element.name ? [element.name] : [],
  );
}

/** The form of a submit event, or the form itself (an action run again after a step-up). */
function formOf(target: FormEvent | HTMLFormElement | null | undefined): HTMLFormElement | null {
  if (target instanceof HTMLFormElement) return target;
  return target?.currentTarget instanceof HTMLFormElement ? target.currentTarget : null;
}

/** After a failed submit: focus the first field marked invalid, else the form's error box. */
function focusProblem(form: HTMLFormElement) {
  const target =
    form.querySelector<HTMLElement>('[aria-invalid="true"]') ??
    form.querySelector<HTMLElement>('[role="alert"]');
  target?.focus();
}

/**
 * Runs one form action at a time, with a loading flag and the error mapped to a sentence. The
 * action may throw a client error (`if (error) throw error` after a `{data, error}` call).
 *
 * Given the submit event (or the form), it first checks the form's required fields (each empty one gets its
 * own message, nothing is sent), puts an error that belongs to one field under that field, and
 * moves focus to the problem after a failure.
 */
export function useAsyncAction() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<FieldMessages>({});
  const busy = useRef(false);
  // The form whose failed submit wants focus on its problem, once the messages are rendered.
  const [failedForm, setFailedForm] = useState<{ form: HTMLFormElement } | null>(null);
  useEffect(() => {
    if (!failedForm) return;
    const { form } = failedForm;
    focusProblem(form);
    // Once the user edits a field, its message (and the form's) no longer describes it. After
    // the event, not during it: a render flushed between this listener and React's own would put
    // the controlled input's old value back before its onChange sees the new one.
    let pending: ReturnType<typeof setTimeout> | undefined;
    const edited = (event: Event) => {
      const name = event.target instanceof HTMLInputElement ? event.target.name : "";
      pending = setTimeout(() => {
        setError(null);
        setFields((current) => {
          if (!name || !(name in current)) return current;
          const rest = { ...current };
          delete rest[name];
          return rest;
        });
      });
    };
    form.addEventListener("input", edited);
    return () => {
      form.removeEventListener("input", edited);
      clearTimeout(pending);
    };
  }, [failedForm]);

  const run = useCallback(
    async (
      action: () => Promise<void>,
      event?: FormEvent | HTMLFormElement | null,
    ): Promise<boolean> => {
      if (busy.current) return false;
      const form = formOf(event);
      const missing = form ? emptyRequired(form) : {};
      if (Object.keys(missing).length) {
        setError(null);
        setFields(missing);
        if (form) setFailedForm({ form });
        return false;
      }
      busy.current = true;
      setPending(true);
      setError(null);
      setFields({});
      try {
        await action();
        return true;
      } catch (caught) {
        const names = inputNames(form);
        const field = fieldOfError(caught, names);
        const perField = fieldErrors(caught);
        const shown = Object.keys(perField);
        if (field) {
          setFields({ [field]: errorMessage(caught) });
        } else if (shown.length && shown.every((name) => names.includes(name))) {
          setFields(perField); // each message under its field: no banner above them saying so
        } else {
          setError(errorMessage(caught));
          setFields(perField);
        }
        if (form) setFailedForm({ form });
        return false;
      } finally {
        busy.current = false;
        setPending(false);
      }
    },
    [],
  );

  /** A submit refused before anything is sent: these messages under their fields, focus on the
   * first of them. */
  const refuse = useCallback((event: FormEvent | HTMLFormElement, messages: FieldMessages) => {
    setError(null);
    setFields(messages);
    const form = formOf(event);
    if (form) setFailedForm({ form });
  }, []);

  const reset = useCallback(() => {
    setError(null);
    setFields({});
  }, []);

  return { pending, error, fields, run, refuse, reset, setError };
}
