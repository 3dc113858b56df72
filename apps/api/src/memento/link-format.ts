/**
 * Web links in the `application/link-format` serialisation (RFC 6690), which a Memento TimeMap is written in
 * and whose single-line form is the HTTP `Link` header (RFC 8288): `<uri>; rel="…"; name="value", …`.
 */
export interface WebLink {
  uri: string;
  rel: string;
  /** further attributes in the order given: type, datetime, from, until */
  attributes?: [name: string, value: string][];
}

/** One link: the URI in angle brackets, then `rel` and the attributes as quoted strings. */
export function renderLink(link: WebLink): string {
  const params = [['rel', link.rel] as [string, string], ...(link.attributes ?? [])]
    .map(([name, value]) => `; ${name}=${quoted(value)}`)
    .join('');
  return `<${escapeUri(link.uri)}>${params}`;
}

/** A `Link` header value: the links on one line, comma-separated. */
export function linkHeader(links: readonly WebLink[]): string {
  return links.map(renderLink).join(', ');
}

/** A link-format document: one link per line, comma-separated, as TimeMaps are conventionally laid out. */
export function linkFormatDocument(links: readonly WebLink[]): string {
  return `${links.map(renderLink).join(',\n')}\n`;
}

/** `<` and `>` end a link's URI: percent-encode them (and whitespace), which URIs allow anyway. */
function escapeUri(uri: string): string {
  return uri.replace(/[<>\s"]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
