import { useEffect, useState } from "react";
import type { FormEvent } from "react";
import type { OtpType } from "@authsvc/client";
import { useAuth } from "../auth/AuthProvider";
import type { useAsyncAction } from "../auth/useAsyncAction";

/** "Send a new code" waits this long after a send (the server allows 3 sends per 10 minutes). */
export const RESEND_COOLDOWN_SECONDS = 30;

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

/**
 * The email and the code of an emailed-code flow, and `sendCode`, which asks the API to email a
 * code of `type` (first send or "Send a new code"), clears the code typed so far and calls `onSent`.
 * `resend` is what the code step shows about sending again: seconds until it may, and whether a
 * new code went out.
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
  const [sends, setSends] = useState(initiallySent ? 1 : 0);
  const [resendAt, setResendAt] = useState<number | null>(null);
  const availableIn = useSecondsLeft(resendAt);

  function sendCode(event?: FormEvent) {
    event?.preventDefault();
    void run(async () => {
      const { error } = await client.emailOtp.sendVerificationOtp({ email, type });
      if (error) throw error;
      setOtp("");
      setSends((count) => count + 1);
      setResendAt(Date.now() + RESEND_COOLDOWN_SECONDS * 1000);
      onSent();
    }, event);
  }

  const resend = { onResend: () => sendCode(), availableIn, resent: sends > 1 };
  return { email, setEmail, otp, setOtp, sendCode, resend };
}
