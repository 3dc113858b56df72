import { Controller, Get, Header, Inject, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { ErrorCode, VerbatimError } from '@app/core';
import { findAccountView, listStatements, type StatementFilter } from '@app/persistence';
import { atomFeed } from './atom-feed';

const ENTRIES = 50;
const ATOM = 'application/atom+xml; charset=utf-8';

/** Atom 1.0 feeds of the archive, for feed readers and newsroom tools. */
@ApiTags('feeds')
@Controller('feeds')
export class FeedsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
  ) {}

  @Get('statements.atom')
  @Header('Content-Type', ATOM)
  @ApiProduces('application/atom+xml')
  statements(): Promise<string> {
    return this.feed('/feeds/statements.atom', 'Verbatim: new statements', 'Statements as captured', {});
  }

  @Get('deleted.atom')
  @Header('Content-Type', ATOM)
  @ApiProduces('application/atom+xml')
  deleted(): Promise<string> {
    return this.feed('/feeds/deleted.atom', 'Verbatim: deleted statements', 'Statements confirmed deleted', {
      status: 'deleted',
    });
  }

  @Get('accounts/:id.atom')
  @Header('Content-Type', ATOM)
  @ApiProduces('application/atom+xml')
  async account(@Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 400 })) id: string): Promise<string> {
    const account = await findAccountView(this.db.manager, id);
    if (!account) throw new VerbatimError(ErrorCode.NotFound, `no account ${id}`);
    const name = account.displayName ? `${account.displayName} (@${account.handle})` : `@${account.handle}`;
    return this.feed(`/feeds/accounts/${id}.atom`, `Verbatim: ${name}`, `Statements of ${name}`, {
      accountId: id,
    });
  }

  private async feed(
    path: string,
    title: string,
    description: string,
    filter: Omit<StatementFilter, 'limit'>,
  ): Promise<string> {
    const { items } = await listStatements(this.db.manager, { ...filter, limit: ENTRIES });
    const publicUrl = this.config.alerts.publicUrl;
    return atomFeed({ selfUrl: `${publicUrl}${path}`, title, description, publicUrl, statements: items });
  }
}
