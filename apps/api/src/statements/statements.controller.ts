import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ErrorCode, VerbatimError } from '@app/core';
import { findStatement, listStatements, type StatementPage, type StatementView } from '@app/persistence';
import { ListStatementsQuery } from './list-statements.query';

@ApiTags('statements')
@Controller('api/v1/statements')
export class StatementsController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Newest captured first; the cursor is a position in capture order, so pages stay stable while captures arrive. */
  @Get()
  list(@Query() query: ListStatementsQuery): Promise<StatementPage> {
    return listStatements(this.db.manager, {
      ...query,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
      withSnippets: query.withSnippets === 'true',
      limit: query.limit ?? 50,
    });
  }

  @Get(':id')
  async get(
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 400 })) id: string,
  ): Promise<StatementView> {
    const statement = await findStatement(this.db.manager, id);
    if (!statement) throw new VerbatimError(ErrorCode.NotFound, `no statement ${id}`);
    return statement;
  }
}
