import { Field } from "./Form";

export const CODE_LENGTH = 6;

/** The digits of a typed or pasted code (" 873 958", "873-958" and "873958" are one code). */
export const codeDigits = (text: string) => text.replace(/\D/g, "").slice(0, CODE_LENGTH);

/** The 6-digit code input (numeric keyboard, one-time-code autofill). No maxLength: the browser
 * would cut a pasted " 873958" to " 87395" before the non-digits are stripped. */
export function CodeField({
  value,
  onChange,
  error,
  hint,
}: {
  value: string;
  onChange: (code: string) => void;
  error?: string;
  hint?: string;
}) {
  return (
    <Field
      label="6-digit code"
      name="otp"
      inputMode="numeric"
      autoComplete="one-time-code"
      autoFocus
      pattern="[0-9]{6}"
      required
      value={value}
      onChange={(e) => onChange(codeDigits(e.target.value))}
      error={error}
      hint={hint}
      className="code-input"
    />
  );
}
