import { type EntityManager } from 'typeorm';
import {
  buildRecord,
  contentSha256,
  isDownloadableMedia,
  mapInSlices,
  planVersions,
  canonicalRecord,
  type ArtifactRole,
  type EvidenceLevel,
  type StatementContent,
  type StatementRecord,
  statementLanguage,
  taggedLanguage,
} from '@app/core';
import { buildLogEntry, type ArtifactReference } from '@app/ledger';
import { insertArtifactsAlone, splitArtifactRows } from './artifact-rows';
import { packBytes } from './packed-bytes';

/** An artifact with its digest already computed: the record and the log entry name it by role and hash. */
export interface PreparedArtifact extends ArtifactReference {
  role: ArtifactRole;
  bytes: Buffer;
  /** the URL that answered with these bytes; kept on the version's link, never in the record or the log */
  url?: string | null;
}

/** A post ready to be written: content free of what PostgreSQL cannot hold, hashed, with hashed artifacts. */
export interface PreparedPost {
  content: StatementContent;
  contentSha256: string;
  evidenceLevel: EvidenceLevel;
  artifacts: PreparedArtifact[];
  /** where the version came from: our own read of the post (default), or the platform's edit history */
  source?: 'capture' | 'platform-history';
  /**
   * versions we missed, from the platform's edit history read with this post, oldest first: written before
   * it, each with `source: 'platform-history'`, unless we already hold its content
   */
  history?: PreparedPost[];
  /** edits made before this version are missing from the history read with it; noted with the version */
  historyGap?: HistoryGap;
}

/** Why the versions before one are incomplete: its edit history was not read, or was cut short. */
export interface HistoryGap {
  kind: 'not-read' | 'cut-short';
  /** what happened, for a reader: the error, or how many edits were left out and when they were made */
  detail: string;
}

/** The most versions one statement writes (with their artifacts, links, events, media items, log entries). */
const VERSIONS_PER_STATEMENT = 1000;

/** Language detections between two turns of the event loop. */
const LANGUAGE_SLICE = 25;

/** When a statement first captured at `capturedAt` is first re-read (null: never). */
export type FirstCheck = (publishedAt: Date, capturedAt: Date) => Date | null;

/** What one source showed us at one time: the posts of one account, one post at most per post id. */
export interface CaptureSet {
  accountId: string;
  capturedAt: Date;
  posts: PreparedPost[];
}

export interface WrittenCaptures {
  postsSeen: number;
  postsNew: number;
  versionsNew: number;
  /** the statements of the set's posts, in the order of its posts */
  statementIds: string[];
  /** new versions whose record lists media items: each is downloaded by a `media` job after commit */
  mediaVersions: VersionKey[];
}

/** A version of a statement. */
export interface VersionKey {
  statementId: string;
  version: number;
}

/**
 * One post of one set, and the account whose statement it is written to: the set's own, except for a post keyed
 * by its URL that another account's statement holds (see `placeSightings`).
 */
interface Sighting {
  set: CaptureSet;
  post: PreparedPost;
  accountId: string;
  /** false for a second sighting of a statement another sighting of this write brings: it writes nothing */
  writes: boolean;
}

interface NewVersion {
  set: CaptureSet;
  post: PreparedPost;
  /** the statement's account (its events name it), which may not be the set's */
  accountId: string;
  statementId: string;
  number: number;
  created: boolean;
  record: StatementRecord;
  /** the record's RFC 8785 text: the very text it was hashed as, sent to be stored (as jsonb, the same value) */
  recordJson: string;
  recordSha256: string;
  /** the statement row holds this version's latest state already (inserted with it) */
  rowComplete: boolean;
  /** edits made before this version are missing from the edit history it was written with */
  historyGap?: HistoryGap;
}

interface UpsertedStatement {
  id: string;
  account_id: string;
  external_id: string;
  inserted: boolean;
  /** inserted with its one version's latest state already (no edit history came with it): no UPDATE needed */
  complete: boolean;
  /** as held before this write: 0 for a statement this write inserted */
  latest_version: number;
  latest_content: string | null;
}

/**
 * Writes capture sets, of one account or many, with one set-based statement per table: statements, artifacts,
 * versions and their artifact links, events, and the log entries waiting for the sequencer. Must run inside a
 * transaction. Replaying the same sets writes nothing new: artifacts are content-addressed, statements unique
 * by (account, post id), and a version is added only when the content differs from the latest version.
 * Only artifacts that a new version refers to are stored, so re-reading an unchanged post stores nothing.
 * A web page is one statement whichever account's set brings it (`placeSightings`).
 */
