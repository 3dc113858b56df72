import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { WARCParser } from 'warcio';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { getBytes, startTestApp, waitFor, type TestApp } from './support/app';

const PUBLIC_URL = 'https://archive.test';

interface VersionView {
  number: number;
  capturedAt: string;
  recordSha256: string;
  evidenceLevel: string;
}
interface StatementView {
  id: string;
  url: string;
  account: { id: string; url: string };
  versions: VersionView[];
}

interface ParsedLink {
  uri: string;
  params: Record<string, string>;
}

/** An RFC 6690 link-format document (or Link header) read back into links, independently of our renderer. */
function parseLinkFormat(text: string): ParsedLink[] {
  const links: ParsedLink[] = [];
  const link = /<([^>]*)>((?:\s*;\s*[a-z]+="(?:[^"\\]|\\.)*")*)\s*(,|$)/gy;
  const trimmed = text.trim();
  let match: RegExpExecArray | null;
  while (link.lastIndex < trimmed.length && (match = link.exec(trimmed))) {
    const params: Record<string, string> = {};
    for (const [, name, value] of match[2].matchAll(/;\s*([a-z]+)="((?:[^"\\]|\\.)*)"/g))
      params[name] = value;
    links.push({ uri: match[1], params });
    while (/\s/.test(trimmed[link.lastIndex] ?? '')) link.lastIndex++;
  }
  if (link.lastIndex !== trimmed.length) throw new Error(`not link-format at ${link.lastIndex}: ${trimmed}`);
  return links;
}

interface ReadRecord {
  type: string;
  headers: Map<string, string>;
  /** every `WARC-Concurrent-To` field, in order (the one field a record may repeat) */
  concurrentTo: string[];
  block: Buffer;
}

/** Every record of a WARC, through warcio's own parser, with the block as raw bytes (no HTTP parsing). */
async function readWarc(bytes: Buffer): Promise<ReadRecord[]> {
  const records: ReadRecord[] = [];
  for await (const record of new WARCParser(Readable.from([bytes]), {
    parseHttp: false,
    keepHeadersCase: true,
  })) {
    const headers = new Map<string, string>();
    for (const [name, value] of record.warcHeaders.headers as Map<string, string>) headers.set(name, value);
    records.push({
      type: record.warcType as string,
      headers,
      concurrentTo: record.warcConcurrentTo ?? [],
      block: Buffer.from(await record.readFully()),
    });
  }
  return records;
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const httpDate = (iso: string) => new Date(iso).toUTCString();
const splitHttp = (block: Buffer) => {
  const end = block.indexOf('\r\n\r\n') + 4;
  return { head: block.subarray(0, end), payload: block.subarray(end) };
};
const fields = (block: Buffer) =>
  block
    .toString('utf8')
    .split('\r\n')
    .filter(Boolean)
    .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)] as const);

/**
 * The archivist formats over real captures of a fake Mastodon: a post captured, then edited twice and
 * captured again each time (three versions), and another post of the same account. Memento's TimeMap and
 * TimeGate answer for the post's URL; the WARC exports read back with warcio's parser, digests recomputed and
 * the response heads compared with what the fake wrote to the socket.
 */
