import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Request, type Response } from 'express';
import { DataSource } from 'typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { ErrorCode, VerbatimError } from '@app/core';
import { findMementoCaptures, findProfileAccountId, type MementoCapture } from '@app/persistence';
import { linkFormatDocument, linkHeader } from './link-format';
import { nearestMemento, parseAcceptDatetime } from './memento-datetime';
import { mementoUri, originalLinks, timemapLinks } from './memento-links';
import { lookupOf, originalUrlOf } from './original-url';

const TIMEGATE = '/timegate/';
const TIMEMAP = '/timemap/link/';

/**
 * Memento (RFC 7089) for the statements we hold. The original resource is a statement's platform URL, found
 * also from the URL as people share it (tracking tags, X's other hosts, names in another case: lookupOf); each
 * captured version is a memento, served by the statement page. A profile URL is not an original we hold: we keep an account's
 * statements, never its profile page, so calling them mementos of it would be false.
 */
@ApiTags('memento')
@Controller()
export class MementoController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
  ) {}

  /** TimeGate (RFC 7089 pattern 2.1, 302-style): a 302 to the capture nearest `Accept-Datetime`, or to the latest without it. */
  @Get('timegate/*original')
  async timegate(@Req() req: Request, @Res() res: Response): Promise<void> {
    const original = this.originalOf(req, TIMEGATE);
    const header = req.headers['accept-datetime'];
    let at: Date | undefined;
    if (header !== undefined) {
      const parsed = parseAcceptDatetime(Array.isArray(header) ? header.join(', ') : header);
      if ('error' in parsed) throw new VerbatimError(ErrorCode.InvalidInput, parsed.error);
      at = parsed.date;
    }
    const { url, mementos } = await this.mementosOf(original);
    const chosen = nearestMemento(mementos, at);
    const publicUrl = this.config.alerts.publicUrl;
    res
      .status(302)
      .setHeader('Vary', 'accept-datetime')
      .setHeader('Location', mementoUri(publicUrl, chosen))
      .setHeader('Link', linkHeader(originalLinks(publicUrl, url)))
      .end();
  }

  /** TimeMap: every capture of the URL, oldest first, in `application/link-format`. */
  @Get('timemap/link/*original')
  @ApiProduces('application/link-format')
  async timemap(@Req() req: Request, @Res() res: Response): Promise<void> {
    const original = this.originalOf(req, TIMEMAP);
    const { url, mementos } = await this.mementosOf(original);
    res
      .status(200)
      .type('application/link-format; charset=utf-8')
      .send(linkFormatDocument(timemapLinks(this.config.alerts.publicUrl, url, mementos)));
  }

  private originalOf(req: Request, prefix: string): string {
    const original = originalUrlOf(req.originalUrl, prefix);
    if ('error' in original) throw new VerbatimError(ErrorCode.InvalidInput, original.error);
    return original.url;
  }

  /**
   * The captures of the statement `original` names, and its URL as we hold it (the original of every link we
   * answer with): the URL as asked first, then without what a shared link adds, then the platform post it
   * names (lookupOf). One query, and one more to explain a miss.
   */
  private async mementosOf(original: string): Promise<{ url: string; mementos: MementoCapture[] }> {
    const lookup = lookupOf(original);
    const found = await findMementoCaptures(this.db.manager, lookup);
    if (found) return found;
    const accountId = await findProfileAccountId(this.db.manager, lookup);
    if (accountId)
      throw new VerbatimError(
        ErrorCode.NotFound,
        `${original} is an account's profile URL: its profile page is not archived, its statements are; ask for a statement's URL, or download /accounts/${accountId}.warc.gz`,
      );
    throw new VerbatimError(
      ErrorCode.NotFound,
      `no capture of ${original}, with or without its fragment, tracking tags (utm_*, click ids, X's ?s= and ?t=) or a trailing dot on the host, nor of the post it names on X, Mastodon, Bluesky or Telegram (any host form, names in any case): Memento here knows statement URLs as the platform gives them`,
    );
  }
}
