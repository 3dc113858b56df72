import { invalid, parseJson } from '../json-body';
import { asBuffer } from '../parsing/thread-bytes';
import { JSON_BODY_SHAPES, type JsonBodyOf, type JsonBodyShape } from './json-body-shapes';

/** What a JSON parse thread is asked; plain data, so that it can be sent to a worker thread. */
export interface JsonParseInput<Shape extends JsonBodyShape = JsonBodyShape> {
  bytes: Uint8Array;
  shape: Shape;
  /** names the body in errors: `X timeline of @user` */
  what: string;
}

/**
 * Data nested deeper than this is refused. Where a shape lets unknown fields through (Bluesky's views), a body
 * can nest them thousands of levels deep: copying that back from a parse thread overflows the stack of the
 * thread that reads the answer. The platforms' documented shapes nest a few dozen levels at most.
 */
export const MAX_JSON_BODY_DEPTH = 128;

/** A body read as its shape: JSON, then the shape's checks; SourceInvalidResponse naming the body otherwise. */
export function runJsonParse<Shape extends JsonBodyShape>(input: JsonParseInput<Shape>): JsonBodyOf<Shape> {
  const { what } = input;
  let value: unknown;
  try {
    value = JSON_BODY_SHAPES[input.shape](parseJson(asBuffer(input.bytes), what), what);
  } catch (error) {
    // zod checks a recursive shape (a Bluesky embed within an embed) by recursion
    if (error instanceof RangeError && /call stack/i.test(error.message))
      throw invalid(what, 'the response is nested too deeply');
    throw error;
  }
  if (nestedDeeperThan(value, MAX_JSON_BODY_DEPTH)) throw invalid(what, 'the response is nested too deeply');
  return value as JsonBodyOf<Shape>;
}

/** Whether objects and arrays nest past `limit` levels; walked without recursion, for the same reason. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: { node: unknown; depth: number }[] = [{ node: value, depth: 1 }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { node, depth } = next;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push({ node: child, depth: depth + 1 });
  }
  return false;
}
