import { jsonDepthExceeds } from '@app/core';

/** Deeper than any request the API accepts; far below what recursive validation of the parsed body survives. */
export const MAX_JSON_DEPTH = 64;

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
