import { useState } from "react";
import type { ComponentProps } from "react";
import { Field } from "./Form";

type FieldProps = ComponentProps<typeof Field>;

/** What every wrapped field takes: the value, a setter for it and the API's error for the field. */
type ValueProps = {
  value: string;
  onChange: (value: string) => void;
  error?: string;
};

/**
 * The account's email (label "Email", name "email"). On the sign-in page `autoComplete` is
 * "username webauthn": the browser offers the account's passkeys in the field's autofill.
 */
export function EmailField({
  value,
  onChange,
  error,
  readOnly,
  autoComplete = "email",
}: ValueProps & { readOnly?: boolean; autoComplete?: string }) {
  return (
    <Field
      label="Email"
      type="email"
      name="email"
      autoComplete={autoComplete}
      required
      readOnly={readOnly}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
    />
  );
}

type PasswordFieldProps = ValueProps &
  Omit<FieldProps, "label" | "type" | "value" | "onChange" | "error"> & {
    label?: string;
  };

/** A required password input; by default the current password (label "Password"). */
export function PasswordField({
  label = "Password",
  name = "password",
  autoComplete = "current-password",
  value,
  onChange,
  error,
  ...input
}: PasswordFieldProps) {
  const [shown, setShown] = useState(false);
  const toggle = (
    <button
      type="button"
      className="link-button reveal"
      aria-pressed={shown}
      aria-label={shown ? `Hide ${label.toLowerCase()}` : `Show ${label.toLowerCase()}`}
      onClick={() => setShown((value) => !value)}
    >
      {shown ? "Hide" : "Show"}
    </button>
  );
  return (
    <Field
      label={label}
      type={shown ? "text" : "password"}
      trailing={toggle}
      name={name}
      autoComplete={autoComplete}
      required
      {...input}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
    />
  );
}

/** A password being chosen: at least 8 characters, with the rule shown under the field. */
export function NewPasswordField(props: PasswordFieldProps) {
  return (
    <PasswordField
      autoComplete="new-password"
      minLength={8}
      hint="At least 8 characters, not a common password."
      {...props}
    />
  );
}

/** What the repeat of a new password says when it is not the same password. */
export const REPEAT_MISMATCH = "The two passwords do not match.";

/** Both filled in, and different: said before anything is sent. */
export const repeatMismatch = (password: string, repeat: string) =>
  password !== "" && repeat !== "" && password !== repeat;

/**
 * A new password and its repeat, alike wherever a password is chosen for an existing account
 * (reset, change): a typo there would lock its owner out. An empty repeat is asked for as such.
 */
export function NewPasswordFields({
  name,
  password,
  onPasswordChange,
  repeat,
  onRepeatChange,
  fields,
  autoFocus,
}: {
  /** The new password's input name: the API's field for it ("password", "newPassword"). */
  name: string;
  password: string;
  onPasswordChange: (value: string) => void;
  repeat: string;
  onRepeatChange: (value: string) => void;
  fields: Record<string, string>;
  autoFocus?: boolean;
}) {
  return (
    <>
      <NewPasswordField
        label="New password"
        name={name}
        value={password}
        onChange={onPasswordChange}
        error={fields[name]}
        autoFocus={autoFocus}
      />
      <PasswordField
        label="Repeat the new password"
        name="repeat"
        autoComplete="new-password"
        data-missing="Repeat the new password."
        value={repeat}
        onChange={onRepeatChange}
        error={fields.repeat}
      />
    </>
  );
}
