import { hostname } from 'node:os';
import { VERBATIM_VERSION } from '@app/core';
import { envRules, type Env } from './env.schema';
import { commaSeparated } from './url-check';

/** The settings, grouped by what uses them. Built once at boot from the environment. */
export interface VerbatimConfig {
  databaseUrl: string;
  redisUrl: string;
  http: { host: string; port: number };
  logLevel: Env['LOG_LEVEL'];
  queuePrefix: string;
  auth: { adminToken: string | null; publicRead: boolean };
  polling: {
    defaultIntervalSeconds: number;
    minIntervalSeconds: number;
    schedulerTickMs: number;
    workerConcurrency: number;
    backfillLimit: number;
    /** most new releases one poll of a tracked web list page captures; the rest wait for the next poll */
    webReleasesPerPoll: number;
    retryBaseSeconds: number;
    retryMaxSeconds: number;
    /** the most poll jobs Redis holds at once (waiting and delayed); the schedule itself stays in PostgreSQL */
    queueLimit: number;
    /** polls started per second per host at most; 0: no budget (a host's 429 still pauses it) */
    hostPollsPerSecond: number;
  };
  recheck: {
    /** a statement is re-read once the time since its last check is this fraction of its age */
    fraction: number;
    minSeconds: number;
    maxSeconds: number;
    horizonDays: number;
    /** most posts one recheck job asks a source about */
    batchSize: number;
    /** a deletion is confirmed by a second definitive answer at least this long after the first */
    deletionConfirmSeconds: number;
  };
  /** platform health checks: a known public account per platform, read on a schedule */
  canaries: {
    urls: string[];
    intervalSeconds: number;
    /** the first re-check after a failed one; doubles per failure up to the interval */
    retryBaseSeconds: number;
  };
  fetch: {
    connectTimeoutMs: number;
    totalTimeoutMs: number;
    maxBytes: number;
    /** the bytes of buffered response bodies a process receives at once, over all its requests */
    maxBytesInFlight: number;
    maxRedirects: number;
    allowPrivateNetworks: boolean;
    userAgent: string;
    /** the longest wait a source may impose; the same bound as the retry backoff */
    maxRetryAfterSeconds: number;
    /** a body still being parsed after this is refused (the parse runs on a worker thread) */
    parseTimeoutMs: number;
  };
  /** where each platform is read; tests and self-hosters point them anywhere */
  platforms: {
    /** the Telegram web preview's origin (https://t.me) */
    telegramBaseUrl: string;
    /** the Bluesky AppView profiles, feeds and posts are read from (https://public.api.bsky.app) */
    blueskyAppViewUrl: string;
    /** the PLC directory did:plc documents are resolved at (https://plc.directory) */
    plcUrl: string;
    /** Jetstream's subscribe endpoint, for posts and deletions as they happen; null: polling only */
    blueskyJetstreamUrl: string | null;
  };
  dataDir: string;
  /** media downloads: the largest file kept, the time one download may take */
  media: { maxBytes: number; timeoutMs: number };
  /** quoted statements: at most this many recorded from one document (the first, in document order) */
  quotes: { maxPerDocument: number };
  log: {
    origin: string;
    keyFile: string | null;
    checkpointIntervalMs: number;
    batchSize: number;
    /** how often the newest checkpoint's missing TSA tokens and cosignatures are asked for again */
    anchorRetryMs: number;
    tsaUrls: string[];
    tsaTrustFile: string | null;
    /** witnesses asked to cosign our checkpoints */
    witnesses: { url: string; key: string }[];
    witnessKeyFile: string | null;
    /** verifier keys of the logs this instance cosigns as a witness */
    witnessFor: string[];
  };
  alerts: {
    /** where readers reach this installation: the links in webhook payloads and feeds start here */
    publicUrl: string;
    webhookRetryBaseSeconds: number;
    webhookTimeoutMs: number;
    /** deliveries sent at once per worker process */
    webhookConcurrency: number;
  };
  /** X (Twitter): the v2 API with an app-only token, and the public embed endpoints without one */
  x: {
    apiBaseUrl: string;
    /** secret: never logged or shown */
    bearerToken: string | null;
    syndicationBaseUrl: string;
    oembedBaseUrl: string;
    /** reads (posts and users the API returned) one account may use per calendar month (UTC) */
    monthlyReadBudget: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** VERBATIM_HTTP_BYTES_IN_FLIGHT when unset, unless VERBATIM_HTTP_MAX_BYTES is larger */
const DEFAULT_BYTES_IN_FLIGHT = 256 * 1024 * 1024;

export const USER_AGENT = `Verbatim/${VERBATIM_VERSION} (+https://github.com/verbatim-archive/verbatim)`;

/** Empty or only white space: the variable counts as unset (a `PORT=` line in an env file), never as 0. */
function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

/** Validates the environment; throws ConfigError listing every problem with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): VerbatimConfig {
  const parsed = envRules.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => !isBlank(v))));
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) => `${issue.path.join('.')}: ${issue.message} (got ${show(env, issue.path)})`,
      ),
    );
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    http: { host: e.HOST, port: e.PORT },
    logLevel: e.LOG_LEVEL,
    queuePrefix: e.VERBATIM_QUEUE_PREFIX,
    auth: { adminToken: e.VERBATIM_ADMIN_TOKEN ?? null, publicRead: e.VERBATIM_PUBLIC_READ },
    polling: {
      defaultIntervalSeconds: e.VERBATIM_DEFAULT_POLL_INTERVAL_SECONDS,
      minIntervalSeconds: e.VERBATIM_MIN_POLL_INTERVAL_SECONDS,
      schedulerTickMs: e.VERBATIM_SCHEDULER_TICK_MS,
      workerConcurrency: e.VERBATIM_WORKER_CONCURRENCY,
      backfillLimit: e.VERBATIM_BACKFILL_LIMIT,
      webReleasesPerPoll: e.VERBATIM_WEB_RELEASES_PER_POLL,
      retryBaseSeconds: e.VERBATIM_RETRY_BASE_SECONDS,
      retryMaxSeconds: e.VERBATIM_RETRY_MAX_SECONDS,
      queueLimit: e.VERBATIM_POLL_QUEUE_LIMIT,
      hostPollsPerSecond: e.VERBATIM_HOST_POLLS_PER_SECOND,
    },
    recheck: {
      fraction: e.VERBATIM_RECHECK_FRACTION,
      minSeconds: e.VERBATIM_RECHECK_MIN_SECONDS,
      maxSeconds: e.VERBATIM_RECHECK_MAX_SECONDS,
      horizonDays: e.VERBATIM_RECHECK_HORIZON_DAYS,
      batchSize: e.VERBATIM_RECHECK_BATCH_SIZE,
      deletionConfirmSeconds: e.VERBATIM_DELETION_CONFIRM_SECONDS,
    },
    canaries: {
      urls: commaSeparated(e.VERBATIM_CANARIES),
      intervalSeconds: e.VERBATIM_CANARY_INTERVAL_SECONDS,
      retryBaseSeconds: e.VERBATIM_CANARY_RETRY_BASE_SECONDS,
    },
    fetch: {
      connectTimeoutMs: e.VERBATIM_HTTP_CONNECT_TIMEOUT_MS,
      totalTimeoutMs: e.VERBATIM_HTTP_TIMEOUT_MS,
      maxBytes: e.VERBATIM_HTTP_MAX_BYTES,
      maxBytesInFlight:
        e.VERBATIM_HTTP_BYTES_IN_FLIGHT ?? Math.max(DEFAULT_BYTES_IN_FLIGHT, e.VERBATIM_HTTP_MAX_BYTES),
      maxRedirects: e.VERBATIM_HTTP_MAX_REDIRECTS,
      allowPrivateNetworks: e.VERBATIM_ALLOW_PRIVATE_NETWORKS,
      userAgent: USER_AGENT,
      maxRetryAfterSeconds: e.VERBATIM_RETRY_MAX_SECONDS,
      parseTimeoutMs: e.VERBATIM_PARSE_TIMEOUT_MS,
    },
    platforms: {
      telegramBaseUrl: e.VERBATIM_TELEGRAM_BASE_URL.replace(/\/+$/, ''),
      blueskyAppViewUrl: e.VERBATIM_BLUESKY_APPVIEW_URL.replace(/\/+$/, ''),
      plcUrl: e.VERBATIM_PLC_URL.replace(/\/+$/, ''),
      // set but blank turns the firehose off: the filter above drops blank variables, so read it from env
      blueskyJetstreamUrl:
        env.VERBATIM_BLUESKY_JETSTREAM_URL !== undefined && isBlank(env.VERBATIM_BLUESKY_JETSTREAM_URL)
          ? null
          : e.VERBATIM_BLUESKY_JETSTREAM_URL,
    },
    dataDir: e.VERBATIM_DATA_DIR,
    media: { maxBytes: e.VERBATIM_MEDIA_MAX_BYTES, timeoutMs: e.VERBATIM_MEDIA_TIMEOUT_MS },
    quotes: { maxPerDocument: e.VERBATIM_MAX_QUOTES_PER_DOCUMENT },
    log: {
      origin: e.VERBATIM_LOG_ORIGIN ?? `${hostname()}/verbatim`,
      keyFile: e.VERBATIM_LOG_KEY_FILE ?? null,
      checkpointIntervalMs: e.VERBATIM_CHECKPOINT_INTERVAL_MS,
      batchSize: e.VERBATIM_LOG_BATCH_SIZE,
      anchorRetryMs: e.VERBATIM_ANCHOR_RETRY_SECONDS * 1000,
      tsaUrls: commaSeparated(e.VERBATIM_TSA_URLS),
      tsaTrustFile: e.VERBATIM_TSA_TRUST_FILE ?? null,
      witnesses: e.VERBATIM_WITNESSES,
      witnessKeyFile: e.VERBATIM_WITNESS_KEY_FILE ?? null,
      witnessFor: commaSeparated(e.VERBATIM_WITNESS_FOR),
    },
    alerts: {
      // an IPv6 address goes in brackets in a URL
      publicUrl: (
        e.VERBATIM_PUBLIC_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`
      ).replace(/\/+$/, ''),
      webhookRetryBaseSeconds: e.VERBATIM_WEBHOOK_RETRY_BASE_SECONDS,
      webhookTimeoutMs: e.VERBATIM_WEBHOOK_TIMEOUT_MS,
      webhookConcurrency: e.VERBATIM_WEBHOOK_CONCURRENCY,
    },
    x: {
      apiBaseUrl: e.VERBATIM_X_API_BASE_URL.replace(/\/+$/, ''),
      bearerToken: e.VERBATIM_X_BEARER_TOKEN ?? null,
      syndicationBaseUrl: e.VERBATIM_X_SYNDICATION_BASE_URL.replace(/\/+$/, ''),
      oembedBaseUrl: e.VERBATIM_X_OEMBED_BASE_URL.replace(/\/+$/, ''),
      monthlyReadBudget: e.VERBATIM_X_MONTHLY_READ_BUDGET,
    },
  };
}

function show(env: NodeJS.ProcessEnv, path: PropertyKey[]): string {
  const name = String(path[0]);
  if (/TOKEN|SECRET|PASSWORD/.test(name)) return 'a value that is hidden';
  const value = env[name];
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/**
 * Settings that start but will not do what an operator wants, said at boot. Links in webhooks, feeds and Memento
 * headers start at VERBATIM_PUBLIC_URL; unset, it is this process's own address, which readers cannot open when
 * the process listens on every interface or is a worker (webhooks are written by the workers, not the API).
 */
export function configWarnings(
  config: VerbatimConfig,
  roles: { api: boolean; worker: boolean },
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  if (!isBlank(env.VERBATIM_PUBLIC_URL)) return [];
  const everyInterface = ['0.0.0.0', '::'].includes(config.http.host);
  const workerAlone = roles.worker && !roles.api;
  if (!everyInterface && !workerAlone && config.http.port !== 0) return [];
  return [
    `VERBATIM_PUBLIC_URL is not set, so links in webhooks, feeds and Memento headers start at ` +
      `${config.alerts.publicUrl}, ${workerAlone ? "this worker's own address" : 'an address readers cannot open'}; ` +
      'set it to the address readers use to reach the API (e.g. https://archive.example.org)',
  ];
}
