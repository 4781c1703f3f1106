import { useState } from "react";
import type { FormEvent, ReactNode } from "react";
import type { useAsyncAction } from "../auth/useAsyncAction";
import { EmailField } from "./AuthFields";
import { CODE_LENGTH, CodeField } from "./CodeField";
import { FormError, Notice, SubmitButton } from "./Form";

/** The state of the form's action, from useAsyncAction(). */
type ActionState = Pick<ReturnType<typeof useAsyncAction>, "pending" | "error" | "fields">;

/** Step 1 of an emailed-code flow: the email and "Send me a code". */
export function SendCodeStep({
  action: { pending, error, fields },
  intro,
  email,
  onEmailChange,
  readOnly,
  onSubmit,
}: {
  action: ActionState;
  /** A short explanation above the form. */
  intro?: ReactNode;
  email: string;
  onEmailChange: (email: string) => void;
  readOnly?: boolean;
  onSubmit: (event: FormEvent) => void;
}) {
  return (
    <form onSubmit={onSubmit} noValidate>
      {intro && <p className="muted">{intro}</p>}
      <FormError message={error} />
      <EmailField value={email} onChange={onEmailChange} readOnly={readOnly} error={fields.email} />
      <SubmitButton pending={pending} pendingLabel="Sending…">
        Send me a code
      </SubmitButton>
    </form>
  );
}

/** Step 2 of an emailed-code flow: the 6-digit code, the submit button and "Send a new code". */
export function EnterCodeStep({
  action: { pending, error, fields },
  notice,
  otp,
  onOtpChange,
  onSubmit,
  submitLabel,
  pendingLabel,
  resend: { onResend, availableIn, resent },
  onUseAnotherEmail,
  children,
}: {
  action: ActionState;
  /** Where the code went, shown above the form. */
  notice: ReactNode;
  otp: string;
  onOtpChange: (otp: string) => void;
  onSubmit: (event: FormEvent) => void;
  submitLabel: string;
  pendingLabel: string;
  /** "Send a new code": the action, seconds until it may run again, whether a new code went out. */
  resend: { onResend: () => void; availableIn: number; resent: boolean };
  /** Adds a "Use another email" button next to "Send a new code". */
  onUseAnotherEmail?: () => void;
  /** More fields, between the code and the submit button. */
  children?: ReactNode;
}) {
  // A short code would spend one of the 3 guesses for nothing: it is never sent.
  const [short, setShort] = useState(false);
  function submit(event: FormEvent) {
    if (otp.length !== CODE_LENGTH) {
      event.preventDefault();
      setShort(true);
      return;
    }
    setShort(false);
    onSubmit(event);
  }
  const resendButton = (
    <button
      type="button"
      className="link-button"
      onClick={() => onResend()}
      disabled={pending || availableIn > 0}
    >
      {availableIn > 0 ? `Send a new code (in ${availableIn} s)` : "Send a new code"}
    </button>
  );
  return (
    <form onSubmit={submit} noValidate>
      {/* One message at a time: an error replaces the "code is on its way" notice. */}
      {!error && (
        <Notice>
          {resent ? <>A new code is on its way. Only the newest code works.</> : notice}
        </Notice>
      )}
      <FormError message={error} />
      <CodeField
        value={otp}
        onChange={onOtpChange}
        error={short ? "Enter all 6 digits of the code." : fields.otp}
      />
      {children}
      <SubmitButton pending={pending} pendingLabel={pendingLabel}>
        {submitLabel}
      </SubmitButton>
      {onUseAnotherEmail ? (
        <div className="row">
          {resendButton}
          <button type="button" className="link-button" onClick={onUseAnotherEmail}>
            Use another email
          </button>
        </div>
      ) : (
        resendButton
      )}
    </form>
  );
}
