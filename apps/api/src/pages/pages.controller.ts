import { Controller, Get, Header, Inject, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Request, type Response } from 'express';
import { DataSource } from 'typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { mementoHeaders } from '../memento';
import { ErrorCode, STATEMENT_STATUSES, VerbatimError } from '@app/core';
import { latestCheckpoint } from '@app/log';
import {
  findAccountView,
  findStatement,
  findVersionLogIndexes,
  listAccounts,
  listRecentlyDeleted,
  listRecentlyEdited,
  listStatements,
  type AccountView,
  type StatementFilter,
  type StatementPage,
} from '@app/persistence';
import { ConnectorRegistry } from '@app/sources';
import { citationsOf, platformName } from './cite/citations';
import { MESSAGES, type Messages } from './i18n';
import { PageErrorFilter } from './page-error.filter';
import { startPage, withQuery, type PageRequest } from './page-response';
import { PageRenderer, type PageFrame } from './renderer';
import { toCsv, toJsonLines } from './search-export';
import { PageParams, parseDay, SearchParams, StatementPageParams } from './search-params';
import { safeSnippet } from './snippet';
import { viewHelpers } from './view-helpers';

const HTML = 'text/html; charset=utf-8';
const PAGE_SIZE = 25;
const HOME_LIST = 10;
/** Tracked accounts a page lists (home) or offers as a filter (search): past this, the API lists them, in pages. */
const ACCOUNTS_LISTED = 200;
const EXPORT_LIMIT = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 24 * 3600 * 1000;

const EVIDENCE_WORDS: Record<string, keyof Messages> = {
  'platform-signed': 'levelPlatformSigned',
  captured: 'levelCaptured',
  quoted: 'levelQuoted',
};

/**
 * The reading room: server-rendered pages over the archive, for people and for machines that read citations.
 * No JavaScript needed; the one script (the in-browser verifier) only adds to the statement page.
 */
