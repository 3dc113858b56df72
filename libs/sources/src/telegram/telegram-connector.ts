import { z } from 'zod';
import { ErrorCode, SourceError, type StatementContent } from '@app/core';
import {
  type Connector,
  type FetchedPost,
  type PollResult,
  type PostAnswer,
  type PostRef,
  type RawArtifact,
  type ResolvedAccount,
} from '../connector';
import { cursorReader } from '../cursor';
import { type GuardedHttpClient, type HttpResponse, throwForStatus } from '../http';
import { findIdGaps } from './telegram-gaps';
import { type ChannelPage, missingPreviewReason } from './telegram-page';
import { type ChannelStatements } from './telegram-parse-task';
import { type TelegramParsing, inThreadTelegramParsing } from './telegram-parsing';
import { TelegramRecheck, artifactsOf } from './telegram-recheck';
import {
  TELEGRAM_HOSTS,
  embedUrl,
  parseTelegramChannelUrl,
  parseTelegramPostUrl,
  previewUrl,
  publicChannelUrl,
} from './telegram-urls';

export const DEFAULT_TELEGRAM_BASE_URL = 'https://t.me';

export interface TelegramConnectorOptions {
  /** where the web preview is read: VERBATIM_TELEGRAM_BASE_URL, https://t.me by default */
  baseUrl?: string;
  /** how many messages the first poll of a channel reads back; default 200 */
  backfillLimit?: number;
  /** most preview pages (about 20 messages each) one poll may read; default 20 */
  maxPages?: number;
  /** most embed reads one `fetchMany` may make; default 100 */
  maxLookups?: number;
  /** where pages are read; default in this thread (servers pass a worker thread for big ones) */
  parsing?: TelegramParsing;
}

/** Where the last poll stopped: the newest message id the preview listed (service messages included). */
const telegramCursor = z.object({ newestId: z.number().int().positive().optional() }).strict();
export type TelegramCursor = z.infer<typeof telegramCursor>;

interface ReadPage {
  page: ChannelPage;
  /** the statement each of the page's messages shows, in the same order; null for those not asked for */
  contents: (StatementContent | null)[];
  artifacts: RawArtifact[];
  httpStatus: number;
}

/** Public Telegram channels through their web preview (`/s/<channel>`), without an account or a bot. */
export class TelegramConnector implements Connector<TelegramCursor> {
  readonly platform = 'telegram' as const;
  readonly describes =
    'a public Telegram channel URL (https://t.me/channel) or post URL (https://t.me/channel/123)';
  readonly readCursor = cursorReader('Telegram', telegramCursor);
  private readonly baseUrl: string;
  /** the base URL's host, when it is not one of Telegram's own: URLs on it are recognised too */
  private readonly mirrorHost: string | undefined;
  private readonly backfillLimit: number;
  private readonly maxPages: number;
  private readonly maxLookups: number;
  private readonly parsing: TelegramParsing;

  constructor(
    private readonly http: Pick<GuardedHttpClient, 'request'>,
    options: TelegramConnectorOptions = {},
  ) {
    this.baseUrl = options.baseUrl ?? DEFAULT_TELEGRAM_BASE_URL;
    const host = new URL(this.baseUrl).host.toLowerCase();
    this.mirrorHost = TELEGRAM_HOSTS.has(host) ? undefined : host;
    this.backfillLimit = Math.max(1, options.backfillLimit ?? 200);
    this.maxPages = Math.max(1, options.maxPages ?? 20);
    this.maxLookups = Math.max(0, options.maxLookups ?? 100);
    this.parsing = options.parsing ?? inThreadTelegramParsing();
  }

  canTrack(url: URL): boolean {
    return parseTelegramChannelUrl(url, this.mirrorHost) !== null;
  }

  canCapture(url: URL): boolean {
    return parseTelegramPostUrl(url, this.mirrorHost) !== null;
  }

  async resolve(url: URL): Promise<ResolvedAccount> {
    const channel = parseTelegramChannelUrl(url, this.mirrorHost);
    if (!channel) throw new SourceError(ErrorCode.UnsupportedUrl, `not ${this.describes}: ${url.href}`);
    const { page } = await this.readPage(channel, null, undefined, (reason) => {
      // a 400 for the person tracking it: nothing to retry, only public channels can be read this way
      return new SourceError(
        ErrorCode.UnsupportedUrl,
        `t.me/${channel}: this channel has no public web preview (${reason}); only public channels whose ` +
          'posts show at https://t.me/s/<channel> can be tracked',
      );
    });
    const handle = page.messages[0]?.channel ?? page.username ?? channel;
    return toResolvedAccount(handle, page.title);
  }

  async poll(account: ResolvedAccount, cursor: TelegramCursor): Promise<PollResult<TelegramCursor>> {
    const channel = channelOf(account);
    const known = cursor.newestId;
    const pages = await this.readPages(channel, { handle: account.handle, after: known ?? 0 }, known);
    const listed = pages.flatMap(({ page }) => page.messages.flatMap((m) => [m.id, ...m.albumIds]));
    const newestId = Math.max(known ?? 0, ...listed) || undefined;
    const fresh = new Map<number, FetchedPost>();
    for (const { page, contents, artifacts } of pages) {
      page.messages.forEach((message, i) => {
        // read as statements: the messages newer than the cursor but service ones
        const content = contents[i];
        if (!content || fresh.has(message.id)) return;
        fresh.set(message.id, { content, artifacts, evidenceLevel: 'captured' });
      });
    }
    // only ids we may hold: a gap above the cursor is a message deleted before we ever saw it
    const suspectedMissing =
      known === undefined
        ? []
        : findIdGaps(listed)
            .filter((id) => id <= known)
            .map(String);
    const httpStatus = pages[pages.length - 1]?.httpStatus ?? 200;
    const next: TelegramCursor = { ...cursor, newestId };
    if (fresh.size === 0) return { kind: 'unchanged', httpStatus, cursor: next, suspectedMissing };
    // the first poll keeps the newest backfillLimit messages; older ones are not read at all
    const posts = [...fresh.entries()]
      .sort(([a], [b]) => a - b)
      .slice(known === undefined ? -this.backfillLimit : 0)
      .map(([, post]) => post);
    return { kind: 'posts', httpStatus, posts, cursor: next, suspectedMissing };
  }

