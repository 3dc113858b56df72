import { type EntityManager } from 'typeorm';
import {
  buildRecord,
  isDownloadableMedia,
  mapInSlices,
  planVersions,
  recordSha256,
  type ArtifactRole,
  type EvidenceLevel,
  type StatementContent,
  type StatementRecord,
  statementLanguage,
} from '@app/core';
import { buildLogEntry, type ArtifactReference } from '@app/ledger';

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
}

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

interface NewVersion {
  set: CaptureSet;
  post: PreparedPost;
  statementId: string;
  number: number;
  created: boolean;
  record: StatementRecord;
  recordSha256: string;
}

interface UpsertedStatement {
  id: string;
  account_id: string;
  external_id: string;
  inserted: boolean;
  latest_version: number;
  latest_content: string | null;
}

/**
 * Writes capture sets, of one account or many, with one set-based statement per table: statements, artifacts,
 * versions and their artifact links, events, and the log entries waiting for the sequencer. Must run inside a
 * transaction. Replaying the same sets writes nothing new: artifacts are content-addressed, statements unique
 * by (account, post id), and a version is added only when the content differs from the latest version.
 * Only artifacts that a new version refers to are stored, so re-reading an unchanged post stores nothing.
 */
export async function writeCaptures(
  db: EntityManager,
  sets: CaptureSet[],
  /** the transparency log's origin: every new version is queued for the log in the same transaction */
  logOrigin: string,
  /** schedules the first recheck of new statements; without it they are never re-read */
  firstCheck?: FirstCheck,
): Promise<WrittenCaptures[]> {
  const statements = await upsertStatements(db, sets, firstCheck);
  const heldContent = await heldContentOf(db, sets, statements);
  const sightings = sets.flatMap((set) => set.posts.map((post) => ({ set, post })));
  // in slices: building and hashing 10,000 records must not hold the event loop
  const planned = await mapInSlices(sightings, ({ set, post }): NewVersion[] => {
    const row = statements.get(statementKey(set.accountId, post.content.postId))!;
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
    return plan.map((step) => {
      const version = step.from === 'history' ? history[step.index] : post;
      const record = buildRecord(
        version.content,
        version.artifacts.map(({ role, sha256 }) => ({ role, sha256 })),
      );
      return {
        set,
        post: version,
        statementId: row.id,
        number: step.version,
        created: step.created,
        record,
        recordSha256: recordSha256(record),
      };
    });
  });
  const versions = planned.flat();
  await insertArtifacts(db, versions);
  await insertVersions(db, versions);
  await insertMediaFiles(db, versions);
  await queueLogEntries(db, versions, logOrigin);

  return sets.map((set) => {
    const rows = set.posts.map((p) => statements.get(statementKey(set.accountId, p.content.postId))!);
    return {
      postsSeen: set.posts.length,
      postsNew: rows.filter((r) => r.inserted).length,
      versionsNew: versions.filter((v) => v.set === set).length,
      statementIds: rows.map((r) => r.id),
      mediaVersions: versions
        .filter((v) => v.set === set && v.record.media.length > 0)
        .map((v) => ({ statementId: v.statementId, version: v.number })),
    };
  });
}

/**
 * The content hash of every version held of the statements whose posts bring an edit history, so history
 * versions we already hold are not written again. Posts without history need only the latest, read with the
 * statement.
 */
