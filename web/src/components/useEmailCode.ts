import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { FormEvent } from "react";
import type { AuthClientError, OtpType } from "@authsvc/client";
import { useAuth } from "../auth/AuthProvider";
import type { useAsyncAction } from "../auth/useAsyncAction";

/** "Send a new code" waits this long after a send (the server allows 3 sends per 10 minutes). */
export const RESEND_COOLDOWN_SECONDS = 30;

/** Wrong answers an emailed code takes before it no longer works (the server's OTP_MAX_ATTEMPTS
 * as shipped). */
export const CODE_GUESSES = 3;

/** Whole seconds left until `until` (epoch ms), ticking once a second; 0 once it has passed. */
function useSecondsLeft(until: number | null): number {
  const [, setTicks] = useState(0);
  useEffect(() => {
    if (until === null || until <= Date.now()) return;
    const timer = setInterval(() => setTicks((ticks) => ticks + 1), 1000);
    return () => clearInterval(timer);
  }, [until]);
  // Read the clock at render: a clock kept from mount showed "31 s" (or more) of a 30 s wait.
  return until === null ? 0 : Math.max(0, Math.ceil((until - Date.now()) / 1000));
}

/** What a code step shows about "Send a new code": how many codes went out (the first one
 * included), and the seconds until another may. */
export interface ResendState {
  sends: number;
  availableIn: number;
}

/** The codes sent in one flow: `sent()` after each send starts the wait before the next. */
export function useResend(initiallySent = false) {
  const [sends, setSends] = useState(initiallySent ? 1 : 0);
  const [resendAt, setResendAt] = useState<number | null>(null);
  const availableIn = useSecondsLeft(resendAt);
  const sent = useCallback(() => {
    setSends((count) => count + 1);
    setResendAt(Date.now() + RESEND_COOLDOWN_SECONDS * 1000);
  }, []);
  const restart = useCallback(() => {
    setSends(0);
    setResendAt(null);
  }, []);
  return { sends, availableIn, sent, restart };
}

/**
 * The wrong answers to the newest code. The API answers the answer that uses up a code's
 * guesses with INVALID_OTP, as any wrong one, and says TOO_MANY_ATTEMPTS only at the next try:
 * `judged` turns that last INVALID_OTP into TOO_MANY_ATTEMPTS, so the page never says "not
 * right, check it" of a code that can no longer work. `newCode` after each send.
 */
export function useCodeGuesses() {
  const wrong = useRef(0);
  return useMemo(
    () => ({
      newCode: () => {
        wrong.current = 0;
      },
      judged: (error: AuthClientError): AuthClientError => {
        if (error.code !== "INVALID_OTP") return error;
        wrong.current += 1;
        if (wrong.current < CODE_GUESSES) return error;
        return { ...error, code: "TOO_MANY_ATTEMPTS", status: 403 };
      },
    }),
    [],
  );
}

/**
 * The email and the code of an emailed-code flow, and `sendCode`, which asks the API to email a
 * code of `type` (first send or "Send a new code"), clears the code typed so far and calls `onSent`.
 * `resend` is what the code step shows about sending again; `judged` is for the errors of an
 * answer to the code (see useCodeGuesses).
 */
export function useEmailCode(
  type: OtpType,
  run: ReturnType<typeof useAsyncAction>["run"],
  onSent: () => void,
  initialEmail = "",
  initiallySent = false,
) {
  const { client } = useAuth();
  const [email, setEmail] = useState(initialEmail);
  const [otp, setOtp] = useState("");
  const { sends, availableIn, sent, restart } = useResend(initiallySent);
  const guesses = useCodeGuesses();

  function sendCode(event?: FormEvent) {
    event?.preventDefault();
    return run(async () => {
      const { error } = await client.emailOtp.sendVerificationOtp({ email, type });
      if (error) throw error;
      setOtp("");
      guesses.newCode();
      sent();
      onSent();
    }, event);
  }

  /** Back to the email step: what was sent to the last address no longer counts. */
  function anotherEmail() {
    setOtp("");
    restart();
  }

  const resend = { onResend: () => sendCode(), availableIn, sends };
  return { email, setEmail, otp, setOtp, sendCode, resend, anotherEmail, judged: guesses.judged };
}
