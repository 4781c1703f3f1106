import type { ComponentProps } from "react";
import { Field } from "./Form";

type FieldProps = ComponentProps<typeof Field>;

/** What every wrapped field takes: the value, a setter for it and the API's error for the field. */
type ValueProps = {
  value: string;
  onChange: (value: string) => void;
  error?: string;
};

/** The account's email (label "Email", name "email"). */
export function EmailField({
  value,
  onChange,
  error,
  readOnly,
}: ValueProps & { readOnly?: boolean }) {
  return (
    <Field
      label="Email"
      type="email"
      name="email"
      autoComplete="email"
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
  return (
    <Field
      label={label}
      type="password"
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
