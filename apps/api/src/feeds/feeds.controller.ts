import { Controller, Get, Inject, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { ErrorCode, VerbatimError } from '@app/core';
import {
  findAccountView,
  listRecentlyDeleted,
  listStatements,
  type StatementSummaryView,
} from '@app/persistence';
import { accountName } from '../common/display-text';
import { atomFeed, type AtomFeedInput } from './atom-feed';

const ENTRIES = 50;
const ATOM = 'application/atom+xml; charset=utf-8';

type FeedDescription = Omit<AtomFeedInput, 'selfUrl' | 'publicUrl' | 'statements'> & { path: string };

/**
 * Atom 1.0 feeds of the archive, for feed readers and newsroom tools. The Atom content type is set once the feed
 * is made, not with `@Header`, which would label an error's JSON as Atom too.
 */
@ApiTags('feeds')
@Controller('feeds')
export class FeedsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
  ) {}

  @Get('statements.atom')
  @ApiProduces('application/atom+xml')
  async statements(@Res({ passthrough: true }) res: Response): Promise<string> {
    const { items } = await listStatements(this.db.manager, { limit: ENTRIES });
    return this.send(res, items, {
      path: '/feeds/statements.atom',
      title: 'Verbatim: new statements',
      description: 'Statements as captured',
    });
  }

  /** Dated by deletion, the most recently deleted first: a newsroom learns of a deletion as it is seen. */
  @Get('deleted.atom')
  @ApiProduces('application/atom+xml')
  async deleted(@Res({ passthrough: true }) res: Response): Promise<string> {
    const items = await listRecentlyDeleted(this.db.manager, ENTRIES);
    return this.send(res, items, {
      path: '/feeds/deleted.atom',
      title: 'Verbatim: deleted statements',
      description: 'Statements confirmed deleted, the most recently deleted first',
      datedBy: 'deletion',
    });
  }

  @Get('accounts/:id.atom')
  @ApiProduces('application/atom+xml')
  async account(
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 400 })) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const account = await findAccountView(this.db.manager, id);
    if (!account) throw new VerbatimError(ErrorCode.NotFound, `no account ${id}`);
    const name = accountName(account);
    const { items } = await listStatements(this.db.manager, { accountId: id, limit: ENTRIES });
    return this.send(res, items, {
      path: `/feeds/accounts/${id}.atom`,
      title: `Verbatim: ${name}`,
      description: `Statements of ${name}`,
    });
  }

  private send(res: Response, statements: StatementSummaryView[], feed: FeedDescription): string {
    const publicUrl = this.config.alerts.publicUrl;
    const { path, ...described } = feed;
    const xml = atomFeed({ ...described, selfUrl: `${publicUrl}${path}`, publicUrl, statements });
    res.setHeader('Content-Type', ATOM);
    return xml;
  }
}
