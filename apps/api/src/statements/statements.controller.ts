import { Controller, Get, Inject, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { ErrorCode, VerbatimError } from '@app/core';
import {
  findQuotedStatement,
  findStatement,
  listStatements,
  type QuotedStatementView,
  type StatementPage,
  type StatementView,
} from '@app/persistence';
import { ConnectorRegistry } from '@app/sources';
import { mementoHeaders } from '../memento';
import { ListStatementsQuery } from './list-statements.query';

@ApiTags('statements')
@Controller('api/v1/statements')
export class StatementsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
    private readonly connectors: ConnectorRegistry,
  ) {}

  /** Newest captured first; the cursor is a position in capture order, so pages stay stable while captures arrive. */
  @Get()
  list(@Query() query: ListStatementsQuery): Promise<StatementPage> {
    this.connectors.refuseUnknownPlatform(query.platform);
    return listStatements(this.db.manager, {
      ...query,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
      withSnippets: query.withSnippets === 'true',
      limit: query.limit ?? 50,
    });
  }

  /** A memento of its latest capture (RFC 7089): Memento-Datetime and links to its TimeGate and TimeMap. */
  @Get(':id')
  async get(
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 400 })) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StatementView | QuotedStatementView> {
    const captured = await findStatement(this.db.manager, id);
    if (captured) {
      const memento = mementoHeaders(captured, this.config.alerts.publicUrl);
      if (memento) res.set(memento);
      return captured;
    }
    // ids are UUIDs in both tables: a quoted statement (a claim read from an article) answers here too
    const quoted = await findQuotedStatement(this.db.manager, id);
    if (!quoted) throw new VerbatimError(ErrorCode.NotFound, `no statement ${id}`);
    return quoted;
  }
}