describe('archivist formats: Memento and WARC', () => {
  let env: TestEnvironment;
  let mastodon: FakeMastodon;
  let app: TestApp;
  let accountId: string;
  let postId: string;
  let statement: StatementView;
  let removedPostId: string;

  const view = async (id: string) =>
    (await app.http().get(`/api/v1/statements/${id}`).expect(200)).body as StatementView;

  /** Waits for the clock to move two whole seconds past the last capture (Memento datetimes are to the second). */
  const pastLastCapture = (last: VersionView) =>
    waitFor('the clock to pass the last capture', async () =>
      Date.now() >= Math.floor(Date.parse(last.capturedAt) / 1000) * 1000 + 2000 ? true : undefined,
    );

  const editAndCapture = async (content: string, versions: number) => {
    await pastLastCapture(statement.versions[statement.versions.length - 1]);
    mastodon.edit(postId, content);
    const capture = await app.write('post', '/api/v1/captures').send({ url: statement.url }).expect(202);
    await waitFor('the capture job', async () => {
      const res = await app.http().get(`/api/v1/captures/${capture.body.jobId}`).expect(200);
      return res.body.state === 'completed' ? true : undefined;
    });
    statement = await waitFor(`${versions} versions`, async () => {
      const current = await view(statement.id);
      return current.versions.length === versions ? current : undefined;
    });
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry' });
    postId = mastodon.publish('mfa', { content: '<p>Talks start on Monday.</p>' }).id;
    mastodon.publish('mfa', { content: '<p>A second statement.</p>' });
    removedPostId = mastodon.publish('mfa', { content: '<p>A statement soon removed.</p>' }).id;
    app = await startTestApp(
      env.config({
        VERBATIM_PUBLIC_URL: PUBLIC_URL,
        // rechecks every second, so that a removed post is seen missing during the suite
        VERBATIM_RECHECK_MIN_SECONDS: '1',
        VERBATIM_RECHECK_MAX_SECONDS: '1',
      }),
    );
    accountId = (
      await app
        .write('post', '/api/v1/accounts')
        .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 3600 })
        .expect(201)
    ).body.id;
    const id = await waitFor('the statement', async () => {
      const [row]: { id: string }[] = await app.db.query(`SELECT id FROM statements WHERE external_id = $1`, [
        postId,
      ]);
      return row?.id;
    });
    statement = await view(id);
    await editAndCapture('<p>Talks start on Tuesday.</p>', 2);
    await editAndCapture('<p>Talks are postponed.</p>', 3);
    await waitFor('every version in the log', async () => {
      const [{ n }]: { n: string }[] = await app.db.query(
        `SELECT count(*) AS n FROM log_entries WHERE version_number IS NOT NULL`,
      );
      return Number(n) === 5 ? true : undefined;
    });
  });

  afterAll(async () => {
    await app?.close();
    await mastodon?.close();
    await env?.destroy();
  });

  describe('Memento', () => {
    it('lists every capture of the URL in the TimeMap, oldest first, first and last marked', async () => {
      const res = await app.http().get(`/timemap/link/${statement.url}`).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/link-format/);
      const links = parseLinkFormat(res.text);
      expect(links.find((l) => l.params.rel === 'original')?.uri).toBe(statement.url);
      expect(links.find((l) => l.params.rel === 'timegate')?.uri).toBe(
        `${PUBLIC_URL}/timegate/${statement.url}`,
      );
      const self = links.find((l) => l.params.rel === 'self')!;
      expect(self).toEqual({
        uri: `${PUBLIC_URL}/timemap/link/${statement.url}`,
        params: {
          rel: 'self',
          type: 'application/link-format',
          from: httpDate(statement.versions[0].capturedAt),
          until: httpDate(statement.versions[2].capturedAt),
        },
      });
      const mementos = links.filter((l) => l.params.rel.split(' ').includes('memento'));
      expect(mementos.map((l) => [l.uri, l.params.rel, l.params.datetime])).toEqual([
        [
          `${PUBLIC_URL}/statements/${statement.id}?version=1`,
          'first memento',
          httpDate(statement.versions[0].capturedAt),
        ],
        [
          `${PUBLIC_URL}/statements/${statement.id}?version=2`,
          'memento',
          httpDate(statement.versions[1].capturedAt),
        ],
        [
          `${PUBLIC_URL}/statements/${statement.id}?version=3`,
          'last memento',
          httpDate(statement.versions[2].capturedAt),
        ],
      ]);
    });

    it('redirects the TimeGate to the capture nearest the asked datetime: before, between, after, none', async () => {
      const [v1, v2, v3] = statement.versions;
      const dayMs = 24 * 3600 * 1000;
      const cases: [string | undefined, number][] = [
        [new Date(Date.parse(v1.capturedAt) - dayMs).toUTCString(), 1],
        [httpDate(v1.capturedAt), 1],
        [httpDate(v2.capturedAt), 2],
        [new Date(Date.parse(v3.capturedAt) + dayMs).toUTCString(), 3],
        [undefined, 3],
      ];
      for (const [acceptDatetime, version] of cases) {
        const req = app.http().get(`/timegate/${statement.url}`);
        if (acceptDatetime) req.set('Accept-Datetime', acceptDatetime);
        const res = await req.expect(302);
        expect([acceptDatetime, res.headers.location]).toEqual([
          acceptDatetime,
          `${PUBLIC_URL}/statements/${statement.id}?version=${version}`,
        ]);
        expect(res.headers.vary).toMatch(/accept-datetime/i);
        const links = parseLinkFormat(res.headers.link);
        expect(links.map((l) => [l.params.rel, l.uri])).toEqual([
          ['original', statement.url],
          ['timegate', `${PUBLIC_URL}/timegate/${statement.url}`],
          ['timemap', `${PUBLIC_URL}/timemap/link/${statement.url}`],
        ]);
      }
    });

    it('serves each memento the TimeGate names: that version, with its own Memento-Datetime', async () => {
      const texts = ['Talks start on Monday.', 'Talks start on Tuesday.', 'Talks are postponed.'];
      for (const [i, v] of statement.versions.entries()) {
        const gate = await app
          .http()
          .get(`/timegate/${statement.url}`)
          .set('Accept-Datetime', httpDate(v.capturedAt))
          .expect(302);
        // the Location is absolute under the public URL: ask this server for its path
        const page = await app.http().get(gate.headers.location.slice(PUBLIC_URL.length)).expect(200);
        expect([v.number, page.headers['memento-datetime']]).toEqual([v.number, httpDate(v.capturedAt)]);
        const blockquote = /<blockquote class="text"[^>]*>([^<]*)<\/blockquote>/.exec(page.text)?.[1];
        expect(blockquote).toBe(texts[i]);
        // an older version says so, and links to the latest
        expect(page.text.includes('id="version-shown"')).toBe(v.number !== 3);
      }
      const missing = await app.http().get(`/statements/${statement.id}?version=4`).expect(404);
      expect(missing.text).toContain('has no version 4: it has versions 1 to 3');
      const bad = await app.http().get(`/statements/${statement.id}?version=two`).expect(400);
      expect(bad.text).toContain('version: a version number of this statement');
    });

    it('answers a malformed Accept-Datetime with a 400 that shows the expected form, or names the wrong weekday', async () => {
      const res = await app
        .http()
        .get(`/timegate/${statement.url}`)
        .set('Accept-Datetime', '2026-01-01T00:00:00Z')
        .expect(400);
      expect(JSON.stringify(res.body)).toContain('Thu, 31 May 2007 20:35:00 GMT');
      // the right form with the wrong weekday: 27 Feb 2022 was a Sunday
      const weekday = await app
        .http()
        .get(`/timegate/${statement.url}`)
        .set('Accept-Datetime', 'Thu, 27 Feb 2022 12:00:00 GMT')
        .expect(400);
      expect(JSON.stringify(weekday.body)).toContain(
        'the weekday does not match the date (27 Feb 2022 is a Sunday, not a Thursday); send \\"Sun, 27 Feb 2022 12:00:00 GMT\\"',
      );
    });

    it('answers 404 for a URL it has no capture of, and explains a profile URL', async () => {
      await app.http().get(`/timegate/${mastodon.origin}/@mfa/1`).expect(404);
      await app.http().get(`/timemap/link/${mastodon.origin}/@mfa/1`).expect(404);
      const profile = await app.http().get(`/timegate/${statement.account.url}`).expect(404);
      expect(JSON.stringify(profile.body)).toContain(`/accounts/${accountId}.warc.gz`);
      await app.http().get('/timegate/not-a-url').expect(400);
    });

    it('links the statement API to the original, TimeGate, TimeMap and last memento, promising no Memento-Datetime', async () => {
      // the API follows the latest version, so its state changes with the next capture (RFC 7089 §2.1.1)
      const res = await app.http().get(`/api/v1/statements/${statement.id}`).expect(200);
      expect(res.headers['memento-datetime']).toBeUndefined();
      const links = parseLinkFormat(res.headers.link);
      expect(links.map((l) => [l.params.rel, l.uri])).toEqual([
        ['original', statement.url],
        ['timegate', `${PUBLIC_URL}/timegate/${statement.url}`],
        ['timemap', `${PUBLIC_URL}/timemap/link/${statement.url}`],
        ['last memento', `${PUBLIC_URL}/statements/${statement.id}?version=3`],
      ]);
      expect(links[3].params.datetime).toBe(httpDate(statement.versions[2].capturedAt));
    });
  });

  describe('WARC', () => {
    const download = async (path: string) => {
      const { res, body } = await getBytes(app, path);
      return { res, records: await readWarc(body) };
    };

    it('exports a statement as WARC 1.1 records whose digests match a recomputation', async () => {
      const { res, records } = await download(`/statements/${statement.id}.warc.gz`);
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="verbatim-statement-${statement.id}.warc.gz"`,
      );
      // gzip per record: the body starts as a gzip member and warcio read several records out of it
      expect((res.body as Buffer).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      expect(records[0].type).toBe('warcinfo');
      expect(records.every((r) => r.headers.get('WARC-Type') === r.type)).toBe(true);
      for (const record of records.slice(1)) {
        expect([record.type, record.headers.get('WARC-Block-Digest')]).toEqual([
          record.type,
          sha256(record.block),
        ]);
        if (record.type === 'response') {
          expect(record.headers.get('WARC-Payload-Digest')).toBe(sha256(splitHttp(record.block).payload));
        }
      }
      const metadata = records.filter((r) => r.type === 'metadata').map((r) => new Map(fields(r.block)));
      const logged: { version_number: number; idx: string }[] = await app.db.query(
        `SELECT version_number, idx FROM log_entries WHERE statement_id = $1 ORDER BY version_number`,
        [statement.id],
      );
      expect(
        metadata.map((m) => [
          m.get('version'),
          m.get('record-sha256'),
          m.get('log-leaf-index'),
          m.get('evidence-level'),
          m.get('captured-at'),
        ]),
      ).toEqual(
        statement.versions.map((v) => [
          String(v.number),
          v.recordSha256,
          logged.find((l) => l.version_number === v.number)!.idx,
          v.evidenceLevel,
          v.capturedAt,
        ]),
      );
      // each response record is one the metadata names, with a request record beside it
      const responses = records.filter((r) => r.type === 'response');
      expect(responses).toHaveLength(3);
      const named = records
        .filter((r) => r.type === 'metadata')
        .flatMap((r) =>
          fields(r.block)
            .filter(([name]) => name === 'record')
            .map(([, id]) => id),
        );
      expect(responses.map((r) => r.headers.get('WARC-Record-ID')).sort()).toEqual(
        [...new Set(named)].sort(),
      );
      const requests = records.filter((r) => r.type === 'request');
      expect(requests.map((r) => r.headers.get('WARC-Concurrent-To'))).toEqual(
        responses.map((r) => r.headers.get('WARC-Record-ID')),
      );
      // and each metadata record is concurrent to the records it names that were captured with it (same date)
      const dateOf = new Map(
        records.map((r) => [r.headers.get('WARC-Record-ID'), r.headers.get('WARC-Date')]),
      );
      for (const record of records.filter((r) => r.type === 'metadata')) {
        const ids = fields(record.block)
          .filter(([name]) => name === 'record')
          .map(([, id]) => id);
        const date = record.headers.get('WARC-Date');
        expect(record.concurrentTo).toEqual([...new Set(ids)].filter((id) => dateOf.get(id) === date));
      }
      // every version here kept its own answer
      expect(records.filter((r) => r.type === 'metadata').every((r) => r.concurrentTo.length > 0)).toBe(true);
    });

    it('keeps in each response record the exact head and body the platform wrote, at the URL that answered', async () => {
      const { records } = await download(`/statements/${statement.id}.warc.gz`);
      const responses = records.filter((r) => r.type === 'response');
      for (const record of responses) {
        const { head, payload } = splitHttp(record.block);
        const sent = mastodon.requestLog.filter(
          (r) => r.response?.body.equals(payload) && r.response.status === 200,
        );
        expect(sent.length).toBeGreaterThan(0);
        // the fake records the head Node wrote to the socket: the record's head is one it sent with this body
        expect(sent.map((r) => r.response!.head!.toString('latin1'))).toContain(head.toString('latin1'));
        const match = sent.find((r) => r.response!.head!.equals(head));
        expect(record.headers.get('WARC-Target-URI')).toBe(`${mastodon.origin}${match!.path}`);
        const request = records.find(
          (r) =>
            r.type === 'request' &&
            r.headers.get('WARC-Concurrent-To') === record.headers.get('WARC-Record-ID'),
        )!;
        const target = new URL(record.headers.get('WARC-Target-URI')!);
        expect(request.block.toString('latin1')).toBe(
          `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`,
        );
      }
    });

    it('exports an account as every capture of its statements, a shared response written once', async () => {
      const { res, records } = await download(`/accounts/${accountId}.warc.gz`);
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="verbatim-account-${accountId}.warc.gz"`,
      );
      const metadata = records
        .filter((r) => r.type === 'metadata')
        .map((r) => fields(r.block))
        .filter((m) => new Map(m).has('version'));
      const versions: { statement_id: string; number: number }[] = await app.db.query(
        `SELECT statement_id, number FROM versions ORDER BY statement_id, number`,
      );
      expect(
        metadata
          .map((m) => [new Map(m).get('statement-id'), Number(new Map(m).get('version'))])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1])),
      ).toEqual(versions.map((v) => [v.statement_id, v.number]));
      // the first poll read both posts from one page: one response record serves both statements
      const responses = records.filter((r) => r.type === 'response');
      const digests = responses.map((r) => r.headers.get('WARC-Block-Digest'));
      expect(new Set(digests).size).toBe(digests.length);
      expect(responses.length).toBeLessThan(metadata.length);
      const ids = new Set(responses.map((r) => r.headers.get('WARC-Record-ID')));
      for (const m of metadata) {
        for (const [, id] of m.filter(([name]) => name === 'record')) expect(ids.has(id)).toBe(true);
      }
    });

    it("exports a removed post's not-found answer as a response record with the observation's metadata", async () => {
      const [{ id }]: { id: string }[] = await app.db.query(
        `SELECT id FROM statements WHERE external_id = $1`,
        [removedPostId],
      );
      mastodon.remove(removedPostId);
      const observation = await waitFor('the post seen missing, and logged', async () => {
        const current = (await app.http().get(`/api/v1/statements/${id}`).expect(200)).body as {
          observations: { id: string; status: string; httpStatus: number | null; leafIndex: number | null }[];
        };
        return current.observations.find((o) => o.status === 'missing' && o.leafIndex !== null);
      });
      const { records } = await download(`/statements/${id}.warc.gz`);
      const about = records
        .filter((r) => r.type === 'metadata')
        .map((r) => new Map(fields(r.block)))
        .find((m) => m.get('observation-id') === observation.id)!;
      expect([about.get('status'), about.get('http-status'), about.get('log-leaf-index')]).toEqual([
        'missing',
        String(observation.httpStatus),
        String(observation.leafIndex),
      ]);
      const response = records.find(
        (r) => r.type === 'response' && r.headers.get('WARC-Record-ID') === about.get('record'),
      )!;
      const { head, payload } = splitHttp(response.block);
      expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 404 /);
      expect(response.headers.get('WARC-Payload-Digest')).toBe(sha256(payload));
      const sent = mastodon.requestLog.filter(
        (r) => r.response?.status === 404 && r.response.body.equals(payload),
      );
      expect(sent.map((r) => r.response!.head!.toString('latin1'))).toContain(head.toString('latin1'));
    });

    it('writes a body the platform sent chunked as one chunk, its payload digest the body as sent', async () => {
      const chunked = await startFakeMastodon({ chunked: true });
      try {
        chunked.addAccount({ username: 'embassy' });
        const post = chunked.publish('embassy', { content: '<p>Sent in chunks.</p>' });
        const capture = await app.write('post', '/api/v1/captures').send({ url: post.url }).expect(202);
        await waitFor('the capture job', async () => {
          const res = await app.http().get(`/api/v1/captures/${capture.body.jobId}`).expect(200);
          return res.body.state === 'completed' ? true : undefined;
        });
        const [{ id }]: { id: string }[] = await app.db.query(`SELECT id FROM statements WHERE url = $1`, [
          post.url,
        ]);
        const { records } = await download(`/statements/${id}.warc.gz`);
        const responses = records.filter((r) => r.type === 'response');
        expect(responses.length).toBeGreaterThan(0);
        const framing = records
          .filter((r) => r.type === 'metadata')
          .flatMap((r) => fields(r.block).filter(([name]) => name === 'response-framing'))
          .map(([, value]) => value.split(' ')[0]);
        for (const response of responses) {
          const { head, payload } = splitHttp(response.block);
          // the head as the platform wrote it, chunked; the body once, as one chunk
          const sent = chunked.requestLog.find((r) => r.response?.head?.equals(head))!.response!;
          expect(head.toString('latin1')).toContain('\r\nTransfer-Encoding: chunked\r\n');
          expect(payload.toString('latin1')).toBe(
            `${sent.body.length.toString(16)}\r\n${sent.body.toString('latin1')}\r\n0\r\n\r\n`,
          );
          expect(response.headers.get('WARC-Payload-Digest')).toBe(sha256(sent.body));
          expect(framing).toContain(response.headers.get('WARC-Record-ID'));
        }
      } finally {
        await chunked.close();
      }
    });

    it('answers 404 for an unknown statement or account and 400 for a malformed id', async () => {
      await app.http().get('/statements/00000000-0000-4000-8000-000000000000.warc.gz').expect(404);
      await app.http().get('/accounts/00000000-0000-4000-8000-000000000000.warc.gz').expect(404);
      await app.http().get('/statements/nope.warc.gz').expect(400);
    });
  });
});
