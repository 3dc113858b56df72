import { z } from 'zod';
import { commaSeparated, isUrlOf } from './url-check';
import { witnessList } from './witness-list';

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);

/** A whole number whose default depends on other settings (worked out in config.ts). */
const optionalInt = (min: number) =>
  z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .optional();

const url = (protocols: string[], fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine(
      (v) => isUrlOf(v, protocols),
      `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    );

/** Comma-separated http(s) URLs; `message` says what they are for, with an example. */
const httpUrlList = (message: string) =>
  z
    .string()
    .default('')
    .refine((v) => commaSeparated(v).every((item) => isUrlOf(item, ['http:', 'https:'])), message);

/**
 * Every setting Verbatim reads, with its default. README.md's configuration table documents the same list;
 * nothing outside libs/config reads process.env.
 */
/** Defaults of the retry bases, which a shorter limit set alone must not make an error. */
const RETRY_BASE_DEFAULT = 30;
const CANARY_RETRY_BASE_DEFAULT = 60;

export const envSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://postgres@127.0.0.1:5432/verbatim'),
  REDIS_URL: url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
  PORT: int(3000, 0, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  VERBATIM_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, dot, dash and underscore')
    .default('verbatim'),
  VERBATIM_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  VERBATIM_PUBLIC_READ: bool(true),
  VERBATIM_ALLOW_PRIVATE_NETWORKS: bool(false),
  VERBATIM_DEFAULT_POLL_INTERVAL_SECONDS: int(300, 1),
  VERBATIM_MIN_POLL_INTERVAL_SECONDS: int(30, 1),
  VERBATIM_SCHEDULER_TICK_MS: int(1000, 50),
  VERBATIM_WORKER_CONCURRENCY: int(512, 1, 1024),
  VERBATIM_POLL_QUEUE_LIMIT: int(10_000, 100, 1_000_000),
  VERBATIM_HOST_POLLS_PER_SECOND: int(0, 0),
  VERBATIM_BACKFILL_LIMIT: int(200, 0, 10000),
  VERBATIM_WEB_RELEASES_PER_POLL: int(20, 1, 500),
  VERBATIM_RETRY_BASE_SECONDS: int(RETRY_BASE_DEFAULT, 1),
  VERBATIM_RETRY_MAX_SECONDS: int(3600, 1),
  VERBATIM_RECHECK_FRACTION: z.coerce
    .number({ message: 'must be a number' })
    .gt(0, 'must be more than 0')
    .lt(1, 'must be less than 1')
    .default(0.2),
  VERBATIM_RECHECK_MIN_SECONDS: int(60, 1),
  VERBATIM_RECHECK_MAX_SECONDS: int(7 * 86_400, 1),
  VERBATIM_RECHECK_HORIZON_DAYS: int(90, 1, 365),
  VERBATIM_RECHECK_BATCH_SIZE: int(100, 1, 1000),
  VERBATIM_DELETION_CONFIRM_SECONDS: int(600, 0),
  /** comma-separated public account URLs, one per platform, read on a schedule to tell when a connector broke */
  VERBATIM_CANARIES: httpUrlList(
    'must be a comma-separated list of http(s) URLs of accounts to check, e.g. https://t.me/telegram',
  ),
  VERBATIM_CANARY_INTERVAL_SECONDS: int(900, 5),
  VERBATIM_CANARY_RETRY_BASE_SECONDS: int(CANARY_RETRY_BASE_DEFAULT, 1),
  VERBATIM_HTTP_CONNECT_TIMEOUT_MS: int(5000, 100),
  VERBATIM_HTTP_TIMEOUT_MS: int(20000, 100),
  VERBATIM_HTTP_MAX_BYTES: int(10 * 1024 * 1024, 1024),
  // unset: 256 MiB, or VERBATIM_HTTP_MAX_BYTES when that is larger (see config.ts)
  VERBATIM_HTTP_BYTES_IN_FLIGHT: optionalInt(1024),
  VERBATIM_HTTP_MAX_REDIRECTS: int(5, 0, 20),
  VERBATIM_PARSE_TIMEOUT_MS: int(5000, 50, 600_000),
  VERBATIM_TELEGRAM_BASE_URL: url(['https:', 'http:'], 'https://t.me'),
  VERBATIM_BLUESKY_APPVIEW_URL: url(['https:', 'http:'], 'https://public.api.bsky.app'),
  VERBATIM_PLC_URL: url(['https:', 'http:'], 'https://plc.directory'),
  // Bluesky's Jetstream firehose: posts and deletions of tracked accounts as they happen; empty turns it off
  VERBATIM_BLUESKY_JETSTREAM_URL: z
    .string()
    .default('wss://jetstream2.us-east.bsky.network/subscribe')
    .refine(
      (v) => v === '' || isUrlOf(v, ['wss:', 'ws:']),
      'must be a URL starting with wss:// or ws://, or empty to turn the Bluesky push path off',
    ),
  VERBATIM_DATA_DIR: z.string().min(1).default('./data'),
  // media files (photos, videos) downloaded into VERBATIM_DATA_DIR/blobs; artifact sizes are 32-bit integers
  VERBATIM_MEDIA_MAX_BYTES: int(200 * 1024 * 1024, 1024, 2 ** 31 - 1),
  VERBATIM_MEDIA_TIMEOUT_MS: int(10 * 60 * 1000, 1000),
  // quoted statements one article (an extraction, a captured page) may record; the rest are counted, not kept
  VERBATIM_MAX_QUOTES_PER_DOCUMENT: int(100, 1, 10_000),
  VERBATIM_LOG_ORIGIN: z
    .string()
    .regex(/^[^\s+]+$/, 'must be a name without spaces or "+", like archive.example.org/verbatim')
    .optional(),
  VERBATIM_LOG_KEY_FILE: z.string().min(1).optional(),
  // 750 ms: an entry waits at most one interval plus the integration, so p99 capture → signed checkpoint stays
  // under a second (bench:log); longer intervals mean fewer checkpoints, timestamps and cosignatures when busy
  VERBATIM_CHECKPOINT_INTERVAL_MS: int(750, 10),
  VERBATIM_LOG_BATCH_SIZE: int(10000, 1, 100000),
  VERBATIM_ANCHOR_RETRY_SECONDS: int(60, 1, 86400),
  VERBATIM_TSA_URLS: httpUrlList(
    'must be a comma-separated list of http(s) URLs of RFC 3161 time-stamping authorities, ' +
      'e.g. https://freetsa.org/tsr',
  ),
  // the file is read at start by the workers, which use it (see readTsaTrustFile in @app/log)
  VERBATIM_TSA_TRUST_FILE: z.string().min(1).optional(),
  VERBATIM_WITNESSES: witnessList,
  VERBATIM_WITNESS_KEY_FILE: z.string().min(1).optional(),
  VERBATIM_WITNESS_FOR: z.string().optional(),
  VERBATIM_PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL such as https://archive.example.org')
    .optional(),
  VERBATIM_WEBHOOK_RETRY_BASE_SECONDS: int(5, 1, 3600),
  VERBATIM_WEBHOOK_TIMEOUT_MS: int(10000, 100, 120000),
  VERBATIM_WEBHOOK_CONCURRENCY: int(16, 1, 256),
  VERBATIM_X_API_BASE_URL: url(['https:', 'http:'], 'https://api.x.com'),
  VERBATIM_X_BEARER_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]+$/, 'must be a token without spaces or control characters')
    .optional(),
  VERBATIM_X_SYNDICATION_BASE_URL: url(['https:', 'http:'], 'https://cdn.syndication.twimg.com'),
  VERBATIM_X_OEMBED_BASE_URL: url(['https:', 'http:'], 'https://publish.x.com'),
  VERBATIM_X_MONTHLY_READ_BUDGET: int(10000, 0),
});

type ParsedEnv = z.infer<typeof envSchema>;
type NumericSetting = {
  [K in keyof ParsedEnv]-?: ParsedEnv[K] extends number | undefined ? K : never;
}[keyof ParsedEnv];

/**
 * Settings that must agree with each other: `low` at most `high`. The refusal names `reported`, the variable a
 * person would change; one left at `unlessAt` (its default, cut to the limit where it is used) is not refused, so
 * a limit set below it alone is valid. An unset optional setting is not compared.
 */
const ORDERED_SETTINGS: {
  low: NumericSetting;
  high: NumericSetting;
  reported: 'low' | 'high';
  unlessAt?: number;
}[] = [
  { low: 'VERBATIM_RECHECK_MIN_SECONDS', high: 'VERBATIM_RECHECK_MAX_SECONDS', reported: 'high' },
  // else every account tracked without an interval would be refused for a field its client never sent
  {
    low: 'VERBATIM_MIN_POLL_INTERVAL_SECONDS',
    high: 'VERBATIM_DEFAULT_POLL_INTERVAL_SECONDS',
    reported: 'high',
  },
  // else the base is never waited: every retry, the first too, is cut to the longest wait
  {
    low: 'VERBATIM_RETRY_BASE_SECONDS',
    high: 'VERBATIM_RETRY_MAX_SECONDS',
    reported: 'low',
    unlessAt: RETRY_BASE_DEFAULT,
  },
  // the re-checks of a failing canary double up to the interval: a base above it is never waited
  {
    low: 'VERBATIM_CANARY_RETRY_BASE_SECONDS',
    high: 'VERBATIM_CANARY_INTERVAL_SECONDS',
    reported: 'low',
    unlessAt: CANARY_RETRY_BASE_DEFAULT,
  },
  // else a body of the allowed size could never be read
  { low: 'VERBATIM_HTTP_MAX_BYTES', high: 'VERBATIM_HTTP_BYTES_IN_FLIGHT', reported: 'high' },
];

/** Settings that must agree with each other, reported under the variable a person would change. */
export const envRules = envSchema.superRefine((env, ctx) => {
  for (const { low, high, reported, unlessAt } of ORDERED_SETTINGS) {
    const [lowValue, highValue] = [env[low], env[high]];
    if (lowValue === undefined || highValue === undefined || lowValue <= highValue) continue;
    const [name, other, value] = reported === 'low' ? [low, high, lowValue] : [high, low, highValue];
    if (value === unlessAt) continue;
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: [name],
      message: `must be at ${reported === 'low' ? 'most' : 'least'} ${other} (${env[other]})`,
    });
  }
});

export type Env = z.infer<typeof envSchema>;