export async function writeCaptures(
  db: EntityManager,
  sets: CaptureSet[],
  /** the transparency log's origin: every new version is queued for the log in the same transaction */
  logOrigin: string,
  /** schedules the first recheck of new statements; without it they are never re-read */
  firstCheck?: FirstCheck,
): Promise<WrittenCaptures[]> {
  const sightings = await placeSightings(db, sets);
  const writing = sightings.filter((s) => s.writes);
  const statements = await upsertStatements(db, writing, firstCheck);
  await recordSightingsElsewhere(db, sightings);
  const heldContent = await heldContentOf(db, writing, statements);
  // in slices: building and hashing 10,000 records must not hold the event loop
  const planned = await mapInSlices(writing, ({ set, post, accountId }): NewVersion[] => {
    const row = statements.get(statementKey(accountId, post.content.postId))!;
    const history = post.history ?? [];
    const plan = planVersions(
      {
        latestVersion: row.latest_version,
        latestContentSha256: row.latest_content,
        contentSha256s: heldContent.get(row.id) ?? new Set(),
      },
      history.map((h) => h.contentSha256),
      post.contentSha256,
    );
    const versionOf = (step: (typeof plan)[number]) => (step.from === 'history' ? history[step.index] : post);
    // one version of a sighting may carry a gap; if it is one we hold already, the newest written takes it
    const gap = post.historyGap ?? history.find((h) => h.historyGap)?.historyGap;
    const marked = plan.findIndex((step) => versionOf(step).historyGap !== undefined);
    const gapAt = gap === undefined ? -1 : marked >= 0 ? marked : plan.length - 1;
    return plan.map((step, i) => {
      const version = versionOf(step);
      const record = buildRecord(
        version.content,
        version.artifacts.map(({ role, sha256 }) => ({ role, sha256 })),
      );
      const canonical = canonicalRecord(record);
      return {
        set,
        post: version,
        accountId,
        statementId: row.id,
        number: step.version,
        created: step.created,
        record,
        recordJson: canonical.json,
        recordSha256: canonical.sha256,
        rowComplete: row.complete,
        historyGap: i === gapAt ? gap : undefined,
      };
    });
  });
  const versions = planned.flat();
  // in slices of versions, one statement each: building one statement's parameters holds the event loop, so a
  // page of 10,000 posts must not make it one statement. Slices go oldest first, so a statement's latest state
  // ends at its newest version; each artifact goes with the first slice that names it.
  const sent = new Set<string>();
  for (let start = 0; start < versions.length; start += VERSIONS_PER_STATEMENT)
    await insertVersions(db, versions.slice(start, start + VERSIONS_PER_STATEMENT), logOrigin, sent);
  await insertHistoryGaps(
    db,
    versions.filter((v) => v.historyGap),
  );

  const bySet = new Map<CaptureSet, Sighting[]>(sets.map((set) => [set, []]));
  for (const sighting of sightings) bySet.get(sighting.set)!.push(sighting);
  return sets.map((set) => {
    const own = bySet.get(set)!;
    const rows = own.map((s) => statements.get(statementKey(s.accountId, s.post.content.postId))!);
    return {
      postsSeen: set.posts.length,
      // a statement another set of this write inserted is that set's new post
      postsNew: rows.filter((r, i) => r.inserted && own[i].writes).length,
      versionsNew: versions.filter((v) => v.set === set).length,
      statementIds: rows.map((r) => r.id),
      mediaVersions: versions
        .filter((v) => v.set === set && v.record.media.length > 0)
        .map((v) => ({ statementId: v.statementId, version: v.number })),
    };
  });
}

/** Notes the versions read with an incomplete edit history, in the transaction that writes them. */
async function insertHistoryGaps(db: EntityManager, versions: NewVersion[]): Promise<void> {
  if (versions.length === 0) return;
  await db.query(
    `INSERT INTO version_history_gaps (statement_id, version_number, kind, detail)
     SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[])
     ON CONFLICT DO NOTHING`,
    [
      versions.map((v) => v.statementId),
      versions.map((v) => v.number),
      versions.map((v) => v.historyGap!.kind),
      versions.map((v) => v.historyGap!.detail),
    ],
  );
}

