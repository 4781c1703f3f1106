import { useState } from "react";
import type { FormEvent } from "react";
import type { OtpType } from "@authsvc/client";
import { useAuth } from "../auth/AuthProvider";
import type { useAsyncAction } from "../auth/useAsyncAction";

/**
 * The email and the code of an emailed-code flow, and `sendCode`, which asks the API to email a
 * code of `type` (first send or "Send a new code"), clears the code typed so far and calls `onSent`.
 */
export function useEmailCode(
  type: OtpType,
  run: ReturnType<typeof useAsyncAction>["run"],
  onSent: () => void,
  initialEmail = "",
) {
  const { client } = useAuth();
  const [email, setEmail] = useState(initialEmail);
  const [otp, setOtp] = useState("");

  function sendCode(event?: FormEvent) {
    event?.preventDefault();
    void run(async () => {
      const { error } = await client.emailOtp.sendVerificationOtp({ email, type });
      if (error) throw error;
      setOtp("");
      onSent();
    });
  }

  return { email, setEmail, otp, setOtp, sendCode };
}
