import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBase64, openNote, parseCheckpoint, parseVerifierKey, toBase64 } from '@app/ledger';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { startTestApp, waitFor, type TestApp } from './support/app';

/**
 * Go's reference implementation of signed notes and tiled logs (golang.org/x/mod/sumdb), as Debian ships
 * it: built in GOPATH mode so no module proxy is ever asked (.ci/run installs golang-go and
 * golang-golang-x-mod-dev).
 */
const GOPATH = '/usr/share/gocode';
const VERIFIER_SOURCE = join(__dirname, '..', 'interop', 'sumdb-verify.go');
const ORIGIN = 'archive.test/verbatim';

/** Why the Go side cannot run here, or null when it can. */
function missingGoToolchain(): string | null {
  const version = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0)
    return '`go` is not on PATH (apt-get install golang-go golang-golang-x-mod-dev)';
  if (!existsSync(join(GOPATH, 'src', 'golang.org', 'x', 'mod', 'sumdb', 'tlog')))
    return `golang.org/x/mod is not in ${GOPATH} (apt-get install golang-golang-x-mod-dev)`;
  return null;
}

interface VerifierInput {
  vkey: string;
  checkpoint: string;
  entries: string[];
  inclusion: { index: number; size: number; hashes: string[] }[];
  consistency: { from: number; to: number; fromNote: string; hashes: string[] }[];
}

interface VerifierResult {
  ok: boolean;
  failed: string[];
  origin?: string;
  size: number;
  root?: string;
  checks: { name: string; ok: boolean; detail?: string }[];
}

interface VerifierRun {
  code: number | null;
  result: VerifierResult | null;
  stderr: string;
}

function goEnv(cacheDir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: cacheDir,
    GOCACHE: join(cacheDir, 'go-build'),
    GO111MODULE: 'off',
    GOPATH,
    GOPROXY: 'off',
    GOFLAGS: '',
  };
}

function runVerifier(binary: string, input: VerifierInput): Promise<VerifierRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => {
      let result: VerifierResult | null = null;
      try {
        result = JSON.parse(stdout) as VerifierResult;
      } catch {
        // left null: the assertions below show stderr
      }
      resolve({ code, result, stderr });
    });
    child.stdin.end(JSON.stringify(input));
  });
}

/** The same base64 value with one bit changed in byte `at` of what it decodes to. */
function flipByte(b64: string, at: number): string {
  const bytes = fromBase64(b64);
  bytes[at % bytes.length] ^= 0x01;
  return toBase64(bytes);
}

/** The note with one bit of the log's Ed25519 signature flipped (past the 4-byte key hash). */
function flipSignature(note: string): string {
  const prefix = `\n— ${ORIGIN} `;
  const start = note.indexOf(prefix);
  if (start < 0) throw new Error(`no signature by ${ORIGIN} in:\n${note}`);
  const from = start + prefix.length;
  const to = note.indexOf('\n', from);
  return note.slice(0, from) + flipByte(note.slice(from, to), 4 + 20) + note.slice(to);
}

const missing = missingGoToolchain();
const inCi = /^(true|1)$/i.test(process.env.CI ?? '');

