/** True when `value` parses as a URL whose scheme is one of `protocols` (as `URL.protocol`: "https:"). */
export function isUrlOf(value: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** The items of a comma-separated setting, trimmed; empty ones (a trailing comma) dropped. */
export function commaSeparated(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
