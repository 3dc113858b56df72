import type Redis from 'ioredis';

/** Deletes every Redis key under a queue prefix (`<prefix>:…`): what a throwaway run leaves behind. */
export async function deleteQueueKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