/**
 * The content hash of every version held of the statements whose posts bring an edit history, so history
 * versions we already hold are not written again. Posts without history need only the latest, read with the
 * statement.
 */
async function heldContentOf(
  db: EntityManager,
  sightings: Sighting[],
  statements: Map<string, UpsertedStatement>,
): Promise<Map<string, Set<string>>> {
  const ids = sightings
    .filter((s) => (s.post.history?.length ?? 0) > 0)
    .map((s) => statements.get(statementKey(s.accountId, s.post.content.postId))!.id);
  const held = new Map<string, Set<string>>();
  if (ids.length === 0) return held;
  const rows: { statement_id: string; content_sha256: string }[] = await db.query(
    `SELECT statement_id, content_sha256 FROM versions WHERE statement_id = ANY($1::uuid[])`,
    [ids],
  );
  for (const row of rows) {
    const set = held.get(row.statement_id) ?? new Set<string>();
    set.add(row.content_sha256);
    held.set(row.statement_id, set);
  }
  return held;
}

/**
 * The platform whose posts are known by their URL alone: a web page (a press release) is one statement whichever
 * path found it (the poll of a list page, of another list linking it, an on-demand capture under its site), so
 * its statement is not per account as other platforms' are.
 */
const URL_KEYED_PLATFORM = 'web';
/** The first key of the advisory locks that serialise the first capture of one page (the second is its hash). */
const PAGE_IDENTITY_LOCK = 0x77656231;

/** The accounts holding a page's statement, oldest statement first, by page identity. */
type PageHolders = Map<string, { accountId: string; handle: string }[]>;

/**
 * Which statement each post of the sets is written to. A post of another platform: its set's account's, as
 * always (nothing is read). A web page held by a statement under another account (a release a tracked list
 * captured, now captured on demand under its site, or linked by a second list) is written to that statement,
 * as a sighting of that account: its content names that account, as the statement's versions do, so an
 * unchanged page is no new version and a changed one is an edit of it. A page no statement holds yet goes to
 * the first set of this write that brings it; the others' sightings of it then write nothing of their own.
 * Where an older bug left one page under several accounts, a set's own statement is kept, else the oldest.
 *
 * Two writers capturing one new page at once are serialised by a transaction lock on its identity, taken in
 * a fixed order and only for pages no statement holds (a recheck, whose pages are all held, takes none); the
 * second then finds the first's statement. A database constraint could not do this: statements already split
 * by the old behaviour would violate it, and they are records that are never rewritten.
 */
async function placeSightings(db: EntityManager, sets: CaptureSet[]): Promise<Sighting[]> {
  const sightings: Sighting[] = sets.flatMap((set) =>
    set.posts.map((post) => ({ set, post, accountId: set.accountId, writes: true })),
  );
  const pages = sightings.filter((s) => s.post.content.platform === URL_KEYED_PLATFORM);
  if (pages.length === 0) return sightings;
  const ids = [...new Set(pages.map((s) => s.post.content.postId))];
  const holders = await pageHolders(db, ids);
  const fresh = ids.filter((id) => !holders.has(id));
  if (fresh.length > 0) {
    await db.query(
      `SELECT pg_advisory_xact_lock(${PAGE_IDENTITY_LOCK}, h)
       FROM (SELECT DISTINCT hashtext(e) AS h FROM unnest($1::text[]) AS e ORDER BY h) AS keys`,
      [fresh],
    );
    for (const [id, held] of await pageHolders(db, fresh)) holders.set(id, held);
  }
  const claimed = new Map<string, { accountId: string; handle: string }>();
  const placed = pages.map((sighting) => {
    const id = sighting.post.content.postId;
    const held = holders.get(id);
    if (held?.some((h) => h.accountId === sighting.accountId)) return { sighting, to: null };
    const holder = held?.[0] ?? claimed.get(id);
    if (holder === undefined) {
      claimed.set(id, { accountId: sighting.accountId, handle: sighting.post.content.account });
      return { sighting, to: null };
    }
    return { sighting, to: holder };
  });
  for (const { sighting, to } of placed) {
    if (to === null) continue;
    sighting.accountId = to.accountId;
    sighting.post = underAccount(sighting.post, to.handle);
  }
  // one sighting per statement writes, its own account's first: two versions of one page in one write would
  // both be planned against the same latest version
  const written = new Set<string>();
  for (const { sighting } of [
    ...placed.filter((p) => p.to === null),
    ...placed.filter((p) => p.to !== null),
  ]) {
    const key = statementKey(sighting.accountId, sighting.post.content.postId);
    sighting.writes = !written.has(key);
    written.add(key);
  }
  return sightings;
}

