/**
 * The audit: everything the log tables hold is recomputed from the entries and checked, in one read-only
 * snapshot, streaming in batches so it scales to millions of entries (memory stays O(batch + log n)).
 *
 * - every entry's leaf hash is SHA-256(0x00 || entry), and the entry is a well-formed log entry;
 * - the tree rebuilt from those leaves matches every stored node, no node is missing, none is extra;
 * - every checkpoint is signed by the log key for its origin, and its root is the rebuilt root at its size;
 * - consecutive checkpoints are consistent by a proof built from the STORED nodes;
 * - every entry names a version whose record hashes to the entry's recordSha256, and artifacts whose bytes
 *   still have the named size and SHA-256;
 * - no entry is missing in the middle or after the latest checkpoint;
 * - every artifact kept in the blob store (media files) has its file, and the file's bytes still hash to its
 *   name and have its recorded size.
 */
import { type DataSource, type EntityManager } from 'typeorm';
import { rehashBlob, type BlobStore } from '@app/blobs';
import { canonicalSha256 } from '@app/core';
import {
  bytesEqual,
  consistencyProof,
  EMPTY_TREE_HASH,
  leafHash,
  parseLogEntry,
  parseVerifierKey,
  toBase64,
  toHex,
  verifyConsistency,
  type LogEntry,
  type NodeReader,
  type NoteVerifier,
  type StoredNode,
} from '@app/ledger';
import { nodeReader } from '../log-store';
import { checkpointProblem, type StoredCheckpoint } from './checkpoint-check';
import { completedNodeRanges, StreamingTree } from './streaming-tree';

export interface AuditOptions {
  /** The log's verifier key (`origin+keyid+base64`); its name is the log's origin. */
  logKey: string;
  /** Entries read per query (default 10,000). */
  batchSize?: number;
  /** Problems kept in the report; later ones are only counted (default 1,000). */
  maxProblems?: number;
  /** Where media files are kept; without it, artifacts in the blob store are reported as unchecked. */
  blobs?: BlobStore;
}

export interface AuditReport {
  ok: boolean;
  origin: string;
  /** entries read */
  entries: number;
  /** leaves of the rebuilt tree (entries, plus positions where an entry is missing) */
  size: number;
  checkpoints: number;
  /** stored nodes compared with the rebuilt tree */
  nodes: number;
  /** blob files (media) read back and rehashed */
  blobs: number;
  /** in log order: the first one is the first entry, node or checkpoint that does not match */
  problems: string[];
  /** problems found beyond `maxProblems` */
  omittedProblems: number;
}

interface EntryRow {
  idx: string;
  entry: Buffer;
  leaf_hash: Buffer;
  statement_id: string;
  version_number: number | null;
  observation_id: string | null;
}

interface ParsedEntry {
  idx: number;
  row: EntryRow;
  entry: LogEntry;
}

/** A problem found at a leaf position (checkpoints sort just after their last leaf), for ordering. */
interface Problem {
  at: number;
  text: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** artifacts whose bytes were already checked, so shared ones are hashed once (bounded) */
const ARTIFACT_CACHE_LIMIT = 100_000;

/** Reads log_checkpoints in size order, a page at a time. */
class CheckpointCursor {
  private page: StoredCheckpoint[] = [];
  private last = -1;
  private done = false;

  constructor(
    private readonly db: EntityManager,
    private readonly pageSize: number,
  ) {}

  async peek(): Promise<StoredCheckpoint | undefined> {
    if (this.page.length === 0 && !this.done) {
      const rows: { size: string; root: Buffer; note: string }[] = await this.db.query(
        `SELECT size, root, note FROM log_checkpoints WHERE size > $1 ORDER BY size LIMIT $2`,
        [this.last, this.pageSize],
      );
      this.page = rows.map((r) => ({ size: Number(r.size), root: new Uint8Array(r.root), note: r.note }));
      if (rows.length < this.pageSize) this.done = true;
      if (this.page.length > 0) this.last = this.page[this.page.length - 1].size;
    }
    return this.page[0];
  }