  /** "Capture this URL now": the one message a post URL names, read through its embed widget. */
  async capture(url: URL): Promise<{ account: ResolvedAccount; posts: FetchedPost[] }> {
    const location = parseTelegramPostUrl(url, this.mirrorHost);
    if (!location)
      throw new SourceError(
        ErrorCode.UnsupportedUrl,
        `not a Telegram post URL (https://t.me/channel/123): ${url.href}`,
      );
    const { channel, messageId } = location;
    const what = `Telegram post ${channel}/${messageId}`;
    const response = await this.get(embedUrl(this.baseUrl, channel, messageId));
    throwForStatus(response, what);
    const { embed, content } = await this.parsing.embedPage(response.body, null, response.url);
    if (embed.kind === 'error')
      throw new SourceError(
        ErrorCode.SourceNotFound,
        `${what}: Telegram says "${embed.text}"`,
        response.status,
      );
    const message = embed.kind === 'message' ? embed.message : null;
    if (
      !message ||
      !content ||
      message.channel.toLowerCase() !== channel.toLowerCase() ||
      message.id !== messageId
    )
      throw new SourceError(
        ErrorCode.SourceInvalidResponse,
        `${what}: the answer is not this post's embed widget`,
      );
    // the statement is of the channel as the widget spells it, which is the account's handle
    const account = toResolvedAccount(message.channel, message.ownerName);
    return { account, posts: [{ content, artifacts: artifactsOf(response), evidenceLevel: 'captured' }] };
  }

  /** One embed read per post (Telegram has no batch lookup); "Post not found" is definitive. */
  fetchMany(account: ResolvedAccount, refs: PostRef[]): Promise<PostAnswer[]> {
    const recheck = new TelegramRecheck(account, {
      get: (url) => this.get(url),
      baseUrl: this.baseUrl,
      channel: channelOf(account),
      maxLookups: this.maxLookups,
      parsing: this.parsing,
    });
    return recheck.run(refs);
  }

  /**
   * The newest page, then older ones with `?before=`: on the first poll until `backfillLimit` messages, later
   * until the page reaches the cursor (a burst of more than one page since the last poll is read whole).
   */
  private async readPages(
    channel: string,
    statementsOf: ChannelStatements['statementsOf'],
    known: number | undefined,
  ): Promise<ReadPage[]> {
    const pages: ReadPage[] = [];
    let before: number | undefined;
    let posts = 0;
    for (let count = 0; count < this.maxPages; count++) {
      const read = await this.readPage(channel, statementsOf, before, (reason) => {
        return new SourceError(
          ErrorCode.SourceAuthRequired,
          `Telegram channel ${channel} no longer has a public web preview (${reason})`,
        );
      });
      pages.push(read);
      const ids = read.page.messages.map((m) => m.id);
      posts += read.page.messages.filter((m) => !m.isService).length;
      const older = read.page.olderBefore;
      // stop at the channel's start, at the cursor, at the backfill limit, or when a page does not move back
      if (ids.length === 0 || older === null || (before !== undefined && older >= before)) break;
      if (known !== undefined ? Math.min(...ids) <= known + 1 : posts >= this.backfillLimit) break;
      before = older;
    }
    return pages;
  }

  /** One preview page, with the statements asked for (none for resolve). */
  private async readPage(
    channel: string,
    statementsOf: ChannelStatements['statementsOf'],
    before: number | undefined,
    noPreview: (reason: string) => SourceError,
  ): Promise<ReadPage> {
    const response = await this.get(previewUrl(this.baseUrl, channel, before));
    throwForStatus(response, `Telegram channel ${channel}`);
    const { page, contents } = await this.parsing.channelPage(response.body, { statementsOf }, response.url);
    const missing = missingPreviewReason(response.url, page);
    if (missing) throw noPreview(missing);
    return { page, contents, artifacts: artifactsOf(response), httpStatus: response.status };
  }

  private get(url: URL): Promise<HttpResponse> {
    return this.http.request(url, { headers: { Accept: 'text/html' } });
  }
}

function toResolvedAccount(handle: string, displayName: string | null): ResolvedAccount {
  return {
    platform: 'telegram',
    handle,
    // usernames are case-insensitive: one account whichever way a URL spells it
    externalId: handle.toLowerCase(),
    displayName: displayName || handle,
    profileUrl: publicChannelUrl(handle),
    sourceUrl: `https://t.me/s/${handle.toLowerCase()}`,
  };
}

/** The channel an account row names; rows are only written by this connector, so a bad one is a bug. */
function channelOf(account: ResolvedAccount): string {
  const channel = parseTelegramChannelUrl(new URL(account.profileUrl));
  if (!channel)
    throw new SourceError(ErrorCode.InvalidInput, `not a Telegram channel: ${account.profileUrl}`);
  return channel;
}
