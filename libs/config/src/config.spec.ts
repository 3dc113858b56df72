import { generateKeyPairSync } from 'node:crypto';
import {
  ed25519PublicKeyOf,
  formatVerifierKey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
} from '@app/ledger';
import { ConfigError, configWarnings, loadConfig } from './config';

/** A fresh verifier key of `type` named `name`, as a witness or a log publishes it. */
function verifierKey(name: string, type: number): string {
  const publicKey = ed25519PublicKeyOf(generateKeyPairSync('ed25519').privateKey);
  return formatVerifierKey({ name, type, publicKey });
}

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has a working default for every setting', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/verbatim');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.http).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(config.fetch).toMatchObject({
      maxBytes: 10 * 1024 * 1024,
      maxRedirects: 5,
      allowPrivateNetworks: false,
    });
    expect(config.fetch.userAgent).toMatch(/^Verbatim\/\d+\.\d+\.\d+ /);
    expect(config.auth).toEqual({ adminToken: null, publicRead: true });
  });

  it('names every bad variable with what is wrong, and never echoes a secret', () => {
    const found = problems({
      PORT: 'abc',
      REDIS_URL: 'localhost:6379',
      VERBATIM_ALLOW_PRIVATE_NETWORKS: 'maybe',
      VERBATIM_ADMIN_TOKEN: 'short-secret',
    });
    expect(found).toHaveLength(4);
    expect(found.find((p) => p.startsWith('PORT:'))).toContain('whole number');
    expect(found.find((p) => p.startsWith('REDIS_URL:'))).toContain('redis://');
    expect(found.find((p) => p.startsWith('VERBATIM_ALLOW_PRIVATE_NETWORKS:'))).toContain('true or false');
    const token = found.find((p) => p.startsWith('VERBATIM_ADMIN_TOKEN:'))!;
    expect(token).toContain('at least 16');
    expect(token).not.toContain('short-secret');
  });

  it('reads booleans and numbers from their text', () => {
    const config = loadConfig({
      VERBATIM_PUBLIC_READ: 'false',
      VERBATIM_ALLOW_PRIVATE_NETWORKS: '1',
      PORT: '8080',
    });
    expect(config.auth.publicRead).toBe(false);
    expect(config.fetch.allowPrivateNetworks).toBe(true);
    expect(config.http.port).toBe(8080);
  });

  it('bounds the bodies received at once at 256 MiB, or at the largest body allowed when that is larger', () => {
    expect(loadConfig({}).fetch.maxBytesInFlight).toBe(256 * 1024 * 1024);
    expect(loadConfig({ VERBATIM_HTTP_MAX_BYTES: String(512 * 1024 * 1024) }).fetch.maxBytesInFlight).toBe(
      512 * 1024 * 1024,
    );
    expect(
      loadConfig({ VERBATIM_HTTP_BYTES_IN_FLIGHT: '65536', VERBATIM_HTTP_MAX_BYTES: '4096' }).fetch,
    ).toMatchObject({ maxBytesInFlight: 65536, maxBytes: 4096 });
  });

  it("reads Bluesky's firehose by default, and not at all when the variable is set but empty", () => {
    expect(loadConfig({}).platforms.blueskyJetstreamUrl).toBe(
      'wss://jetstream2.us-east.bsky.network/subscribe',
    );
    expect(loadConfig({ VERBATIM_BLUESKY_JETSTREAM_URL: '' }).platforms.blueskyJetstreamUrl).toBeNull();
    expect(
      loadConfig({ VERBATIM_BLUESKY_JETSTREAM_URL: 'ws://127.0.0.1:6008/subscribe' }).platforms
        .blueskyJetstreamUrl,
    ).toBe('ws://127.0.0.1:6008/subscribe');
  });

  it('refuses a default poll interval below the minimum, naming the default', () => {
    expect(
      problems({ VERBATIM_DEFAULT_POLL_INTERVAL_SECONDS: '20', VERBATIM_MIN_POLL_INTERVAL_SECONDS: '30' }),
    ).toEqual([
      'VERBATIM_DEFAULT_POLL_INTERVAL_SECONDS: must be at least VERBATIM_MIN_POLL_INTERVAL_SECONDS (30) (got "20")',
    ]);
    expect(loadConfig({ VERBATIM_DEFAULT_POLL_INTERVAL_SECONDS: '30' }).polling.defaultIntervalSeconds).toBe(
      30,
    );
  });

  it('warns at boot when links would start at an address readers cannot open', () => {
    const both = { api: true, worker: true };
    const warn = (env: Record<string, string>, roles = both) => configWarnings(loadConfig(env), roles, env);
    expect(warn({})).toEqual([]);
    expect(warn({ HOST: '0.0.0.0' })[0]).toMatch(
      /^VERBATIM_PUBLIC_URL is not set, so links in webhooks, feeds and Memento headers start at http:\/\/0\.0\.0\.0:3000, an address readers cannot open; set it to/,
    );
    expect(warn({ PORT: '3001' }, { api: false, worker: true })[0]).toContain(
      "start at http://127.0.0.1:3001, this worker's own address",
    );
    expect(warn({ PORT: '3001' }, { api: true, worker: false })).toEqual([]);
    expect(warn({ HOST: '::' })[0]).toContain('start at http://[::]:3000, an address');
    expect(loadConfig({ HOST: '::1' }).alerts.publicUrl).toBe('http://[::1]:3000');
    expect(warn({ HOST: '0.0.0.0', VERBATIM_PUBLIC_URL: 'https://archive.example.org' })).toEqual([]);
  });

  it('has the recheck defaults of the docs', () => {
    expect(loadConfig({}).recheck).toEqual({
      fraction: 0.2,
      minSeconds: 60,
      maxSeconds: 7 * 86_400,
      horizonDays: 90,
      batchSize: 100,
      deletionConfirmSeconds: 600,
    });
  });

  it('names the recheck variable that is wrong', () => {
    expect(problems({ VERBATIM_RECHECK_FRACTION: '1.5' })).toEqual([
      'VERBATIM_RECHECK_FRACTION: must be less than 1 (got "1.5")',
    ]);
    expect(problems({ VERBATIM_RECHECK_FRACTION: 'often' })[0]).toMatch(
      /^VERBATIM_RECHECK_FRACTION: must be a number/,
    );
    expect(problems({ VERBATIM_DELETION_CONFIRM_SECONDS: '-1' })[0]).toMatch(
      /^VERBATIM_DELETION_CONFIRM_SECONDS: must be at least 0/,
    );
    expect(problems({ VERBATIM_RECHECK_MIN_SECONDS: '600', VERBATIM_RECHECK_MAX_SECONDS: '60' })).toEqual([
      'VERBATIM_RECHECK_MAX_SECONDS: must be at least VERBATIM_RECHECK_MIN_SECONDS (600) (got "60")',
    ]);
    expect(
      problems({ VERBATIM_HTTP_MAX_BYTES: '2000000', VERBATIM_HTTP_BYTES_IN_FLIGHT: '1000000' }),
    ).toEqual([
      'VERBATIM_HTTP_BYTES_IN_FLIGHT: must be at least VERBATIM_HTTP_MAX_BYTES (2000000) (got "1000000")',
    ]);
  });

  it('counts a blank variable as unset, as an empty one, never as the number 0', () => {
    expect(loadConfig({ PORT: ' ' }).http.port).toBe(3000);
    expect(loadConfig({ VERBATIM_HTTP_BYTES_IN_FLIGHT: '\t' }).fetch.maxBytesInFlight).toBe(
      256 * 1024 * 1024,
    );
    expect(loadConfig({ VERBATIM_DELETION_CONFIRM_SECONDS: '  ' }).recheck.deletionConfirmSeconds).toBe(600);
    // blank is empty here too: the firehose is off
    expect(loadConfig({ VERBATIM_BLUESKY_JETSTREAM_URL: ' ' }).platforms.blueskyJetstreamUrl).toBeNull();
    const env = { HOST: '0.0.0.0', VERBATIM_PUBLIC_URL: ' ' };
    expect(configWarnings(loadConfig(env), { api: true, worker: true }, env)[0]).toMatch(
      /^VERBATIM_PUBLIC_URL is not set/,
    );
  });

  it('refuses a TSA that is not an http(s) URL, saying what one looks like', () => {
    expect(problems({ VERBATIM_TSA_URLS: 'notaurl' })).toEqual([
      'VERBATIM_TSA_URLS: must be a comma-separated list of http(s) URLs of RFC 3161 time-stamping authorities, ' +
        'e.g. https://freetsa.org/tsr (got "notaurl")',
    ]);
    expect(problems({ VERBATIM_TSA_URLS: 'https://freetsa.org/tsr, ftp://tsa.example' })).toHaveLength(1);
    expect(
      loadConfig({ VERBATIM_TSA_URLS: ' https://freetsa.org/tsr, http://timestamp.digicert.com,' }).log
        .tsaUrls,
    ).toEqual(['https://freetsa.org/tsr', 'http://timestamp.digicert.com']);
  });

  it('refuses a witness without a URL and a cosignature key, naming the entry and the format', () => {
    const witness = verifierKey('witness.example.org', SIGNATURE_TYPE_COSIGNATURE_V1);
    const format =
      'each entry must be "URL VERIFIER_KEY", entries separated by commas, e.g. ' +
      '"https://witness.example.org/add-checkpoint witness.example.org+1a2b3c4d+BASE64KEY"';

    expect(problems({ VERBATIM_WITNESSES: 'https://w garbagekey' })).toEqual([
      'VERBATIM_WITNESSES: "garbagekey" is not a verifier key (verifier key must be <name>+<key id>+<key>); ' +
        `${format} (got "https://w garbagekey")`,
    ]);
    expect(problems({ VERBATIM_WITNESSES: `https://w` })).toEqual([
      `VERBATIM_WITNESSES: "https://w" is not "URL VERIFIER_KEY"; ${format} (got "https://w")`,
    ]);
    expect(problems({ VERBATIM_WITNESSES: `witness.example.org ${witness}` })[0]).toMatch(
      /^VERBATIM_WITNESSES: "witness\.example\.org .*" is not "URL VERIFIER_KEY"/,
    );
    // a log's key (type 0x01) checks checkpoints, not a witness's cosignatures
    const logKey = verifierKey('log.example.org', SIGNATURE_TYPE_ED25519);
    expect(problems({ VERBATIM_WITNESSES: `https://w ${logKey}` })[0]).toBe(
      `VERBATIM_WITNESSES: "${logKey}" is not a witness's cosignature/v1 key (type 0x04); ${format} ` +
        `(got "https://w ${logKey}")`,
    );

    expect(
      loadConfig({ VERBATIM_WITNESSES: ` https://witness.example.org/add-checkpoint  ${witness} ,` }).log
        .witnesses,
    ).toEqual([{ url: 'https://witness.example.org/add-checkpoint', key: witness }]);
  });

  it('refuses a first retry longer than the longest, naming the first', () => {
    expect(problems({ VERBATIM_RETRY_BASE_SECONDS: '7200' })).toEqual([
      'VERBATIM_RETRY_BASE_SECONDS: must be at most VERBATIM_RETRY_MAX_SECONDS (3600) (got "7200")',
    ]);
    expect(problems({ VERBATIM_RETRY_BASE_SECONDS: '60', VERBATIM_RETRY_MAX_SECONDS: '30' })).toEqual([
      'VERBATIM_RETRY_BASE_SECONDS: must be at most VERBATIM_RETRY_MAX_SECONDS (30) (got "60")',
    ]);
    expect(loadConfig({ VERBATIM_RETRY_BASE_SECONDS: '3600' }).polling.retryBaseSeconds).toBe(3600);
    expect(problems({ VERBATIM_CANARY_RETRY_BASE_SECONDS: '1000' })).toEqual([
      'VERBATIM_CANARY_RETRY_BASE_SECONDS: must be at most VERBATIM_CANARY_INTERVAL_SECONDS (900) (got "1000")',
    ]);
    expect(loadConfig({ VERBATIM_CANARY_RETRY_BASE_SECONDS: '900' }).canaries.retryBaseSeconds).toBe(900);
    // a limit set below a base left at its default is valid: the base is cut to it where used
    expect(loadConfig({ VERBATIM_CANARY_INTERVAL_SECONDS: '30' }).canaries.intervalSeconds).toBe(30);
    expect(loadConfig({ VERBATIM_RETRY_MAX_SECONDS: '20' }).polling.retryMaxSeconds).toBe(20);
  });
});
