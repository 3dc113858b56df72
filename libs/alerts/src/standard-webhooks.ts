import { createHmac, randomBytes } from 'node:crypto';

/** The Standard Webhooks secret form: `whsec_` and the base64 of the signing key. */
export const SECRET_PREFIX = 'whsec_';

/** A new signing secret: 32 random bytes, shown once to whoever made the subscription. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The headers of one delivery attempt (Standard Webhooks): id stable across retries, unix-seconds timestamp, v1 signature. */
export function webhookHeaders(
  secret: string,
  message: { id: string; timestamp: Date; body: Buffer },
): Record<string, string> {
  const seconds = Math.floor(message.timestamp.getTime() / 1000);
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(seconds),
    'webhook-signature': `v1,${sign(secret, message.id, seconds, message.body)}`,
    'content-type': 'application/json',
  };
}

/** base64 HMAC-SHA256 over "<id>.<timestamp>.<body>" with the decoded key. */
function sign(secret: string, id: string, seconds: number, body: Buffer): string {
  const key = Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
  return createHmac('sha256', key).update(`${id}.${seconds}.`).update(body).digest('base64');
}
