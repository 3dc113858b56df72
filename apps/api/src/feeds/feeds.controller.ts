import { Controller, Get, Inject, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { ErrorCode, VerbatimError } from '@app/core';
import {
  findAccountView,
  listAccounts,
  listDeletedAndRestored,
  listStatements,
  withLatestCaptureTimes,
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

  /** Newest captured first, in an order edits and status changes never move: a changed entry is `updated`. */
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

  /**
   * Confirmed deletions and the restorations of deleted statements, the latest status change first: a newsroom
   * learns of a deletion as it is seen, and of its reversal, which the same entry then says.
   */
  @Get('deleted.atom')
  @ApiProduces('application/atom+xml')
  async deleted(@Res({ passthrough: true }) res: Response): Promise<string> {
    const items = await listDeletedAndRestored(this.db.manager, ENTRIES);
    return this.send(res, items, {
      path: '/feeds/deleted.atom',
      title: 'Verbatim: deleted statements',
      description: 'Statements confirmed deleted, and restored after a deletion, the latest change first',
      restorations: true,
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
      emptySince: new Date(account.createdAt),
    });
  }

  private async send(
    res: Response,
    statements: StatementSummaryView[],
    feed: FeedDescription,
  ): Promise<string> {
    const publicUrl = this.config.alerts.publicUrl;
    const { path, ...described } = feed;
    const xml = atomFeed({
      ...described,
      selfUrl: `${publicUrl}${path}`,
      publicUrl,
      // an entry is updated by its latest version's capture, which lists and searches do not read
      statements: await withLatestCaptureTimes(this.db.manager, statements),
      // an empty feed has not changed since it began (the archive did, unless the feed says): not since it was read
      emptySince: feed.emptySince ?? (statements.length === 0 ? await this.archiveBegan() : undefined),
    });
    res.setHeader('Content-Type', ATOM);
    return xml;
  }

  /** When the archive began following anything: its first account's creation (now, before it has one). */
  private async archiveBegan(): Promise<Date> {
    const { items } = await listAccounts(this.db.manager, { tracking: 'all', limit: 1 });
    return items.length > 0 ? new Date(items[0].createdAt) : new Date();
  }
}