/**
 * Remembers which accounts saw a page another account's statement holds (migration PageSightings), so that the
 * page is listed under them too and their filters hear of it. Only web pages are ever placed elsewhere.
 */
async function recordSightingsElsewhere(db: EntityManager, sightings: Sighting[]): Promise<void> {
  const elsewhere = sightings.filter((s) => s.accountId !== s.set.accountId);
  if (elsewhere.length === 0) return;
  await db.query(
    `INSERT INTO statement_sightings (account_id, seq, statement_id)
     SELECT t.seen_by, s.seq, s.id
     FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS t(seen_by, holder, external_id)
     JOIN statements s ON s.account_id = t.holder AND s.external_id = t.external_id
     ORDER BY t.seen_by, s.seq
     ON CONFLICT DO NOTHING`,
    [
      elsewhere.map((s) => s.set.accountId),
      elsewhere.map((s) => s.accountId),
      elsewhere.map((s) => s.post.content.postId),
    ],
  );
}

async function pageHolders(db: EntityManager, ids: string[]): Promise<PageHolders> {
  const rows: { external_id: string; account_id: string; handle: string }[] = await db.query(
    `SELECT s.external_id, s.account_id, a.handle
     FROM statements s JOIN accounts a ON a.id = s.account_id
     WHERE s.platform = '${URL_KEYED_PLATFORM}' AND s.external_id = ANY($1::text[])
     ORDER BY s.external_id, s.first_captured_at, s.seq`,
    [ids],
  );
  const holders: PageHolders = new Map();
  for (const row of rows) {
    const held = holders.get(row.external_id) ?? [];
    held.push({ accountId: row.account_id, handle: row.handle });
    holders.set(row.external_id, held);
  }
  return holders;
}

/** A post as its holding account's: the content names that account (and is hashed again), as its versions do. */
function underAccount(post: PreparedPost, handle: string): PreparedPost {
  if (post.content.account === handle && !post.history?.length) return post;
  const content = { ...post.content, account: handle };
  return {
    ...post,
    content,
    contentSha256: post.content.account === handle ? post.contentSha256 : contentSha256(content),
    ...(post.history ? { history: post.history.map((h) => underAccount(h, handle)) } : {}),
  };
}

function statementKey(accountId: string, postId: string): string {
  return `${accountId}\u0000${postId}`;
}

async function upsertStatements(
  db: EntityManager,
  sightings: Sighting[],
  firstCheck: FirstCheck | undefined,
): Promise<Map<string, UpsertedStatement>> {
  // one row per (account, post): ON CONFLICT DO UPDATE may not touch a row twice in one statement. Sorted, so
  // concurrent writers lock rows in one order; the conflict update locks each existing row, so two captures
  // of one post serialise here.
  const rows = new Map<string, Sighting>();
  for (const sighting of sightings)
    rows.set(statementKey(sighting.accountId, sighting.post.content.postId), sighting);
  const ordered = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  if (ordered.length === 0) return new Map();
  // A new statement whose post brings no edit history gets exactly one version, number 1, of this post: it
  // is inserted with that latest state at once, so its row (and its ten indexes, full-text included) is
  // written once, not inserted and then updated. Only when the platform tagged the post's language: detecting
  // it costs time linear in the text, and this runs for every sighting, held posts included, so an untagged
  // one (or one with a history) is completed by the UPDATE, for new versions only, as before.
  const tags = ordered.map((r) => taggedLanguage(r.post.content.language));
  const complete = ordered.map((r, i) => !r.post.history?.length && tags[i] !== null);
  const upserted: UpsertedStatement[] = await db.query(
    `WITH upserted AS (
       INSERT INTO statements (platform, external_id, account_id, url, authored_at, first_captured_at, last_seen_at, latest_version, latest_text, language, next_check_at)
       SELECT p, e, acc, u, a, c, c, CASE WHEN k THEN 1 ELSE 0 END, CASE WHEN k THEN txt ELSE '' END, CASE WHEN k THEN l END, n
       FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[],
                   $8::boolean[], $9::text[], $10::text[]) AS t(p, e, acc, u, a, c, n, k, txt, l)
       ON CONFLICT (account_id, external_id) DO UPDATE SET last_seen_at = GREATEST(statements.last_seen_at, EXCLUDED.last_seen_at)
       RETURNING id, account_id, external_id, (xmax = 0) AS inserted, latest_version
     )
     SELECT u.id, u.account_id, u.external_id, u.inserted,
            CASE WHEN u.inserted THEN 0 ELSE u.latest_version END AS latest_version,
            CASE WHEN u.inserted THEN NULL ELSE v.content_sha256 END AS latest_content
     FROM upserted u
     LEFT JOIN versions v ON v.statement_id = u.id AND v.number = u.latest_version AND NOT u.inserted`,
    [
      ordered.map((r) => r.post.content.platform),
      ordered.map((r) => r.post.content.postId),
      ordered.map((r) => r.accountId),
      ordered.map((r) => r.post.content.url),
      ordered.map((r) => r.post.content.authoredAt),
      ordered.map((r) => r.set.capturedAt),
      ordered.map((r) => {
        if (!firstCheck) return null;
        const authored = r.post.content.authoredAt;
        return firstCheck(authored ? new Date(authored) : r.set.capturedAt, r.set.capturedAt);
      }),
      complete,
      ordered.map((r, i) => (complete[i] ? r.post.content.text : null)),
      // the language picks the search stemmer: the platform's tag (the same as statementLanguage keeps)
      tags,
    ],
  );
  const completeKeys = new Set(
    ordered.filter((_, i) => complete[i]).map((r) => statementKey(r.accountId, r.post.content.postId)),
  );
  return new Map(
    upserted.map((row) => {
      const key = statementKey(row.account_id, row.external_id);
      return [key, { ...row, complete: row.inserted && completeKeys.has(key) }];
    }),
  );
}

