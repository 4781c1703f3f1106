import { Fragment, useEffect, useId, useRef } from "react";
import type { InputHTMLAttributes, ReactNode } from "react";

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  /** A message under the field (validation error from the API). */
  error?: string;
  hint?: ReactNode;
  /** A control beside the input (e.g. a show/hide button). */
  trailing?: ReactNode;
};

/** A labelled input; an error is announced and tied to the input with aria-describedby. */
export function Field({ label, error, hint, id, trailing, ...input }: FieldProps) {
  const autoId = useId();
  const inputId = id ?? autoId;
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  // An error replaces the hint under the field: the rule and its breach are not said twice.
  const shownHint = error ? null : hint;
  const describedBy = [shownHint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      {trailing ? (
        <div className="input-with-action">
          <input
            id={inputId}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy || undefined}
            {...input}
          />
          {trailing}
        </div>
      ) : (
        <input
          id={inputId}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy || undefined}
          {...input}
        />
      )}
      {shownHint && (
        <p className="hint" id={hintId}>
          {shownHint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

export function Checkbox({
  label,
  ...input
}: InputHTMLAttributes<HTMLInputElement> & { label: string }) {
  const id = useId();
  return (
    <div className="checkbox">
      <input id={id} type="checkbox" {...input} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

/** The form-level error, read out by screen readers when it appears. */
export function FormError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div className="alert alert-error" role="alert" tabIndex={-1}>
      {message}
    </div>
  );
}

/**
 * A message that something worked. With `focus`, it takes the focus when it appears: what the
 * user pressed is gone or disabled, and the focus would otherwise fall to the page's start.
 */
export function Notice({ children, focus }: { children: ReactNode; focus?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focus) box.current?.focus();
  }, [focus]);
  return (
    <div ref={box} className="alert alert-info" role="status" tabIndex={focus ? -1 : undefined}>
      {children}
    </div>
  );
}

/**
 * The details of a list row ("192.0.2.1 · signed in Jan 2 · last active Jan 3"): at phone width a
 * line breaks after a "·", never before one (no line starts with a stray dot).
 */
export function Facts({ children }: { children: ReactNode[] }) {
  const parts = children.filter((part) => part !== null && part !== false && part !== undefined);
  return (
    <>
      {parts.map((part, index) => (
        <Fragment key={index}>
          {part}
          {index < parts.length - 1 && "\u00a0· "}
        </Fragment>
      ))}
    </>
  );
}

/**
 * The account's address in a form that asks only for a password (step-up, a new password):
 * hidden, for password managers, which file the password under this username.
 */
export function UsernameField({ email }: { email: string | undefined }) {
  if (!email) return null;
  return (
    <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
  );
}

export function SubmitButton({
  pending,
  pendingLabel,
  children,
  autoFocus,
}: {
  pending: boolean;
  pendingLabel: string;
  children: ReactNode;
  autoFocus?: boolean;
}) {
  return (
    <button
      type="submit"
      className="button primary"
      disabled={pending}
      aria-busy={pending}
      autoFocus={autoFocus}
    >
      {pending ? (
        <>
          <span className="spinner" aria-hidden="true" /> {pendingLabel}
        </>
      ) : (
        children
      )}
    </button>
  );
}

/** An email address: it moves to a line of its own whole when it fits there, and only one
 * longer than the line breaks (the card breaks long words anywhere). `after` is the punctuation
 * that follows it, kept on the address's last line. */
export function Address({ email, after }: { email: string | undefined; after?: string }) {
  return (
    <span className="address">
      <strong>{email}</strong>
      {after}
    </span>
  );
}