  shift(): void {
    this.page.shift();
  }
}

class Auditor {
  readonly problems: Problem[] = [];
  omitted = 0;
  entries = 0;
  checkpoints = 0;
  nodes = 0;
  blobs = 0;
  private readonly tree = new StreamingTree();
  /** the first position the tree could not be rebuilt at (no entry and no stored leaf) */
  private brokenAt: number | null = null;
  private missing: { from: number; problem: Problem | null } | null = null;
  private previous: StoredCheckpoint | null = null;
  /** the size the log claims: its last entry or its latest checkpoint, whichever is further */
  private end = 0;
  private readonly artifactChecks = new Map<string, { size: number; actual: string } | null>();
  private readonly verifier: NoteVerifier;
  private readonly read: NodeReader;

  constructor(
    private readonly db: EntityManager,
    logKey: string,
    private readonly batchSize: number,
    private readonly maxProblems: number,
    private readonly blobStore: BlobStore | undefined,
  ) {
    this.verifier = parseVerifierKey(logKey);
    this.read = nodeReader(db);
  }

  get origin(): string {
    return this.verifier.name;
  }

  get size(): number {
    return this.tree.size;
  }

  private report(at: number, text: string): Problem | null {
    if (this.problems.length >= this.maxProblems) {
      this.omitted++;
      return null;
    }
    const problem = { at, text };
    this.problems.push(problem);
    return problem;
  }

  async run(): Promise<void> {
    const [bounds]: { entries_end: string | null; checkpoint_end: string | null }[] = await this.db.query(
      `SELECT (SELECT max(idx) + 1 FROM log_entries) AS entries_end,
              (SELECT max(size) FROM log_checkpoints) AS checkpoint_end`,
    );
    const entriesEnd = Number(bounds.entries_end ?? 0);
    const checkpointEnd = bounds.checkpoint_end === null ? null : Number(bounds.checkpoint_end);
    const end = Math.max(entriesEnd, checkpointEnd ?? 0);
    this.end = end;
    const checkpoints = new CheckpointCursor(this.db, 1000);

    await this.checkpointsAt(0, checkpoints, entriesEnd);
    for (let start = 0; start < end;) {
      const stop = Math.min(start + this.batchSize, end);
      const firstNew = this.problems.length;
      await this.window(start, stop, checkpoints, entriesEnd);
      // within a window, problems are found per pass (tree, then versions and artifacts): put them in log order
      const added = this.problems.splice(firstNew).sort((a, b) => a.at - b.at);
      this.problems.push(...added);
      start = stop;
      // once the tree is lost, only entries are left to check: skip over a hole at once, however large
      if (this.brokenAt !== null && start < end) start = (await this.nextEntry(start)) ?? end;
    }
    this.closeMissing(end);

    if (checkpointEnd === null && entriesEnd > 0) {
      this.report(Infinity, `entries 0–${entriesEnd - 1} are not covered by any checkpoint: there is none`);
    } else if (checkpointEnd !== null && entriesEnd > checkpointEnd) {
      this.report(
        Infinity,
        `entries ${checkpointEnd}–${entriesEnd - 1} are not covered by any checkpoint (the latest is ${checkpointEnd}): a checkpoint is missing`,
      );
    }
    await this.extraNodes();
    await this.orphanReferences();
    await this.checkBlobs();
  }

  /**
   * Every artifact kept in the blob store, read back and rehashed, a page at a time in name order: a missing
   * file, a file whose bytes no longer hash to its name, or one of another length is reported.
   */
  private async checkBlobs(): Promise<void> {
    let after = '';
    for (;;) {
      const rows: { sha256: string; size: number }[] = await this.db.query(
        `SELECT sha256, size FROM artifacts WHERE storage = 'blobs' AND sha256 > $1 ORDER BY sha256 LIMIT $2`,
        [after, this.batchSize],
      );
      if (rows.length === 0) return;
      if (!this.blobStore) {
        this.report(Infinity, `artifacts are kept in a blob store, but none was given to check them against`);
        return;
      }
      for (const { sha256, size } of rows) {
        const check = await rehashBlob(this.blobStore, sha256);
        this.blobs++;
        const what = `blob ${sha256}`;
        if (check.state === 'missing')
          this.report(Infinity, `${what}: its file is missing from the blob store`);
        else if (check.state === 'mismatch')
          this.report(Infinity, `${what}: its file's bytes hash to ${check.actual} (the file was changed)`);
        else if (check.size !== Number(size))
          this.report(Infinity, `${what}: its file holds ${check.size} bytes, artifacts says ${size}`);
      }
      after = rows[rows.length - 1].sha256;
    }
  }

