import { Logger } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { parseNote, requestTimestamp, sha256, type TimestampPost } from '@app/ledger';
import { type GuardedHttpClient } from '@app/sources';
import { type CheckpointRow } from './log-store';

export type TimestampOutcome = { readonly tsa: string } & (
  | { readonly status: 'timestamped'; readonly genTime: Date }
  | { readonly status: 'already-timestamped' }
  | { readonly status: 'failed'; readonly error: string }
);

const logger = new Logger('Timestamps');

/** The guarded HTTP client as the ledger's TSA transport. */
function postWith(http: Pick<GuardedHttpClient, 'request'>): TimestampPost {
  return async (url, body, contentType) => {
    const res = await http.request(url, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: Buffer.from(body),
    });
    return { status: res.status, contentType: res.headers['content-type'] ?? null, body: res.body };
  };
}

/**
 * RFC 3161 tokens over SHA-256 of the checkpoint text, one per TSA, each verified on receipt (imprint,
 * nonce, timeStamping EKU, ESS binding; the chain too when trusted certificates are given, see readTsaTrustFile)
 * before it is stored.
 * Never throws: a TSA that is down or answers badly is reported and the others still count.
 */
export async function timestampCheckpoint(
  db: EntityManager,
  http: Pick<GuardedHttpClient, 'request'>,
  checkpoint: CheckpointRow,
  tsaUrls: readonly string[],
  trustedCerts: readonly string[] | undefined,
): Promise<TimestampOutcome[]> {
  if (tsaUrls.length === 0) return [];
  const digest = sha256(new TextEncoder().encode(parseNote(checkpoint.note).text));
  const done: { tsa: string }[] = await db.query(
    `SELECT tsa FROM log_timestamps WHERE checkpoint_size = $1`,
    [checkpoint.size],
  );
  return Promise.all(
    tsaUrls.map(async (tsa): Promise<TimestampOutcome> => {
      if (done.some((d) => d.tsa === tsa)) return { tsa, status: 'already-timestamped' };
      try {
        const { token, info } = await requestTimestamp(tsa, digest, postWith(http), { trustedCerts });
        await db.query(
          `INSERT INTO log_timestamps (checkpoint_size, tsa, token, gen_time) VALUES ($1, $2, $3, $4)
           ON CONFLICT (checkpoint_size, tsa) DO NOTHING`,
          [checkpoint.size, tsa, Buffer.from(token), info.genTime],
        );
        return { tsa, status: 'timestamped', genTime: info.genTime };
      } catch (error) {
        const message = (error as Error).message;
        logger.warn(`timestamp of checkpoint ${checkpoint.size} from ${tsa} failed: ${message}`);
        return { tsa, status: 'failed', error: message };
      }
    }),
  );
}
