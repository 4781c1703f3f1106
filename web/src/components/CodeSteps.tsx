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

/**
 * "Send a new code", or "Send a new code (in 27 s)" while it must wait. Unavailable by
 * aria-disabled, not disabled: the focus stays on it while a code goes out (a disabled button
 * drops it to the page's start); the code field takes it once the code is sent.
 */
export function ResendButton({
  onResend,
  availableIn,
  pending,
}: {
  onResend: () => void;
  availableIn: number;
  pending: boolean;
}) {
  const unavailable = pending || availableIn > 0;
  return (
    <button
      type="button"
      className="link-button"
      aria-disabled={unavailable}
      onClick={() => {
        if (!unavailable) onResend();
      }}
    >
      {availableIn > 0 ? `Send a new code (in ${availableIn} s)` : "Send a new code"}
    </button>
  );
}

/** "A new code is on its way" after a resend, else what was said of the first code. */
export function codeNotice(sends: number, first: ReactNode): ReactNode {
  return sends > 1 ? <>A new code is on its way. Only the newest code works.</> : first;
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
  resend: { onResend, availableIn, sends },
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
  /** "Send a new code": the action, seconds until it may run again, the codes sent so far. */
  resend: { onResend: () => void; availableIn: number; sends: number };
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
    <ResendButton onResend={onResend} availableIn={availableIn} pending={pending} />
  );
  return (
    <form onSubmit={submit} noValidate>
      {/* One message at a time: an error replaces the "code is on its way" notice. */}
      {!error && <Notice>{codeNotice(sends, notice)}</Notice>}
      <FormError message={error} />
      <CodeField
        key={sends} // a new code: a fresh field, which takes the focus
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