  /** Positions [start, stop): leaves, tree nodes, checkpoints ending there, then what the entries name. */
  private async window(
    start: number,
    stop: number,
    checkpoints: CheckpointCursor,
    entriesEnd: number,
  ): Promise<void> {
    const rows: EntryRow[] = await this.db.query(
      `SELECT idx, entry, leaf_hash, statement_id, version_number, observation_id FROM log_entries
       WHERE idx >= $1 AND idx < $2 ORDER BY idx`,
      [start, stop],
    );
    this.entries += rows.length;
    const stored = this.brokenAt === null ? await this.storedNodes(start, stop) : new Map<string, Buffer>();
    const parsed: ParsedEntry[] = [];
    let next = 0;
    for (let position = start; position < stop; position++) {
      const row = next < rows.length && Number(rows[next].idx) === position ? rows[next++] : undefined;
      let leaf: Uint8Array | undefined;
      if (row) {
        this.closeMissing(position);
        leaf = leafHash(row.entry);
        if (!bytesEqual(leaf, row.leaf_hash)) {
          this.report(
            position,
            `entry ${position}: stored leaf_hash ${toHex(row.leaf_hash)} is not SHA-256(0x00 || entry) = ${toHex(leaf)}`,
          );
        }
        try {
          parsed.push({ idx: position, row, entry: parseLogEntry(row.entry) });
        } catch (error) {
          this.report(
            position,
            `entry ${position}: not a well-formed log entry (${(error as Error).message})`,
          );
        }
      } else {
        if (this.missing === null) {
          this.missing = { from: position, problem: this.report(position, `entry ${position} is missing`) };
        }
        // its stored leaf node stands in, so the rest of the tree can still be checked
        const standIn = stored.get(`0/${position}`);
        leaf = standIn ? new Uint8Array(standIn) : undefined;
      }
      if (this.brokenAt === null) {
        if (leaf === undefined) {
          this.brokenAt = position;
          this.report(
            position,
            `the tree cannot be rebuilt beyond ${position} leaves: neither entry ${position} nor its leaf node exists`,
          );
        } else {
          for (const node of this.tree.append(leaf)) this.compareNode(node, stored);
        }
      }
      await this.checkpointsAt(position + 1, checkpoints, entriesEnd);
    }
    await this.checkVersions(parsed);
    await this.checkObservations(parsed);
    await this.checkQuotations(parsed);
    await this.checkArtifacts(parsed);
  }

  private async nextEntry(from: number): Promise<number | null> {
    const [row]: { idx: string | null }[] = await this.db.query(
      `SELECT min(idx) AS idx FROM log_entries WHERE idx >= $1`,
      [from],
    );
    return row.idx === null ? null : Number(row.idx);
  }

  /** The stored nodes that leaves [start, stop) complete, one indexed range per level, in one query. */
  private async storedNodes(start: number, stop: number): Promise<Map<string, Buffer>> {
    const ranges = completedNodeRanges(start, stop);
    const rows: { level: number; idx: string; hash: Buffer }[] = await this.db.query(
      `SELECT n.level, n.idx, n.hash FROM unnest($1::smallint[], $2::bigint[], $3::bigint[]) AS r(level, lo, hi)
       JOIN log_nodes n ON n.level = r.level AND n.idx >= r.lo AND n.idx < r.hi`,
      [ranges.map((r) => r.level), ranges.map((r) => r.from), ranges.map((r) => r.to)],
    );
    return new Map(rows.map((r) => [`${r.level}/${r.idx}`, r.hash]));
  }

