/**
 * JSON.parse keeps the last of two equal keys without a word. In evidence that is an ambiguity a reader could
 * be misled by ({"text":"forged","text":"real"} hashes as "real" but may display as "forged"), so bundles are
 * parsed with duplicate keys refused.
 */
import { LedgerFormatError } from '../errors';
import { escapeHidden } from './display';

type Frame = { kind: 'array' } | { kind: 'object'; keys: Set<string>; expectKey: boolean };

/** JSON.parse, but throws LedgerFormatError on invalid JSON or on an object with a repeated key. */
export function parseJsonStrict(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // the engine's message quotes the text near the error: shown escaped, so none of it passes for a line of ours
    throw new LedgerFormatError(`${what} is not valid JSON: ${escapeHidden((error as Error).message)}`);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== null) throw new LedgerFormatError(`${what} repeats the key ${JSON.stringify(duplicate)}`);
  return value;
}

/** Scans text already known to be valid JSON; returns the first key repeated within one object, or null. */
export function findDuplicateKey(text: string): string | null {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '{') stack.push({ kind: 'object', keys: new Set(), expectKey: true });
    else if (c === '[') stack.push({ kind: 'array' });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',' && top?.kind === 'object') top.expectKey = true;
    else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (top?.kind === 'object' && top.expectKey) {
        // Compare decoded keys: "a" and "\u0061" are the same key.
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end;
    }
  }
  return null;
}
