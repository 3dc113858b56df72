import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ErrorCode, VerbatimError, type StatementRecord } from '@app/core';
import { ListStatementsQuery } from './list-statements.query';

interface StatementRow {
  id: string;
  seq: string;
  platform: string;
  url: string;
  authored_at: Date | null;
  first_captured_at: Date;
  last_seen_at: Date;
  status: string;
  latest_version: number;
  latest_text: string;
  account_id: string;
  account_handle: string;
  account_display_name: string | null;
  account_url: string;
}

const STATEMENT_COLUMNS = `s.id, s.seq, s.platform, s.url, s.authored_at, s.first_captured_at, s.last_seen_at, s.status,
  s.latest_version, s.latest_text, a.id AS account_id, a.handle AS account_handle,
  a.display_name AS account_display_name, a.profile_url AS account_url`;

function statementSummary(row: StatementRow) {
  return {
    id: row.id,
    platform: row.platform,
    url: row.url,
    account: {
      id: row.account_id,
      handle: row.account_handle,
      displayName: row.account_display_name,
      url: row.account_url,
    },
    authoredAt: row.authored_at?.toISOString() ?? null,
    firstCapturedAt: row.first_captured_at.toISOString(),
    lastSeenAt: row.last_seen_at.toISOString(),
    status: row.status,
    latestVersion: row.latest_version,
  };
}

@ApiTags('statements')
@Controller('api/v1/statements')
export class StatementsController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Newest captured first; the cursor is a position in capture order, so pages stay stable while captures arrive. */
  @Get()
  async list(@Query() query: ListStatementsQuery) {
    const limit = query.limit ?? 50;
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.accountId) add('s.account_id = ?', query.accountId);
    if (query.q) add(`s.search @@ websearch_to_tsquery('simple', ?)`, query.q);
    if (query.since) add('s.authored_at >= ?', new Date(query.since));
    if (query.until) add('s.authored_at < ?', new Date(query.until));
    if (query.status) add('s.status = ?', query.status);
    if (query.cursor) add('s.seq < ?', query.cursor);
    params.push(limit + 1);
    const rows: StatementRow[] = await this.db.query(
      `SELECT ${STATEMENT_COLUMNS} FROM statements s JOIN accounts a ON a.id = s.account_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY s.seq DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    return {
      items: page.map((row) => ({ ...statementSummary(row), text: row.latest_text })),
      nextCursor: rows.length > limit ? page[page.length - 1].seq : null,
    };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 400 })) id: string) {
    const [row]: StatementRow[] = await this.db.query(
      `SELECT ${STATEMENT_COLUMNS} FROM statements s JOIN accounts a ON a.id = s.account_id WHERE s.id = $1`,
      [id],
    );
    if (!row) throw new VerbatimError(ErrorCode.NotFound, `no statement ${id}`);
    const versions: {
      number: number;
      captured_at: Date;
      record: StatementRecord;
      record_sha256: string;
      evidence_level: string;
    }[] = await this.db.query(
      `SELECT number, captured_at, record, record_sha256, evidence_level FROM versions WHERE statement_id = $1 ORDER BY number`,
      [id],
    );
    const artifacts: {
      version_number: number;
      role: string;
      media_type: string;
      size: number;
      sha256: string;
    }[] = await this.db.query(
      `SELECT va.version_number, va.role, ar.media_type, ar.size, va.sha256
       FROM version_artifacts va JOIN artifacts ar ON ar.sha256 = va.sha256
       WHERE va.statement_id = $1 ORDER BY va.version_number, va.role, va.sha256`,
      [id],
    );
    return {
      ...statementSummary(row),
      versions: versions.map((v) => ({
        number: v.number,
        capturedAt: v.captured_at.toISOString(),
        text: v.record.text,
        html: v.record.html,
        record: v.record,
        recordSha256: v.record_sha256,
        evidenceLevel: v.evidence_level,
        artifacts: artifacts
          .filter((a) => a.version_number === v.number)
          .map((a) => ({
            role: a.role,
            mediaType: a.media_type,
            size: a.size,
            sha256: a.sha256,
            url: `/api/v1/artifacts/${a.sha256}`,
          })),
      })),
    };
  }
}
