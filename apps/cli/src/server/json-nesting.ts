/** Deeper than any request the API accepts; far below what recursive validation of the parsed body survives. */
export const MAX_JSON_DEPTH = 64;

/**
 * The deepest nesting of arrays and objects in a JSON text, in one pass and constant memory: brackets
 * inside strings (and escaped quotes) do not count. It stops counting once `limit` is exceeded, so a
 * hostile body costs no more than reading it. Malformed JSON is left for the parser to refuse.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) depth--;
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** An error body-parser passes on with its status and type (it reads `status` from what `verify` throws). */
export class BodyRefused extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * express.json's `verify` hook: runs on the raw body before JSON.parse. A body nested thousands deep parses
 * fine but then overflows the stack of whatever walks it recursively (validation, class-transformer), which
 * answered 500; here it is a 400 that says why.
 */
export function refuseDeepJson(_req: unknown, _res: unknown, body: Buffer, encoding: string | null): void {
  let text: string;
  try {
    text = new TextDecoder(encoding ?? 'utf-8').decode(body);
  } catch {
    throw new BodyRefused(415, 'charset.unsupported', `unsupported charset "${encoding}"; send UTF-8`);
  }
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new BodyRefused(
      400,
      'entity.too.deep',
      `request body is nested too deeply (more than ${MAX_JSON_DEPTH} levels of arrays and objects)`,
    );
  }
}
