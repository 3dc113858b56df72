import { parseJson } from '../json-body';
import { asBuffer } from '../parsing/thread-bytes';
import { JSON_BODY_SHAPES, type JsonBodyOf, type JsonBodyShape } from './json-body-shapes';

/** What a JSON parse thread is asked; plain data, so that it can be sent to a worker thread. */
export interface JsonParseInput<Shape extends JsonBodyShape = JsonBodyShape> {
  bytes: Uint8Array;
  shape: Shape;
  /** names the body in errors: `X timeline of @user` */
  what: string;
}

/** A body read as its shape: JSON, then the shape's checks; SourceInvalidResponse naming the body otherwise. */
export function runJsonParse<Shape extends JsonBodyShape>(input: JsonParseInput<Shape>): JsonBodyOf<Shape> {
  // parseJson refuses data nested past MAX_JSON_BODY_DEPTH, which a thread could not send back
  return JSON_BODY_SHAPES[input.shape](
    parseJson(asBuffer(input.bytes), input.what),
    input.what,
  ) as JsonBodyOf<Shape>;
}
