import { Controller, Get, Inject, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsOptional, IsUUID } from 'class-validator';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { ErrorCode, VerbatimError } from '@app/core';
import { serializeEvidenceBundle } from '@app/ledger';
import { evidenceForQuotation, LOG_KEY, type LogKey } from '@app/log';
import {
  findQuotedStatement,
  listQuotedStatements,
  type QuotedStatementPage,
  type QuotedStatementView,
} from '@app/persistence';
import { ListQuotedStatementsQuery } from './list-quoted-statements.query';

export class QuotationEvidenceQuery {
  @ApiPropertyOptional({
    description: "a quotation id (one of the quoted statement's sources); the first when absent",
  })
  @IsOptional()
  @IsUUID('all', { message: 'quotation: must be the id of one of the sources (a UUID)' })
  quotation?: string;
}

/**
 * Statements we know only because documents quoted them (articles, captured pages): claims, never captures.
 * Their own list and search, so the statement search stays as fast as it was.
 */
@ApiTags('quoted-statements')
@Controller('api/v1/quoted-statements')
export class QuotedStatementsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(LOG_KEY) private readonly key: LogKey,
  ) {}

  /** Newest first quoted first, filtered by claimed handle or platform, searched with `q`. */
  @Get()
  list(@Query() query: ListQuotedStatementsQuery): Promise<QuotedStatementPage> {
    return listQuotedStatements(this.db.manager, { ...query, limit: query.limit ?? 50 });
  }

  @Get(':id')
  async get(
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 400 })) id: string,
  ): Promise<QuotedStatementView> {
    const quoted = await findQuotedStatement(this.db.manager, id);
    if (!quoted) throw new VerbatimError(ErrorCode.NotFound, `no quoted statement ${id}`);
    return quoted;
  }

  /**
   * The evidence bundle of one quotation (docs/evidence.md): its `quotation` log entry with an inclusion
   * proof to a signed checkpoint, the claim as its record, and the document it was read from; 202 with
   * Retry-After until a signed checkpoint covers it.
   */
  @Get(':id/evidence')
  async evidence(
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 400 })) id: string,
    @Query() query: QuotationEvidenceQuery,
    @Res() res: Response,
  ): Promise<void> {
    const outcome = await evidenceForQuotation(this.db.manager, this.key, id, query.quotation ?? null);
    if (outcome.kind === 'pending') {
      res.status(202).setHeader('Retry-After', '1');
      res.json({ statusCode: 202, message: 'recorded; waiting for the next signed checkpoint' });
      return;
    }
    const name = query.quotation ?? id;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Content-Disposition', `attachment; filename="${name}.quotation.evidence.json"`);
    res.end(serializeEvidenceBundle(outcome.bundle));
  }
}
