import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { type EvidenceBundle, fromBase64, parseNote, toBase64 } from '@app/ledger';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { startTestTsa } from '@app/testing/test-tsa';
import { startTestApp, waitFor, type TestApp } from './support/app';

// "Verify in this browser": the statement page's button runs /assets/verify.js (the ledger's verifier,
// bundled for the browser) in a real Chromium, under the page's strict CSP, against a bundle the archive made.

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

interface StepLine {
  step: string | undefined;
  result: string | undefined;
  text: string;
}

/** What a statement page shows, as its verify button names it. */
interface Shown {
  version: number;
  recordSha256: string;
}

/**
 * The statement page's verify markup, as the page renders it, under the page's CSP. The button always fetches
 * version 1's bundle, whatever `shown` says: a page that shows another version is one whose link went astray.
 */
function harnessPage(statementId: string, nonce: string, shown: Shown): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Statement</title>
<script src="/assets/verify.js" defer nonce="${nonce}"></script></head>
<body>
<button type="button" id="verify-button" data-bundle-url="/api/v1/statements/${statementId}/evidence?version=1" data-key-url="/log/key" data-statement-id="${statementId}" data-version="${shown.version}" data-record-sha256="${shown.recordSha256}">Verify in this browser</button>
<ol id="verify-steps" aria-live="polite"></ol>
</body></html>`;
}

function flipBase64Byte(text: string, index: number): string {
  const bytes = fromBase64(text);
  bytes[index] ^= 0x01;
  return toBase64(bytes);
}

/** The log's signature line swapped for a signature by another key, under the log's name and key ID. */
function signedByAnotherKey(bundle: EvidenceBundle): EvidenceBundle {
  const { text } = parseNote(bundle.checkpoint);
  const lines = bundle.checkpoint.slice(text.length + 1).split('\n');
  const [dash, name, b64] = lines[0].split(' ');
  const keyId = fromBase64(b64).subarray(0, 4);
  const forged = sign(null, Buffer.from(text, 'utf8'), generateKeyPairSync('ed25519').privateKey);
  lines[0] = `${dash} ${name} ${toBase64(Buffer.concat([keyId, forged]))}`;
  return { ...bundle, checkpoint: `${text}\n${lines.join('\n')}` };
}

const inCi = /^(true|1)$/i.test(process.env.CI ?? '');
const chromiumMissing = !existsSync(CHROMIUM);
if (chromiumMissing && !inCi) {
  console.warn(
    [
      '',
      '!'.repeat(78),
      `!!! SKIPPING test/e2e/browser-verify.e2e-spec.ts: ${CHROMIUM} is missing (apt-get install -y chromium)`,
      '!!! "Verify in this browser" is NOT checked in a browser.',
      '!'.repeat(78),
      '',
    ].join('\n'),
  );
}

// in CI a missing Chromium fails the suite (beforeAll says so) instead of skipping it
(chromiumMissing && !inCi ? describe.skip : describe)(
  'Verify in this browser (/assets/verify.js in Chromium)',
  () => {
    let env: TestEnvironment;
    let dataDir: string;
    let mastodon: FakeMastodon;
    let tsa: Awaited<ReturnType<typeof startTestTsa>>;
    let app: TestApp;
    let origin: string;
    let profileDir: string;
    let browser: BrowserContext;
    let statementId: string;
    let bundle: EvidenceBundle;

    beforeAll(async () => {
      if (chromiumMissing)
        throw new Error(`CI must run this suite, but ${CHROMIUM} is missing: apt-get install -y chromium`);
      env = await createTestEnvironment();
      dataDir = mkdtempSync(join(tmpdir(), 'verbatim-browser-verify-'));
      tsa = await startTestTsa();
      const trustFile = join(dataDir, 'tsa-ca.pem');
      writeFileSync(trustFile, tsa.caCertPem);
      mastodon = await startFakeMastodon();
      mastodon.addAccount({ username: 'mfa', displayName: 'Ministry of Foreign Affairs' });
      const first = mastodon.publish('mfa', { content: '<p>Sanctions stay in place &amp; widen.</p>' });
      mastodon.publish('mfa', { content: '<p>A second statement, so the proof has a sibling.</p>' });
      app = await startTestApp(
        env.config({
          VERBATIM_DATA_DIR: dataDir,
          VERBATIM_CHECKPOINT_INTERVAL_MS: '200',
          VERBATIM_TSA_URLS: tsa.url,
          VERBATIM_TSA_TRUST_FILE: trustFile,
        }),
      );
      await app.app.listen(0, '127.0.0.1');
      origin = `http://127.0.0.1:${(app.app.getHttpServer().address() as AddressInfo).port}`;
      await app
        .write('post', '/api/v1/accounts')
        .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 1 })
        .expect(201);
      ({ statementId, bundle } = await waitFor(
        'a timestamped bundle with a non-empty proof',
        async () => {
          const [row]: { id: string }[] = await app.db.query(
            `SELECT id FROM statements WHERE external_id = $1`,
            [first.id],
          );
          if (!row) return undefined;
          const res = await app.http().get(`/api/v1/statements/${row.id}/evidence?version=1`);
          if (res.status !== 200) return undefined;
          const parsed = JSON.parse(res.text) as EvidenceBundle;
          const complete = parsed.inclusionProof.length > 0 && parsed.timestamps.length > 0;
          return complete ? { statementId: row.id, bundle: parsed } : undefined;
        },
        30_000,
      ));

      profileDir = mkdtempSync(join(tmpdir(), 'verbatim-chromium-'));
      browser = await chromium.launchPersistentContext(profileDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
      });
    });

    afterAll(async () => {
      await browser?.close();
      await app?.close();
      await mastodon?.close();
      await tsa?.close();
      await env?.destroy();
      for (const dir of [profileDir, dataDir]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /**
     * Opens the harness page (the statement page's markup and CSP, served on the archive's origin), optionally
     * serving `served` in place of the archive's bundle, clicks the button and returns the listed steps.
     */
    async function verifyInPage(
      options: {
        served?: EvidenceBundle | { status: number; body: string };
        withoutWebCrypto?: boolean;
        /** what the page says it shows; the bundle's own version 1 unless told */
        shown?: Shown;
      } = {},
    ): Promise<{ steps: StepLine[]; cspViolations: string[] }> {
      const page: Page = await browser.newPage();
      const cspViolations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      });
      try {
        const nonce = randomBytes(16).toString('base64');
        await page.route(`${origin}/statements/${statementId}`, (route) =>
          route.fulfill({
            status: 200,
            headers: {
              'Content-Type': 'text/html; charset=utf-8',
              'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
            },
            body: harnessPage(
              statementId,
              nonce,
              options.shown ?? { version: 1, recordSha256: bundle.recordSha256! },
            ),
          }),
        );
        const served = options.served;
        if (served !== undefined) {
          await page.route(`${origin}/api/v1/statements/${statementId}/evidence?version=1`, (route) =>
            route.fulfill(
              'format' in served
                ? { status: 200, contentType: 'application/json', body: JSON.stringify(served) }
                : { status: served.status, contentType: 'application/json', body: served.body },
            ),
          );
        }
        if (options.withoutWebCrypto) {
          // a page without WebCrypto, as over plain http from a host other than localhost
          await page.addInitScript(() =>
            Object.defineProperty(globalThis, 'crypto', { get: () => undefined }),
          );
        }
        await page.goto(`${origin}/statements/${statementId}`);
        await page.click('#verify-button');
        // the click marks the list busy at once; done when it no longer is
        await page.waitForSelector('#verify-steps:not([aria-busy]) li');
        const steps = await page.$$eval('#verify-steps li', (items) =>
          items.map((li) => ({
            step: li.getAttribute('data-step') ?? undefined,
            result: li.getAttribute('data-result') ?? undefined,
            text: li.textContent ?? '',
          })),
        );
        return { steps, cspViolations };
      } finally {
        await page.close();
      }
    }

    const results = (steps: StepLine[]) => Object.fromEntries(steps.map((s) => [s.step, s.result]));
    const textOf = (steps: StepLine[], step: string) => steps.find((s) => s.step === step)?.text ?? '';

    it('serves the script as JavaScript, cacheable, never sniffed', async () => {
      const res = await app.http().get('/assets/verify.js').expect(200);
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('public, max-age=300');
      expect(res.text).toMatch(/^"use strict";\(\(\)=>\{/);
      await app.http().get('/assets/verify.js').set('If-None-Match', res.headers.etag).expect(304);
    });

    it('checks the archive bundle step by step, every step passing, under the strict CSP', async () => {
      const { steps, cspViolations } = await verifyInPage();
      expect(cspViolations).toEqual([]);
      expect(results(steps)).toEqual({
        'bundle-format': 'passed',
        'record-hash': 'passed',
        'leaf-contents': 'passed',
        'artifact-bodies': 'passed',
        'checkpoint-signature': 'passed',
        'inclusion-proof': 'passed',
        timestamps: 'not checked',
        cosignatures: 'not present',
        'platform-signature': 'not present',
        shown: 'passed',
        summary: 'passed',
      });
      // the browser recomputed the record hash itself: it is the one this test computes independently
      const recordSha = createHash('sha256').update(canonicalize(bundle.record)!, 'utf8').digest('hex');
      expect(textOf(steps, 'record-hash')).toContain(recordSha);
      expect(textOf(steps, 'checkpoint-signature')).toContain('Ed25519 checked with WebCrypto');
      // the key came from this archive: the list says so, and does not call it pinned
      expect(textOf(steps, 'checkpoint-signature')).toContain(
        'the key this archive publishes at /log/key (not pinned)',
      );
      expect(steps.map((s) => s.text).join('\n')).not.toContain('the pinned key');
      expect(textOf(steps, 'shown')).toContain(`version 1, record ${bundle.recordSha256}`);
      expect(textOf(steps, 'inclusion-proof')).toContain(`entry ${bundle.leafIndex} of the tree of size`);
      expect(textOf(steps, 'timestamps')).toMatch(
        /1 token\(s\) present but not checked: not checked in the browser/,
      );
      expect(textOf(steps, 'summary')).toContain('VERIFIED');
      expect(textOf(steps, 'summary')).toContain("with the log's key obtained elsewhere");
    });

    it('refuses a good bundle of another version than the page shows', async () => {
      const other = createHash('sha256').update('version 2').digest('hex');
      const { steps } = await verifyInPage({ shown: { version: 2, recordSha256: other } });
      expect(results(steps)).toMatchObject({
        'inclusion-proof': 'passed',
        shown: 'failed',
        summary: 'failed',
      });
      expect(textOf(steps, 'shown')).toContain(
        `the bundle is of statement ${statementId}, version 1, record ${bundle.recordSha256}, but this page shows statement ${statementId}, version 2, record ${other}`,
      );
      expect(textOf(steps, 'summary')).toContain('NOT VERIFIED');
    });

    it('verifies the same way with the pure-JS Ed25519 when the page has no WebCrypto', async () => {
      const { steps } = await verifyInPage({ withoutWebCrypto: true });
      expect(results(steps)).toMatchObject({ 'checkpoint-signature': 'passed', summary: 'passed' });
      expect(textOf(steps, 'checkpoint-signature')).toContain('Ed25519 checked with @noble/curves');
      // and the fallback still refuses a forged signature
      const forged = await verifyInPage({ served: signedByAnotherKey(bundle), withoutWebCrypto: true });
      expect(results(forged.steps)).toMatchObject({ 'checkpoint-signature': 'failed', summary: 'failed' });
    });

    it.each([
      [
        'one flipped byte in the record',
        (b: EvidenceBundle): EvidenceBundle => {
          const text = b.record!.text as string;
          const flipped = String.fromCharCode(text.charCodeAt(3) ^ 0x01);
          return { ...b, record: { ...b.record!, text: text.slice(0, 3) + flipped + text.slice(4) } };
        },
        'record-hash',
        /SHA-256 of the RFC 8785 bytes of the record is [0-9a-f]{64}, but recordSha256 is/,
      ],
      [
        'a wrong hash in the inclusion proof',
        (b: EvidenceBundle): EvidenceBundle => ({
          ...b,
          inclusionProof: [flipBase64Byte(b.inclusionProof[0], 0), ...b.inclusionProof.slice(1)],
        }),
        'inclusion-proof',
        /root/i,
      ],
      [
        'a checkpoint signature by another key',
        signedByAnotherKey,
        'checkpoint-signature',
        /the checkpoint signature by .+\+[0-9a-f]{8} does not verify/,
      ],
    ])('names the failing step for %s', async (_, tamper, failing, reason) => {
      const { steps, cspViolations } = await verifyInPage({ served: tamper(bundle) });
      expect(cspViolations).toEqual([]);
      const byStep = results(steps);
      expect(byStep[failing]).toBe('failed');
      expect(textOf(steps, failing)).toMatch(reason);
      expect(byStep.summary).toBe('failed');
      expect(textOf(steps, 'summary')).toContain('NOT VERIFIED');
      // the steps before the failure passed, the ones after it did not run
      const order = steps.map((s) => s.step);
      const at = order.indexOf(failing);
      const checks = steps.slice(0, order.indexOf('summary'));
      // (a bundle without a platform signature has that step 'not present', whatever else happens)
      expect(checks.slice(0, at).every((s) => s.result === 'passed' || s.result === 'not present')).toBe(
        true,
      );
      expect(checks.slice(at + 1).every((s) => s.result === 'not run')).toBe(true);
    });

    it('says why when there is nothing to verify yet, or the bundle is not one', async () => {
      const pending = await verifyInPage({
        served: {
          status: 202,
          body: JSON.stringify({
            statusCode: 202,
            message: 'captured; waiting for the next signed checkpoint',
          }),
        },
      });
      expect(pending.steps).toEqual([
        {
          step: 'fetch',
          result: 'not yet signed',
          text: 'Evidence bundle: not yet signed (this version is captured but not yet in a signed checkpoint of the log, so there is nothing to verify yet; try again in a few seconds)',
        },
      ]);
      const garbled = await verifyInPage({
        served: { status: 200, body: '{"format": "verbatim-evidence/v1",' },
      });
      expect(results(garbled.steps)).toMatchObject({ 'bundle-format': 'failed', 'record-hash': 'not run' });
      // the bundle's own text is shown as text: markup in it never becomes elements
      const marked = await verifyInPage({
        served: { ...bundle, origin: '<img src=x id=injected>' } as EvidenceBundle,
      });
      expect(textOf(marked.steps, 'checkpoint-signature')).toContain(
        "the bundle's is <img src=x id=injected>",
      );
    });
  },
);
