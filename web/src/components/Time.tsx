/** "Jan 2, 2025, 10:10 AM" in the reader's locale. */
export const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/** "Jan 2, 2025" in the reader's locale. */
export const day = (iso: string) =>
  new Date(iso).toLocaleDateString(undefined, { dateStyle: "medium" });

/** A date in a list's details: one piece on a phone (never "10:10" at a line's end, "PM" below). */
export function At({ iso, format = when }: { iso: string; format?: (iso: string) => string }) {
  return <time dateTime={iso}>{format(iso)}</time>;
}
