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

/**
 * `<` and `>` end a link's URI: percent-encode them, and whatever else a URI does not hold as written (whitespace,
 * controls, `"`, anything beyond ASCII, as its UTF-8 bytes, RFC 3987 §3.1). A stored URL is a source's text: one
 * with `ю` in it would otherwise make the `Link` header invalid, which Node refuses to send.
 */
function escapeUri(uri: string): string {
  return uri.replace(/[^\x21-\x7e]|[<>"]/gu, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