  private compareNode(node: StoredNode, stored: Map<string, Buffer>): void {
    const key = `${node.level}/${node.index}`;
    const at = node.index * 2 ** node.level + 2 ** node.level - 1; // the leaf that completes it
    const hash = stored.get(key);
    if (hash === undefined) {
      this.report(
        at,
        node.level === 0
          ? `entry ${node.index}: its leaf node 0/${node.index} is missing from log_nodes`
          : `node ${key} is missing from log_nodes`,
      );
      return;
    }
    this.nodes++;
    if (bytesEqual(hash, node.hash)) return;
    this.report(
      at,
      node.level === 0
        ? `entry ${node.index}: its leaf hash ${toHex(node.hash)} does not match the stored leaf node 0/${node.index} (${toHex(hash)}): the entry or the node was changed`
        : `node ${key}: stored hash ${toHex(hash)} differs from the hash rebuilt from the entries (${toHex(node.hash)})`,
    );
  }

  private closeMissing(position: number): void {
    if (this.missing === null) return;
    const { from, problem } = this.missing;
    if (problem && position - from > 1) problem.text = `entries ${from}–${position - 1} are missing`;
    this.missing = null;
  }

  /** Every checkpoint of exactly `size` entries, now that the tree has that many leaves. */
  private async checkpointsAt(size: number, cursor: CheckpointCursor, entriesEnd: number): Promise<void> {
    for (let cp = await cursor.peek(); cp !== undefined && cp.size <= size; cp = await cursor.peek()) {
      cursor.shift();
      this.checkpoints++;
      const at = cp.size - 0.5;
      const problem = checkpointProblem(cp, this.verifier);
      if (problem) this.report(at, problem);
      if (cp.size > entriesEnd) {
        this.report(at, `checkpoint ${cp.size}: covers ${cp.size} entries but the log holds ${entriesEnd}`);
      }
      if (this.brokenAt === null) {
        const root = cp.size === 0 ? EMPTY_TREE_HASH : this.tree.root();
        if (!bytesEqual(root, cp.root)) {
          this.report(
            at,
            `checkpoint ${cp.size}: root ${toBase64(cp.root)} differs from the root rebuilt from the entries (${toBase64(root)})`,
          );
        }
      }
      const previous = this.previous;
      if (previous !== null && previous.size > 0) {
        try {
          const proof = await consistencyProof(previous.size, cp.size, this.read);
          verifyConsistency(previous.size, cp.size, proof, previous.root, cp.root);
        } catch (error) {
          this.report(
            at,
            `checkpoint ${cp.size}: not consistent with checkpoint ${previous.size} by a proof from the stored nodes (${(error as Error).message})`,
          );
        }
      }
      this.previous = cp;
    }
  }

  /** Each entry's columns agree with its bytes, and it names a version whose record still has its hash. */
  private async checkVersions(parsed: ParsedEntry[]): Promise<void> {
    for (const { idx, row, entry } of parsed) {
      if (row.statement_id !== entry.statementId || row.version_number !== (entry.version ?? null)) {
        this.report(
          idx,
          `entry ${idx}: its columns (statement ${row.statement_id}, version ${row.version_number}) disagree with its bytes (statement ${entry.statementId}, version ${entry.version ?? 'none'})`,
        );
      }
    }
    const named = parsed.filter((p) => p.entry.version !== undefined && UUID.test(p.entry.statementId));
    if (named.length === 0) return;
    const rows: { statement_id: string; number: number; record: unknown; record_sha256: string }[] =
      await this.db.query(
        `SELECT v.statement_id, v.number, v.record, v.record_sha256
         FROM (SELECT DISTINCT * FROM unnest($1::uuid[], $2::int[])) AS w(statement_id, number)
         JOIN versions v ON v.statement_id = w.statement_id AND v.number = w.number`,
        [named.map((p) => p.entry.statementId), named.map((p) => p.entry.version)],
      );
    const versions = new Map(rows.map((r) => [`${r.statement_id}/${r.number}`, r]));
    for (const { idx, entry } of named) {
      const name = `version ${entry.version} of statement ${entry.statementId}`;
      const version = versions.get(`${entry.statementId.toLowerCase()}/${entry.version}`);
      if (version === undefined) {
        this.report(idx, `entry ${idx}: names ${name}, which is not in versions`);
        continue;
      }
      if (entry.recordSha256 !== undefined && entry.recordSha256 !== version.record_sha256) {
        this.report(
          idx,
          `entry ${idx}: recordSha256 ${entry.recordSha256} but ${name} has record_sha256 ${version.record_sha256}`,
        );
      }
      const actual = canonicalSha256(version.record);
      if (actual !== version.record_sha256) {
        this.report(
          idx,
          `entry ${idx}: the record of ${name} now hashes to ${actual}, not its record_sha256 ${version.record_sha256}`,
        );
      }
    }
  }

