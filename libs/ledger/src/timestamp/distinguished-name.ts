import type * as pkijs from 'pkijs';

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** "CN=Test TSA, O=Example" in the order the name is encoded; unknown attribute types appear as their OID. */
export function formatDistinguishedName(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map(({ type, value }) => {
      const text = typeof value.valueBlock.value === 'string' ? value.valueBlock.value : '?';
      return `${SHORT_NAMES[type] ?? type}=${text}`;
    })
    .join(', ');
}

/** A GeneralName as text: the directory name formatted, or the string of a DNS/URI/email name. */
export function formatGeneralName(name: pkijs.GeneralName): string {
  if (name.type === 4) return formatDistinguishedName(name.value as pkijs.RelativeDistinguishedNames);
  return typeof name.value === 'string' ? name.value : `[GeneralName type ${name.type}]`;
}