@ApiExcludeController()
@Controller()
@UseFilters(PageErrorFilter)
export class PagesController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
    private readonly renderer: PageRenderer,
    private readonly connectors: ConnectorRegistry,
  ) {}

  @Get()
  @Header('Content-Type', HTML)
  async home(
    @Query() _params: PageParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const page = startPage(req, res);
    const [recent, edited, deleted, accounts] = await Promise.all([
      listStatements(this.db.manager, { limit: HOME_LIST }),
      listRecentlyEdited(this.db.manager, HOME_LIST),
      listRecentlyDeleted(this.db.manager, HOME_LIST),
      this.listedAccounts(),
    ]);
    return this.renderer.render('home', this.frame(page, MESSAGES[page.language].navHome), {
      recent: recent.items,
      edited,
      deleted,
      ...accounts,
    });
  }

  @Get('search')
  @Header('Content-Type', HTML)
  async search(
    @Query() params: SearchParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const page = startPage(req, res);
    const filter = this.searchFilter(params, PAGE_SIZE);
    const [results, accounts] = await Promise.all([
      listStatements(this.db.manager, filter),
      this.listedAccounts(params.account),
    ]);
    const platforms = [...this.connectors.platforms].sort();
    const t = MESSAGES[page.language];
    const exportQuery = withQuery(page.pathAndQuery, { cursor: undefined });
    return this.renderer.render(
      'search',
      this.frame(page, params.q ? `${t.navSearch}: ${params.q}` : t.navSearch),
      {
        form: params,
        ...accounts,
        platforms,
        statuses: STATEMENT_STATUSES,
        items: withSafeSnippets(results),
        ...this.pager(page, params.cursor, results.nextCursor),
        csvUrl: withQuery(exportQuery, {}).replace(/^\/search/, '/search.csv'),
        jsonlUrl: withQuery(exportQuery, {}).replace(/^\/search/, '/search.jsonl'),
      },
    );
  }

  @Get('search.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="verbatim-search.csv"')
  async searchCsv(
    @Query() params: SearchParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const results = await this.exportPage(params, req, res);
    return toCsv(results.items, this.config.alerts.publicUrl);
  }

  @Get('search.jsonl')
  @Header('Content-Type', 'application/jsonl; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="verbatim-search.jsonl"')
  async searchJsonLines(
    @Query() params: SearchParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const results = await this.exportPage(params, req, res);
    return toJsonLines(results.items, this.config.alerts.publicUrl);
  }

  @Get('accounts/:id')
  @Header('Content-Type', HTML)
  async account(
    @Param('id') id: string,
    @Query() params: PageParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const page = startPage(req, res);
    const account = UUID.test(id) ? await findAccountView(this.db.manager, id) : null;
    if (!account) throw new VerbatimError(ErrorCode.NotFound, `There is no account ${id} in this archive.`);
    const timeline = await listStatements(this.db.manager, {
      accountId: id,
      cursor: params.cursor,
      limit: PAGE_SIZE,
    });
    const name = viewHelpers(page.language, MESSAGES[page.language]).accountName(account);
    return this.renderer.render(
      'account',
      {
        ...this.frame(page, name),
        links: [
          {
            rel: 'alternate',
            type: 'application/atom+xml',
            href: `/feeds/accounts/${id}.atom`,
            title: MESSAGES[page.language].atomFeed,
          },
        ],
      },
      { account, items: timeline.items, ...this.pager(page, params.cursor, timeline.nextCursor) },
    );
  }

  @Get('statements/:id')
  @Header('Content-Type', HTML)
  async statement(
    @Param('id') id: string,
    @Query() params: StatementPageParams,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const page = startPage(req, res);
    const statement = UUID.test(id) ? await findStatement(this.db.manager, id) : null;
    if (!statement)
      throw new VerbatimError(ErrorCode.NotFound, `There is no statement ${id} in this archive.`);
    const latest = statement.versions[statement.versions.length - 1];
    // ?version=N: that version's memento (the TimeGate and TimeMap link to each version so)
    const wanted = params.version === undefined ? undefined : Number(params.version);
    const shown = wanted === undefined ? latest : statement.versions.find((v) => v.number === wanted);
    if (!shown)
      throw new VerbatimError(
        ErrorCode.NotFound,
        `Statement ${id} has no version ${wanted}: it has versions 1 to ${latest.number}.`,
      );
    // at ?version=N the page is a memento of the post (RFC 7089): when it was captured, and where its TimeGate
    // and TimeMap are; without, it follows the latest version and names it as the last memento
    const memento = mementoHeaders(statement, this.config.alerts.publicUrl, wanted);
    if (memento) res.set(memento);
    const [logIndexes, checkpoint] = await Promise.all([
      findVersionLogIndexes(this.db.manager, id),
      latestCheckpoint(this.db.manager),
    ]);
    const t = MESSAGES[page.language];
    const h = viewHelpers(page.language, t);
    // cited by the number of the version shown, even on the page that follows the latest: a later edit changes
    // what /statements/:id shows, never what ?version=N does
    const permalink = `${this.config.alerts.publicUrl}/statements/${id}?version=${shown.number}`;
    const author = h.accountName(statement.account);
    const title = h.headline(shown.text, 120) || `${author}, ${statement.platform}`;
    const authored = statement.authoredAt ?? statement.firstCapturedAt;
    const levelKey = EVIDENCE_WORDS[shown.evidenceLevel];
    return this.renderer.render(
      'statement',
      {
        ...this.frame(page, title),
        // Highwire Press tags: what Zotero and Google Scholar read
        meta: [
          { name: 'citation_title', content: title },
          { name: 'citation_author', content: author },
          { name: 'citation_publication_date', content: authored.slice(0, 10).replaceAll('-', '/') },
          { name: 'citation_online_date', content: shown.capturedAt.slice(0, 10).replaceAll('-', '/') },
          { name: 'citation_public_url', content: permalink },
          {
            name: 'citation_publisher',
            content: platformName(statement.platform, statement.url) ?? statement.platform,
          },
          ...(shown.record.language ? [{ name: 'citation_language', content: shown.record.language }] : []),
        ],
        scripts: ['/assets/verify.js'],
      },
      {
        s: statement,
        shown,
        latestNumber: latest.number,
        textLang: shown.record.language,
        logIndex: logIndexes.get(shown.number) ?? null,
        checkpoint: checkpoint && {
          size: checkpoint.size,
          rootHex: checkpoint.root.toString('hex'),
          createdAt: checkpoint.createdAt.toISOString(),
        },
        evidenceLevelText: levelKey ? t[levelKey] : `${t.levelOther} “${shown.evidenceLevel}”`,
        // the bundle of the version shown, not the latest: the verifier checks what this page says
        bundleUrl: `/api/v1/statements/${id}/evidence?version=${shown.number}`,
        citations: citationsOf({
          id,
          permalink,
          title,
          author,
          platform: statement.platform,
          authoredAt: statement.authoredAt,
          capturedAt: shown.capturedAt,
          recordSha256: shown.recordSha256,
          url: statement.url,
          version: shown.number,
          status: statement.status,
          statusChangedAt: statement.statusChangedAt,
          language: shown.record.language,
        }),
      },
    );
  }

  private frame(page: PageRequest, title: string): PageFrame {
    return { language: page.language, nonce: page.nonce, title, pathAndQuery: page.pathAndQuery };
  }

  private pager(page: PageRequest, cursor: string | undefined, nextCursor: string | null) {
    return {
      firstPageUrl: cursor ? withQuery(page.pathAndQuery, { cursor: undefined }) : null,
      nextPageUrl: nextCursor ? withQuery(page.pathAndQuery, { cursor: nextCursor }) : null,
    };
  }

  /**
   * The first tracked accounts, at most ACCOUNTS_LISTED (an archive of 100,000 would otherwise read and render every
   * one on each page), and whether there are more; with `selected` among them when it names an account.
   */
  private async listedAccounts(
    selected?: string,
  ): Promise<{ accounts: AccountView[]; moreAccounts: boolean }> {
    const page = await listAccounts(this.db.manager, { tracking: 'true', limit: ACCOUNTS_LISTED });
    const accounts = page.items;
    if (selected && !accounts.some((a) => a.id === selected)) {
      const account = UUID.test(selected) ? await findAccountView(this.db.manager, selected) : null;
      if (account) accounts.unshift(account);
    }
    return { accounts, moreAccounts: page.nextCursor !== null };
  }

  private searchFilter(params: SearchParams, limit: number): StatementFilter {
    const since = params.since ? parseDay(params.since, 'since') : undefined;
    // "on or before" a day: before the start of the next one
    const until = params.until ? new Date(parseDay(params.until, 'until').getTime() + DAY_MS) : undefined;
    if (since && until && since >= until)
      throw new VerbatimError(ErrorCode.InvalidInput, 'since: must be on or before until');
    this.connectors.refuseUnknownPlatform(params.platform);
    return {
      q: params.q,
      accountId: params.account,
      platform: params.platform,
      language: params.language,
      status: params.status,
      since,
      until,
      cursor: params.cursor,
      withSnippets: true,
      limit,
    };
  }

  /** Up to EXPORT_LIMIT results from the cursor on; a Link header names the rest when there is more. */
  private async exportPage(params: SearchParams, req: Request, res: Response): Promise<StatementPage> {
    const results = await listStatements(this.db.manager, {
      ...this.searchFilter(params, EXPORT_LIMIT),
      withSnippets: false,
    });
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (results.nextCursor) {
      res.setHeader('Link', `<${withQuery(req.originalUrl, { cursor: results.nextCursor })}>; rel="next"`);
    }
    return results;
  }
}

function withSafeSnippets(page: StatementPage) {
  return page.items.map((item) => ({ ...item, safeSnippet: safeSnippet(item.snippet) }));
}