  /** Each observation entry names a recorded observation of its statement, with the status it says was observed. */
  private async checkObservations(parsed: ParsedEntry[]): Promise<void> {
    for (const { idx, row, entry } of parsed) {
      if ((entry.type === 'observation') !== (row.observation_id !== null)) {
        this.report(
          idx,
          `entry ${idx}: a ${entry.type} entry ${row.observation_id === null ? 'without' : 'with'} an observation_id`,
        );
      }
    }
    const named = parsed.filter((p) => p.row.observation_id !== null && p.entry.type === 'observation');
    if (named.length === 0) return;
    const rows: { id: string; statement_id: string; status: string }[] = await this.db.query(
      `SELECT id, statement_id, status FROM observations WHERE id = ANY($1::uuid[])`,
      [named.map((p) => p.row.observation_id)],
    );
    const observations = new Map(rows.map((r) => [r.id, r]));
    for (const { idx, row, entry } of named) {
      const observation = observations.get(row.observation_id!);
      if (observation === undefined) {
        this.report(
          idx,
          `entry ${idx}: names observation ${row.observation_id}, which is not in observations`,
        );
      } else if (observation.statement_id !== entry.statementId || observation.status !== entry.status) {
        this.report(
          idx,
          `entry ${idx}: says statement ${entry.statementId} was observed ${entry.status}, but observation ${observation.id} is of statement ${observation.statement_id} as ${observation.status}`,
        );
      }
    }
  }

  /**
   * Each quotation entry names a stored quotation of its quoted statement, by the claim's hash, and that
   * claim (the `record` kept beside it) still hashes to it.
   */
  private async checkQuotations(parsed: ParsedEntry[]): Promise<void> {
    const named = parsed.filter((p) => p.entry.type === 'quotation');
    if (named.length === 0) return;
    const rows: { quoted_statement_id: string; record: unknown; record_sha256: string }[] =
      await this.db.query(
        `SELECT quoted_statement_id, record, record_sha256 FROM quotations WHERE record_sha256 = ANY($1::text[])`,
        [named.map((p) => p.entry.recordSha256)],
      );
    const quotations = new Map(rows.map((r) => [r.record_sha256, r]));
    for (const { idx, entry } of named) {
      const quotation = quotations.get(entry.recordSha256 ?? '');
      if (quotation === undefined || quotation.quoted_statement_id !== entry.statementId.toLowerCase()) {
        this.report(
          idx,
          `entry ${idx}: names a quotation ${entry.recordSha256} of quoted statement ${entry.statementId}, which is not in quotations`,
        );
        continue;
      }
      const actual = canonicalSha256(quotation.record);
      if (actual !== quotation.record_sha256) {
        this.report(
          idx,
          `entry ${idx}: the claim of quotation ${quotation.record_sha256} now hashes to ${actual}`,
        );
      }
    }
  }

