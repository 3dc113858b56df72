// Small readers over the object tree of xml-tree-builder.ts (attributes under "@_name", text under "#text").

export type XmlNode = Record<string, unknown>;

export function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Children under a key, always as a list (the parser gives one child as a value, several as an array). */
export function childList(node: XmlNode | undefined, ...keys: string[]): unknown[] {
  if (!node) return [];
  for (const key of keys) {
    const value = node[key];
    if (value === undefined) continue;
    return Array.isArray(value) ? value : [value];
  }
  return [];
}

export function childNodes(node: XmlNode | undefined, ...keys: string[]): XmlNode[] {
  return childList(node, ...keys).map((child) => (isNode(child) ? child : { '#text': child }));
}

export function firstChild(node: XmlNode | undefined, ...keys: string[]): XmlNode | undefined {
  return childNodes(node, ...keys)[0];
}

/** Trimmed text of an element (all nested text when it has child elements), or null when empty. */
export function textOf(value: unknown): string | null {
  const text = collectText(value).trim();
  return text === '' ? null : text;
}

function collectText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(collectText).join('');
  if (!isNode(value)) return '';
  return Object.entries(value)
    .filter(([key]) => !key.startsWith('@_'))
    .map(([, child]) => collectText(child))
    .join('');
}

/** Text of the first child under one of the keys. */
export function childText(node: XmlNode | undefined, ...keys: string[]): string | null {
  for (const child of childList(node, ...keys)) {
    const text = textOf(child);
    if (text !== null) return text;
  }
  return null;
}

export function attr(node: XmlNode | undefined, name: string): string | null {
  const value = node?.[`@_${name}`];
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}
