import type { Role } from "@authsvc/client";

const ROLES: { value: Role; label: string }[] = [
  { value: "student", label: "Student" },
  { value: "teacher", label: "Teacher" },
];

/** Teacher / student radio group. */
export function RolePicker({
  value,
  onChange,
  legend = "I am a",
}: {
  value: Role;
  onChange: (role: Role) => void;
  legend?: string;
}) {
  return (
    <fieldset className="radio-group">
      <legend>{legend}</legend>
      {ROLES.map((role) => (
        <label key={role.value} className="radio">
          <input
            type="radio"
            name="role"
            value={role.value}
            checked={value === role.value}
            onChange={() => onChange(role.value)}
          />
          {role.label}
        </label>
      ))}
    </fieldset>
  );
}