  /** Each artifact an entry names exists with the same length and SHA-256 of its bytes (hashed by Postgres). */
  private async checkArtifacts(parsed: ParsedEntry[]): Promise<void> {
    const unknown = new Set<string>();
    for (const { entry } of parsed) {
      for (const a of entry.artifacts) if (!this.artifactChecks.has(a.sha256)) unknown.add(a.sha256);
    }
    if (unknown.size > 0) {
      if (this.artifactChecks.size + unknown.size > ARTIFACT_CACHE_LIMIT) this.artifactChecks.clear();
      // bytes in the blob store are rehashed by checkBlobs; here their recorded size is what the entry must match
      const rows: { sha256: string; length: number; actual: string }[] = await this.db.query(
        `SELECT sha256,
                CASE storage WHEN 'blobs' THEN size ELSE length(bytes) END AS length,
                CASE storage WHEN 'blobs' THEN sha256 ELSE encode(sha256(bytes), 'hex') END AS actual
         FROM artifacts WHERE sha256 = ANY($1::text[])`,
        [[...unknown]],
      );
      for (const sha of unknown) this.artifactChecks.set(sha, null);
      for (const r of rows) this.artifactChecks.set(r.sha256, { size: Number(r.length), actual: r.actual });
    }
    for (const { idx, entry } of parsed) {
      for (const a of entry.artifacts) {
        const what = `entry ${idx}: ${a.role} artifact ${a.sha256}`;
        const stored = this.artifactChecks.get(a.sha256);
        if (!stored) this.report(idx, `${what} is not in artifacts`);
        else if (stored.actual !== a.sha256)
          this.report(idx, `${what}: its stored bytes hash to ${stored.actual}`);
        else if (stored.size !== a.size)
          this.report(idx, `${what}: ${stored.size} bytes stored, the entry says ${a.size}`);
      }
    }
  }

  /** Nodes that no tree of this many leaves has (a node (L, i) exists once leaf (i+1)·2^L − 1 does). */
  private async extraNodes(): Promise<void> {
    // with the tree lost, nodes up to the claimed size may be genuine: only those beyond it are extra
    const leaves = this.brokenAt === null ? this.tree.size : this.end;
    const rows: { level: number; idx: string; total: string }[] = await this.db.query(
      `SELECT level, idx, count(*) OVER () AS total FROM log_nodes
       WHERE (idx + 1) * power(2::numeric, level) > $1 ORDER BY level, idx LIMIT 10`,
      [leaves],
    );
    for (const r of rows) {
      this.report(Infinity, `node ${r.level}/${r.idx} should not exist: the log has ${leaves} leaves`);
    }
    if (rows.length > 0 && Number(rows[0].total) > rows.length) {
      this.report(Infinity, `…and ${Number(rows[0].total) - rows.length} more nodes that should not exist`);
    }
  }

  /** Timestamps and cosignatures of a checkpoint that is gone show that it existed. */
  private async orphanReferences(): Promise<void> {
    const rows: { size: string; what: string }[] = await this.db.query(
      `SELECT DISTINCT checkpoint_size AS size, 'a timestamp' AS what FROM log_timestamps t
         WHERE NOT EXISTS (SELECT 1 FROM log_checkpoints c WHERE c.size = t.checkpoint_size)
       UNION
       SELECT DISTINCT checkpoint_size AS size, 'a cosignature' AS what FROM log_cosignatures s
         WHERE NOT EXISTS (SELECT 1 FROM log_checkpoints c WHERE c.size = s.checkpoint_size)
       ORDER BY size LIMIT 100`,
    );
    for (const r of rows)
      this.report(Infinity, `checkpoint ${r.size} is missing, yet ${r.what} refers to it`);
  }
}

/**
 * Audits the log against the log key, in one read-only REPEATABLE READ snapshot (the sequencer may keep
 * appending meanwhile). Throws LedgerFormatError when `logKey` is not a verifier key.
 */
export async function auditLog(db: DataSource, options: AuditOptions): Promise<AuditReport> {
  const batchSize = options.batchSize ?? 10_000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be at least 1');
  parseVerifierKey(options.logKey); // fail before opening a transaction
  return db.transaction('REPEATABLE READ', async (tx) => {
    await tx.query('SET TRANSACTION READ ONLY');
    const auditor = new Auditor(tx, options.logKey, batchSize, options.maxProblems ?? 1000, options.blobs);
    await auditor.run();
    const problems = auditor.problems.map((p) => p.text);
    return {
      ok: problems.length === 0 && auditor.omitted === 0,
      origin: auditor.origin,
      entries: auditor.entries,
      size: auditor.size,
      checkpoints: auditor.checkpoints,
      nodes: auditor.nodes,
      blobs: auditor.blobs,
      problems,
      omittedProblems: auditor.omitted,
    };
  });
}