if (missing && inCi) {
  describe('interoperability with Go golang.org/x/mod/sumdb', () => {
    it('has the Go toolchain and x/mod installed', () => {
      throw new Error(`CI must run the Go interop suite, but ${missing}`);
    });
  });
} else {
  if (missing) {
    console.warn(
      [
        '',
        '!'.repeat(78),
        `!!! SKIPPING test/e2e/go-interop.e2e-spec.ts: ${missing}`,
        "!!! The log's compatibility with Go's sumdb/note and sumdb/tlog is NOT checked.",
        '!'.repeat(78),
        '',
      ].join('\n'),
    );
  }
  (missing ? describe.skip : describe)('interoperability with Go golang.org/x/mod/sumdb', () => {
    let env: TestEnvironment;
    let dataDir: string;
    let goDir: string;
    let verifier: string;
    let mastodon: FakeMastodon;
    let app: TestApp;
    let input: VerifierInput;

    async function signedCheckpointOfAtLeast(
      size: number,
      vkey: string,
    ): Promise<{ note: string; size: number }> {
      return waitFor(`a checkpoint of at least ${size} entries`, async () => {
        const res = await app.http().get('/log/checkpoint');
        if (res.status !== 200) return undefined;
        const checkpoint = parseCheckpoint(openNote(res.text, [parseVerifierKey(vkey)]).text);
        return checkpoint.size >= size ? { note: res.text, size: checkpoint.size } : undefined;
      });
    }

    beforeAll(async () => {
      goDir = mkdtempSync(join(tmpdir(), 'verbatim-go-'));
      verifier = join(goDir, 'sumdb-verify');
      const build = spawnSync('go', ['build', '-o', verifier, VERIFIER_SOURCE], {
        env: goEnv(goDir),
        encoding: 'utf8',
      });
      if (build.status !== 0) throw new Error(`go build failed:\n${build.stderr}${build.error ?? ''}`);

      env = await createTestEnvironment();
      dataDir = mkdtempSync(join(tmpdir(), 'verbatim-go-log-'));
      mastodon = await startFakeMastodon();
      mastodon.addAccount({ username: 'mfa', displayName: 'Ministry' });
      for (const text of ['One.', 'Two, with a map.', 'Three: « quotes » and ünïcode.'])
        mastodon.publish('mfa', { content: `<p>${text}</p>` });
      app = await startTestApp(
        env.config({
          VERBATIM_DATA_DIR: dataDir,
          VERBATIM_LOG_ORIGIN: ORIGIN,
          VERBATIM_CHECKPOINT_INTERVAL_MS: '200',
        }),
      );
      const vkey = (await app.http().get('/log/key').expect(200)).text.trim();
      await app
        .write('post', '/api/v1/accounts')
        .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 1 })
        .expect(201);

      const older = await signedCheckpointOfAtLeast(3, vkey);
      for (const text of ['Four.', 'Five.', 'Six.']) mastodon.publish('mfa', { content: `<p>${text}</p>` });
      const newer = await signedCheckpointOfAtLeast(older.size + 3, vkey);

      const entries = await app.http().get(`/api/v1/log/entries?start=0&end=${newer.size}`).expect(200);
      const inclusion: VerifierInput['inclusion'] = [];
      for (let index = 0; index < newer.size; index++) {
        const proof = await app
          .http()
          .get(`/api/v1/log/proof/inclusion?index=${index}&size=${newer.size}`)
          .expect(200);
        inclusion.push({ index, size: newer.size, hashes: proof.body.hashes });
      }
      const consistency = await app
        .http()
        .get(`/api/v1/log/proof/consistency?from=${older.size}&to=${newer.size}`)
        .expect(200);
      input = {
        vkey,
        checkpoint: newer.note,
        entries: (entries.body.entries as { index: number; entry: string }[]).map((e) => e.entry),
        inclusion,
        consistency: [
          { from: older.size, to: newer.size, fromNote: older.note, hashes: consistency.body.hashes },
        ],
      };
    });

    afterAll(async () => {
      await app?.close();
      await mastodon?.close();
      await env?.destroy();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (goDir) rmSync(goDir, { recursive: true, force: true });
    });

    it('accepts the checkpoint, every entry, every inclusion proof and the consistency proof', async () => {
      expect(input.entries.length).toBeGreaterThanOrEqual(6);
      const run = await runVerifier(verifier, input);
      expect({ code: run.code, failed: run.result?.failed, stderr: run.stderr }).toEqual({
        code: 0,
        failed: [],
        stderr: '',
      });
      expect(run.result).toMatchObject({ ok: true, origin: ORIGIN, size: input.entries.length });
      expect(run.result!.checks.filter((c) => c.ok).map((c) => c.name)).toEqual([
        'verifier-key',
        'checkpoint-signature',
        'checkpoint-format',
        'entries',
        'tree-hash',
        'inclusion',
        'consistency[0]',
      ]);
    });

    it('rejects an inclusion proof with one hash altered', async () => {
      const target = input.inclusion.find((p) => p.hashes.length > 1)!;
      const altered = input.inclusion.map((p) =>
        p === target ? { ...p, hashes: [p.hashes[0], flipByte(p.hashes[1], 7), ...p.hashes.slice(2)] } : p,
      );
      const run = await runVerifier(verifier, { ...input, inclusion: altered });
      expect(run.code).toBe(1);
      expect(run.result?.failed).toEqual([
        expect.stringMatching(new RegExp(`^inclusion\\[${target.index}\\]: tlog.CheckRecord`)),
        `inclusion: no valid proof for entries ${target.index}`,
      ]);
    });

    it('rejects a consistency proof with one hash altered', async () => {
      const [proof] = input.consistency;
      expect(proof.hashes.length).toBeGreaterThan(0);
      const run = await runVerifier(verifier, {
        ...input,
        consistency: [{ ...proof, hashes: [flipByte(proof.hashes[0], 0), ...proof.hashes.slice(1)] }],
      });
      expect(run.code).toBe(1);
      expect(run.result?.failed).toEqual([expect.stringMatching(/^consistency\[0\]: tlog.CheckTree/)]);
    });

    it('rejects a checkpoint whose signature has one byte altered', async () => {
      const run = await runVerifier(verifier, { ...input, checkpoint: flipSignature(input.checkpoint) });
      expect(run.code).toBe(1);
      expect(run.result?.failed).toEqual([
        expect.stringMatching(/^checkpoint-signature: note.Open: invalid signature/),
      ]);
      const older = await runVerifier(verifier, {
        ...input,
        consistency: [{ ...input.consistency[0], fromNote: flipSignature(input.consistency[0].fromNote) }],
      });
      expect(older.result?.failed).toEqual([
        expect.stringMatching(/^consistency\[0\]: older checkpoint: note.Open: invalid signature/),
      ]);
    });

    it('rejects an entry with one byte altered', async () => {
      const entries = [...input.entries];
      entries[1] = flipByte(entries[1], 10);
      const run = await runVerifier(verifier, { ...input, entries });
      expect(run.code).toBe(1);
      expect(run.result?.failed).toEqual([
        expect.stringMatching(/^tree-hash: recomputed root/),
        expect.stringMatching(/^inclusion\[1\]: tlog.CheckRecord/),
        'inclusion: no valid proof for entries 1',
        expect.stringMatching(/^consistency\[0\]: older root/),
      ]);
    });
  });
}
