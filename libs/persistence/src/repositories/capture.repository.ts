import { type EntityManager } from 'typeorm';
import {
  buildRecord,
  contentSha256,
  recordSha256,
  sha256Hex,
  type ArtifactRole,
  type EvidenceLevel,
  type StatementContent,
  type StatementRecord,
  withoutNulCharacters,
} from '@app/core';
import { buildLogEntry, type ArtifactReference } from '@app/ledger';

export interface CapturedArtifact {
  role: ArtifactRole;
  mediaType: string;
  bytes: Buffer;
}

export interface CapturedPost {
  content: StatementContent;
  artifacts: CapturedArtifact[];
}

export interface StoredCaptures {
  postsSeen: number;
  postsNew: number;
  versionsNew: number;
  statementIds: string[];
}

/** An artifact as both the record (role, sha256) and the log entry (all four) name it. */
type CapturedReference = ArtifactReference & { role: ArtifactRole };

interface NewVersion {
  statementId: string;
  number: number;
  content: StatementContent;
  /** the raw artifacts the version was read from, as the log entry names them */
  references: CapturedReference[];
  record: StatementRecord;
  recordSha256: string;
  created: boolean;
}

interface UpsertedStatement {
  id: string;
  external_id: string;
  inserted: boolean;
  latest_version: number;
  latest_content: string | null;
}

/**
 * Writes a batch of captured posts of one account: artifacts, statements, versions and events, with one
 * statement per table kind. Must run inside a transaction. Replaying the same batch writes nothing new:
 * artifacts are content-addressed, statements unique by (account, post id), and a version is added only
 * when the content hash differs from the statement's latest version.
 */
export async function storeCaptures(
  db: EntityManager,
  input: {
    accountId: string;
    capturedAt: Date;
    evidenceLevel: EvidenceLevel;
    posts: CapturedPost[];
    /** the transparency log's origin: every new version is queued for the log in the same transaction */
    logOrigin: string;
  },
): Promise<StoredCaptures> {
  const posts = latestPerPost(input.posts);
  if (posts.length === 0) return { postsSeen: 0, postsNew: 0, versionsNew: 0, statementIds: [] };

  const digests = await insertArtifacts(db, posts);
  const statements = await upsertStatements(db, input.accountId, input.capturedAt, posts);

  const versions: NewVersion[] = [];
  for (const post of posts) {
    const row = statements.get(post.content.postId)!;
    const hash = contentSha256(post.content);
    if (row.latest_content === hash) continue;
    const references = digests.get(post)!;
    const record = buildRecord(
      post.content,
      references.map(({ role, sha256 }) => ({ role, sha256 })),
    );
    versions.push({
      statementId: row.id,
      number: row.latest_version + 1,
      content: post.content,
      references,
      record,
      recordSha256: recordSha256(record),
      created: row.latest_version === 0,
    });
  }
  await insertVersions(db, input.capturedAt, input.evidenceLevel, input.accountId, versions);
  await queueLogEntries(db, input.capturedAt, input.logOrigin, versions);

  return {
    postsSeen: posts.length,
    postsNew: [...statements.values()].filter((s) => s.inserted).length,
    versionsNew: versions.length,
    statementIds: posts.map((p) => statements.get(p.content.postId)!.id),
  };
}

/** A batch may name a post twice (a page boundary moved); the later sighting wins. Sorted so locks are taken in one order. */
function latestPerPost(posts: CapturedPost[]): CapturedPost[] {
  const byId = new Map<string, CapturedPost>();
  for (const post of posts)
    byId.set(post.content.postId, { ...post, content: withoutNulCharacters(post.content) });
  return [...byId.values()].sort((a, b) => (a.content.postId < b.content.postId ? -1 : 1));
}

async function insertArtifacts(
  db: EntityManager,
  posts: CapturedPost[],
): Promise<Map<CapturedPost, CapturedReference[]>> {
  const unique = new Map<string, CapturedArtifact>();
  const digests = new Map<CapturedPost, CapturedReference[]>();
  const hashes = new Map<Buffer, string>();
  for (const post of posts) {
    digests.set(
      post,
      post.artifacts.map((artifact) => {
        let sha256 = hashes.get(artifact.bytes);
        if (!sha256) hashes.set(artifact.bytes, (sha256 = sha256Hex(artifact.bytes)));
        unique.set(sha256, artifact);
        return { role: artifact.role, mediaType: artifact.mediaType, size: artifact.bytes.length, sha256 };
      }),
    );
  }
  if (unique.size > 0) {
    const rows = [...unique.entries()];
    await db.query(
      `INSERT INTO artifacts (sha256, media_type, size, bytes)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bytea[])
       ON CONFLICT (sha256) DO NOTHING`,
      [
        rows.map(([h]) => h),
        rows.map(([, a]) => a.mediaType),
        rows.map(([, a]) => a.bytes.length),
        rows.map(([, a]) => a.bytes),
      ],
    );
  }
  return digests;
}

