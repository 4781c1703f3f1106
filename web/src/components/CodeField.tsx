import { Field } from "./Form";

/** The 6-digit code input (numeric keyboard, one-time-code autofill). */
export function CodeField({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (code: string) => void;
  error?: string;
}) {
  return (
    <Field
      label="6-digit code"
      name="otp"
      inputMode="numeric"
      autoComplete="one-time-code"
      autoFocus
      pattern="[0-9]{6}"
      maxLength={6}
      required
      value={value}
      onChange={(e) => onChange(e.target.value.replace(/\D/g, "").slice(0, 6))}
      error={error}
      className="code-input"
    />
  );
}