async function heldContentOf(
  db: EntityManager,
  sets: CaptureSet[],
  statements: Map<string, UpsertedStatement>,
): Promise<Map<string, Set<string>>> {
  const ids = sets.flatMap((set) =>
    set.posts
      .filter((p) => (p.history?.length ?? 0) > 0)
      .map((p) => statements.get(statementKey(set.accountId, p.content.postId))!.id),
  );
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

function statementKey(accountId: string, postId: string): string {
  return `${accountId}\u0000${postId}`;
}

async function upsertStatements(
  db: EntityManager,
  sets: CaptureSet[],
  firstCheck: FirstCheck | undefined,
): Promise<Map<string, UpsertedStatement>> {
  // one row per (account, post): ON CONFLICT DO UPDATE may not touch a row twice in one statement. Sorted, so
  // concurrent writers lock rows in one order; the conflict update locks each existing row, so two captures
  // of one post serialise here.
  const rows = new Map<string, { set: CaptureSet; post: PreparedPost }>();
  for (const set of sets)
    for (const post of set.posts) rows.set(statementKey(set.accountId, post.content.postId), { set, post });
  const ordered = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  if (ordered.length === 0) return new Map();
  const upserted: UpsertedStatement[] = await db.query(
    `WITH upserted AS (
       INSERT INTO statements (platform, external_id, account_id, url, authored_at, first_captured_at, last_seen_at, latest_version, latest_text, next_check_at)
       SELECT p, e, acc, u, a, c, c, 0, '', n
       FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[]) AS t(p, e, acc, u, a, c, n)
       ON CONFLICT (account_id, external_id) DO UPDATE SET last_seen_at = GREATEST(statements.last_seen_at, EXCLUDED.last_seen_at)
       RETURNING id, account_id, external_id, (xmax = 0) AS inserted, latest_version
     )
     SELECT u.id, u.account_id, u.external_id, u.inserted, u.latest_version, v.content_sha256 AS latest_content
     FROM upserted u
     LEFT JOIN versions v ON v.statement_id = u.id AND v.number = u.latest_version`,
    [
      ordered.map((r) => r.post.content.platform),
      ordered.map((r) => r.post.content.postId),
      ordered.map((r) => r.set.accountId),
      ordered.map((r) => r.post.content.url),
      ordered.map((r) => r.post.content.authoredAt),
      ordered.map((r) => r.set.capturedAt),
      ordered.map((r) => {
        if (!firstCheck) return null;
        const authored = r.post.content.authoredAt;
        return firstCheck(authored ? new Date(authored) : r.set.capturedAt, r.set.capturedAt);
      }),
    ],
  );
  return new Map(upserted.map((row) => [statementKey(row.account_id, row.external_id), row]));
}

async function insertArtifacts(db: EntityManager, versions: NewVersion[]): Promise<void> {
  const unique = new Map<string, PreparedArtifact>();
  for (const version of versions) for (const a of version.post.artifacts) unique.set(a.sha256, a);
  if (unique.size === 0) return;
  const rows = [...unique.values()];
  await db.query(
    `INSERT INTO artifacts (sha256, media_type, size, bytes)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bytea[])
     ON CONFLICT (sha256) DO NOTHING`,
    [
      rows.map((a) => a.sha256),
      rows.map((a) => a.mediaType),
      rows.map((a) => a.size),
      rows.map((a) => a.bytes),
    ],
  );
}

async function insertVersions(db: EntityManager, versions: NewVersion[]): Promise<void> {
  if (versions.length === 0) return;
  const ids = versions.map((v) => v.statementId);
  const numbers = versions.map((v) => v.number);
  await db.query(
    `INSERT INTO versions (statement_id, number, captured_at, record, record_sha256, content_sha256, evidence_level, source)
     SELECT * FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::jsonb[], $5::text[], $6::text[], $7::text[], $8::text[])`,
    [
      ids,
      numbers,
      versions.map((v) => v.set.capturedAt),
      versions.map((v) => JSON.stringify(v.record)),
      versions.map((v) => v.recordSha256),
      versions.map((v) => v.post.contentSha256),
      versions.map((v) => v.post.evidenceLevel),
      versions.map((v) => v.post.source ?? 'capture'),
    ],
  );
  const links = versions.flatMap((v) =>
    distinctDigests(v.post.artifacts).map((a) => ({ id: v.statementId, number: v.number, ...a })),
  );
  if (links.length > 0) {
    await db.query(
      `INSERT INTO version_artifacts (statement_id, version_number, sha256, role, url)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[])`,
      [
        links.map((l) => l.id),
        links.map((l) => l.number),
        links.map((l) => l.sha256),
        links.map((l) => l.role),
        links.map((l) => l.url ?? null),
      ],
    );
  }
  // an UPDATE … FROM takes one arbitrary row per target: give it only each statement's newest version
  const newest = [...new Map(versions.map((v) => [v.statementId, v])).values()];
  await db.query(
    `UPDATE statements s SET latest_version = t.n, latest_text = t.txt, url = t.u, authored_at = COALESCE(t.a, s.authored_at),
       language = t.l
     FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::text[]) AS t(id, n, txt, u, a, l)
     WHERE s.id = t.id`,
    [
      newest.map((v) => v.statementId),
      newest.map((v) => v.number),
      newest.map((v) => v.post.content.text),
      newest.map((v) => v.post.content.url),
      newest.map((v) => v.post.content.authoredAt),
      // the language picks the search stemmer: the platform's tag, else detected from the text
      newest.map((v) => statementLanguage(v.post.content.language, v.post.content.text)),
    ],
  );
  await db.query(
    `INSERT INTO events (type, statement_id, account_id, version_number)
     SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::int[])`,
    [
      versions.map((v) => (v.created ? 'statement.created' : 'statement.edited')),
      ids,
      versions.map((v) => v.set.accountId),
      numbers,
    ],
  );
}

/**
 * The files each new version's record lists (a previewed link is a page, not a file: not listed), waiting
 * to be downloaded. The download happens after
 * commit (a slow video never holds a capture up), so its outcome lives here and not in the sealed record.
 */
async function insertMediaFiles(db: EntityManager, versions: NewVersion[]): Promise<void> {
  const items = versions.flatMap((v) =>
    v.record.media
      .map((m, position) => ({ id: v.statementId, number: v.number, position, ...m }))
      .filter(isDownloadableMedia),
  );
  if (items.length === 0) return;
  await db.query(
    `INSERT INTO media_files (statement_id, version_number, position, url, kind)
     SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[], $4::text[], $5::text[])`,
    [
      items.map((i) => i.id),
      items.map((i) => i.number),
      items.map((i) => i.position),
      items.map((i) => i.url),
      items.map((i) => i.kind),
    ],
  );
}

/** One log entry per new version: digests only, so content can be taken down without breaking a proof. */
async function queueLogEntries(db: EntityManager, versions: NewVersion[], origin: string): Promise<void> {
  if (versions.length === 0) return;
  const entries = await mapInSlices(versions, (v) =>
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
  await db.query(
    `INSERT INTO log_pending (entry, statement_id, version_number) SELECT * FROM unnest($1::bytea[], $2::uuid[], $3::int[])`,
    [entries, versions.map((v) => v.statementId), versions.map((v) => v.number)],
  );
}

function distinctDigests<T extends { sha256: string }>(digests: T[]): T[] {
  return [...new Map(digests.map((d) => [d.sha256, d])).values()];
}