/**
 * Everything new versions bring, in ONE statement of data-modifying CTEs (one round trip, however many
 * versions; artifact bodies over 64 KB go just before it, each alone): the artifacts they name
 * (content-addressed), the versions and their artifact links, the statements' latest state, an event each, the
 * media items waiting to be downloaded, and a log entry each.
 * Foreign keys between these rows are checked at the end of the statement, so the order of the CTEs is free.
 */
async function insertVersions(
  db: EntityManager,
  versions: NewVersion[],
  origin: string,
  /** artifacts sent by an earlier slice of the same write: not sent again */
  sent: Set<string>,
): Promise<void> {
  if (versions.length === 0) return;
  const unique = new Map<string, PreparedArtifact>();
  for (const version of versions)
    for (const a of version.post.artifacts) if (!sent.has(a.sha256)) unique.set(a.sha256, a);
  for (const a of unique.values()) sent.add(a.sha256);
  // large bodies go first, each alone and sent as binary; the statement below carries the small ones
  const { inArray: artifacts, alone } = splitArtifactRows([...unique.values()]);
  await insertArtifactsAlone(db, alone);
  const links = versions.flatMap((v) =>
    distinctDigests(v.post.artifacts).map((a) => ({ id: v.statementId, number: v.number, ...a })),
  );
  // an UPDATE … FROM takes one arbitrary row per target: give it only each statement's newest version, and
  // only of statements not inserted with it already
  const newest = [...new Map(versions.filter((v) => !v.rowComplete).map((v) => [v.statementId, v])).values()];
  // the media items each new version's record lists: downloaded after commit (a slow video never holds a
  // capture up), so their outcome lives in media_files and not in the sealed record
  // the files each record lists (a previewed link is a page, not a file: not listed), to be downloaded
  const media = versions.flatMap((v) =>
    v.record.media
      .map((m, position) => ({ id: v.statementId, number: v.number, position, ...m }))
      .filter(isDownloadableMedia),
  );
  // the bodies and the log entries each go as one binary parameter (packBytes), not as hex text
  const bodies = packBytes(artifacts.map((a) => a.bytes));
  const entries = packBytes(await logEntriesOf(versions, origin));
  // the language picks the search stemmer: the platform's tag, else detected from the text (a few ms each, so
  // in small slices with the event loop let through between them)
  const languages = await mapInSlices(
    newest,
    (v) => statementLanguage(v.post.content.language, v.post.content.text),
    LANGUAGE_SLICE,
  );
  const ids = versions.map((v) => v.statementId);
  const numbers = versions.map((v) => v.number);
  await db.query(
    `WITH new_artifacts AS (
       INSERT INTO artifacts (sha256, media_type, size, bytes)
       SELECT sha, mt, sz, substring($4::bytea FROM o + 1 FOR n)
       FROM unnest($1::text[], $2::text[], $3::int[], $32::int[], $33::int[]) AS a(sha, mt, sz, o, n)
       ON CONFLICT (sha256) DO NOTHING
     ), new_versions AS (
       INSERT INTO versions (statement_id, number, captured_at, record, record_sha256, content_sha256, evidence_level, source)
       SELECT sid, num, at, r.record, rs, cs, ev, src
       FROM unnest($5::uuid[], $6::int[], $7::timestamptz[], $9::text[], $10::text[], $11::text[], $12::text[])
         WITH ORDINALITY AS v(sid, num, at, rs, cs, ev, src, k)
       JOIN jsonb_array_elements($8::jsonb) WITH ORDINALITY AS r(record, k) USING (k)
     ), new_links AS (
       INSERT INTO version_artifacts (statement_id, version_number, sha256, role, url)
       SELECT * FROM unnest($13::uuid[], $14::int[], $15::text[], $16::text[], $17::text[])
     ), latest AS (
       UPDATE statements s SET latest_version = t.n, latest_text = t.txt, url = t.u,
         authored_at = COALESCE(t.a, s.authored_at), language = t.l
       FROM unnest($18::uuid[], $19::int[], $20::text[], $21::text[], $22::timestamptz[], $23::text[]) AS t(id, n, txt, u, a, l)
       WHERE s.id = t.id
     ), new_events AS (
       INSERT INTO events (type, statement_id, account_id, version_number)
       SELECT * FROM unnest($24::text[], $5::uuid[], $25::uuid[], $6::int[])
     ), new_media AS (
       INSERT INTO media_files (statement_id, version_number, position, url, kind)
       SELECT * FROM unnest($26::uuid[], $27::int[], $28::int[], $29::text[], $30::text[])
     )
     INSERT INTO log_pending (entry, statement_id, version_number)
     SELECT substring($31::bytea FROM o + 1 FOR n), sid, vn
     FROM unnest($34::int[], $35::int[], $5::uuid[], $6::int[]) AS e(o, n, sid, vn)`,
    [
      artifacts.map((a) => a.sha256),
      artifacts.map((a) => a.mediaType),
      artifacts.map((a) => a.size),
      bodies.packed,
      ids,
      numbers,
      versions.map((v) => v.set.capturedAt),
      // one JSON array, not a jsonb[]: the driver would escape every quote of every record into the array's text
      `[${versions.map((v) => v.recordJson).join(',')}]`,
      versions.map((v) => v.recordSha256),
      versions.map((v) => v.post.contentSha256),
      versions.map((v) => v.post.evidenceLevel),
      versions.map((v) => v.post.source ?? 'capture'),
      links.map((l) => l.id),
      links.map((l) => l.number),
      links.map((l) => l.sha256),
      links.map((l) => l.role),
      links.map((l) => l.url ?? null),
      newest.map((v) => v.statementId),
      newest.map((v) => v.number),
      newest.map((v) => v.post.content.text),
      newest.map((v) => v.post.content.url),
      newest.map((v) => v.post.content.authoredAt),
      languages,
      versions.map((v) => (v.created ? 'statement.created' : 'statement.edited')),
      versions.map((v) => v.accountId),
      media.map((i) => i.id),
      media.map((i) => i.number),
      media.map((i) => i.position),
      media.map((i) => i.url),
      media.map((i) => i.kind),
      entries.packed,
      bodies.offsets,
      bodies.lengths,
      entries.offsets,
      entries.lengths,
    ],
  );
}

/** One log entry per new version: digests only, so content can be taken down without breaking a proof. */
function logEntriesOf(versions: NewVersion[], origin: string): Promise<Buffer[]> {
  return mapInSlices(versions, (v) =>
    Buffer.from(
      buildLogEntry({
        type: 'snapshot',
        statementId: v.statementId,
        version: v.number,
        recordSha256: v.recordSha256,
        artifacts: distinctDigests(v.post.artifacts).map(({ role, mediaType, size, sha256 }) => ({
          role,
          mediaType,
          size,
          sha256,
        })),
        capturedAt: v.set.capturedAt.toISOString(),
        origin,
      }),
    ),
  );
}

function distinctDigests<T extends { sha256: string }>(digests: T[]): T[] {
  return [...new Map(digests.map((d) => [d.sha256, d])).values()];
}