async function upsertStatements(
  db: EntityManager,
  accountId: string,
  capturedAt: Date,
  posts: CapturedPost[],
): Promise<Map<string, UpsertedStatement>> {
  // ON CONFLICT DO UPDATE locks each existing row, so concurrent captures of one post serialise here.
  const rows: UpsertedStatement[] = await db.query(
    `WITH upserted AS (
       INSERT INTO statements (platform, external_id, account_id, url, authored_at, first_captured_at, last_seen_at, latest_version, latest_text)
       SELECT p, e, $3::uuid, u, a, $4::timestamptz, $4::timestamptz, 0, ''
       FROM unnest($1::text[], $2::text[], $5::text[], $6::timestamptz[]) AS t(p, e, u, a)
       ON CONFLICT (account_id, external_id) DO UPDATE SET last_seen_at = GREATEST(statements.last_seen_at, EXCLUDED.last_seen_at)
       RETURNING id, external_id, (xmax = 0) AS inserted, latest_version
     )
     SELECT u.id, u.external_id, u.inserted, u.latest_version, v.content_sha256 AS latest_content
     FROM upserted u
     LEFT JOIN versions v ON v.statement_id = u.id AND v.number = u.latest_version`,
    [
      posts.map((p) => p.content.platform),
      posts.map((p) => p.content.postId),
      accountId,
      capturedAt,
      posts.map((p) => p.content.url),
      posts.map((p) => p.content.authoredAt),
    ],
  );
  return new Map(rows.map((row) => [row.external_id, row]));
}

async function insertVersions(
  db: EntityManager,
  capturedAt: Date,
  evidenceLevel: EvidenceLevel,
  accountId: string,
  versions: NewVersion[],
): Promise<void> {
  if (versions.length === 0) return;
  const ids = versions.map((v) => v.statementId);
  const numbers = versions.map((v) => v.number);
  await db.query(
    `INSERT INTO versions (statement_id, number, captured_at, record, record_sha256, content_sha256, evidence_level)
     SELECT s, n, $3::timestamptz, r, rh, ch, $7::text
     FROM unnest($1::uuid[], $2::int[], $4::jsonb[], $5::text[], $6::text[]) AS t(s, n, r, rh, ch)`,
    [
      ids,
      numbers,
      capturedAt,
      versions.map((v) => JSON.stringify(v.record)),
      versions.map((v) => v.recordSha256),
      versions.map((v) => contentSha256(v.content)),
      evidenceLevel,
    ],
  );
  const links = versions.flatMap((v) =>
    dedupeDigests(v.references).map((a) => ({ id: v.statementId, number: v.number, ...a })),
  );
  if (links.length > 0) {
    await db.query(
      `INSERT INTO version_artifacts (statement_id, version_number, sha256, role)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[])`,
      [
        links.map((l) => l.id),
        links.map((l) => l.number),
        links.map((l) => l.sha256),
        links.map((l) => l.role),
      ],
    );
  }
  await db.query(
    `UPDATE statements s SET latest_version = t.n, latest_text = t.txt, url = t.u, authored_at = COALESCE(t.a, s.authored_at)
     FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::timestamptz[]) AS t(id, n, txt, u, a)
     WHERE s.id = t.id`,
    [
      ids,
      numbers,
      versions.map((v) => v.content.text),
      versions.map((v) => v.content.url),
      versions.map((v) => v.content.authoredAt),
    ],
  );
  await db.query(
    `INSERT INTO events (type, statement_id, account_id, version_number)
     SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::int[])`,
    [
      versions.map((v) => (v.created ? 'statement.created' : 'statement.edited')),
      ids,
      versions.map(() => accountId),
      numbers,
    ],
  );
}

/** One log entry per new version: digests only, so content can be taken down without breaking a proof. */
async function queueLogEntries(
  db: EntityManager,
  capturedAt: Date,
  origin: string,
  versions: NewVersion[],
): Promise<void> {
  if (versions.length === 0) return;
  const entries = versions.map((v) =>
    Buffer.from(
      buildLogEntry({
        type: 'snapshot',
        statementId: v.statementId,
        version: v.number,
        recordSha256: v.recordSha256,
        artifacts: dedupeDigests(v.references),
        capturedAt: capturedAt.toISOString(),
        origin,
      }),
    ),
  );
  await db.query(
    `INSERT INTO log_pending (entry, statement_id, version_number) SELECT * FROM unnest($1::bytea[], $2::uuid[], $3::int[])`,
    [entries, versions.map((v) => v.statementId), versions.map((v) => v.number)],
  );
}

function dedupeDigests<T extends { sha256: string }>(digests: T[]): T[] {
  return [...new Map(digests.map((d) => [d.sha256, d])).values()];
}
