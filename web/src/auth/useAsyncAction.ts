import { useCallback, useRef, useState } from "react";
import { errorMessage, fieldErrors } from "./errors";

/**
 * Runs one form action at a time, with a loading flag and the error mapped to a sentence. The
 * action may throw a client error (`if (error) throw error` after a `{data, error}` call).
 */
export function useAsyncAction() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const busy = useRef(false);

  const run = useCallback(async (action: () => Promise<void>): Promise<boolean> => {
    if (busy.current) return false;
    busy.current = true;
    setPending(true);
    setError(null);
    setFields({});
    try {
      await action();
      return true;
    } catch (caught) {
      setError(errorMessage(caught));
      setFields(fieldErrors(caught));
      return false;
    } finally {
      busy.current = false;
      setPending(false);
    }
  }, []);

  const reset = useCallback(() => {
    setError(null);
    setFields({});
  }, []);

  return { pending, error, fields, run, reset, setError };
}
