import { type StatementContent, sourceFailureMessage } from '@app/core';
import { type PostAnswer, type PostRef, type RawArtifact, type ResolvedAccount } from '../connector';
import { type HttpResponse, responseArtifacts } from '../http';
import { type TelegramMessage } from './telegram-message';
import { type ChannelPage, missingPreviewReason } from './telegram-page';
import { type ReadEmbedPage, type TelegramParsing } from './telegram-parsing';
import { embedUrl, previewUrl } from './telegram-urls';

export interface TelegramRecheckOptions {
  /** GET with the connector's headers; throws SourceError when no response came */
  get(url: URL): Promise<HttpResponse>;
  baseUrl: string;
  channel: string;
  /** most embed reads one call may make: Telegram publishes no limit, so we stay polite */
  maxLookups: number;
  /** where the pages are read, as the connector reads them */
  parsing: TelegramParsing;
}

/** Whether the channel still has its public web preview, asked at most once per call. */
type PreviewState =
  | { kind: 'public' }
  | { kind: 'no-preview'; detail: string; httpStatus: number; evidence: RawArtifact[] }
  | { kind: 'unknown'; detail: string };

/**
 * Re-reads known messages of one channel through their embed widgets (`/<channel>/<id>?embed=1`), one request
 * each. "Post not found" in an HTTP 200 is Telegram's definitive answer, but a channel that lost its public
 * preview answers it for every post: before calling a post not found, the channel's preview is checked once.
 */
export class TelegramRecheck {
  private lookups = 0;
  /** set after a timeout, a connection error, a 429 or a 5xx: the host gets no more requests in this call */
  private hostTrouble: string | null = null;
  private preview: Promise<PreviewState> | null = null;

  constructor(
    private readonly account: ResolvedAccount,
    private readonly options: TelegramRecheckOptions,
  ) {}

  async run(refs: PostRef[]): Promise<PostAnswer[]> {
    const answers: PostAnswer[] = [];
    for (const ref of refs) answers.push(await this.answer(ref));
    return answers;
  }

  private async answer(ref: PostRef): Promise<PostAnswer> {
    if (!/^[1-9][0-9]{0,15}$/.test(ref.postId))
      return unknown(ref, `${ref.postId} is not a Telegram message id`);
    if (this.hostTrouble) return unknown(ref, `not asked after an earlier failure: ${this.hostTrouble}`);
    if (this.lookups >= this.options.maxLookups)
      return unknown(ref, `not asked: at most ${this.options.maxLookups} posts per re-check`);
    this.lookups += 1;
    const id = Number(ref.postId);
    const what = `Telegram post ${this.options.channel}/${id}`;
    const response = await this.fetch(embedUrl(this.options.baseUrl, this.options.channel, id), what);
    if (typeof response === 'string') return unknown(ref, response);
    let read: ReadEmbedPage;
    try {
      read = await this.options.parsing.embedPage(response.body, this.account.handle, response.url);
    } catch (error) {
      // refused by the parse deadline: no answer for this post, the others of the re-check keep theirs
      return unknown(ref, sourceFailureMessage(error));
    }
    const { embed, content } = read;
    if (embed.kind === 'message' && content) return this.found(ref, embed.message, content, response, what);
    if (embed.kind === 'error' && /not found/i.test(embed.text)) {
      const preview = await this.channelPreview();
      if (preview.kind === 'public')
        return { kind: 'not-found', ref, httpStatus: response.status, evidence: artifactsOf(response) };
      return this.unlessPrivate(ref, preview);
    }
    // a widget we do not know, or an error other than "not found": said only when the channel is gone private
    const detail =
      embed.kind === 'error' ? `${what}: the widget says "${embed.text}"` : `${what}: not an embed widget`;
    const preview = await this.channelPreview();
    return preview.kind === 'public' ? unknown(ref, detail) : this.unlessPrivate(ref, preview);
  }

  private found(
    ref: PostRef,
    message: TelegramMessage,
    content: StatementContent,
    response: HttpResponse,
    what: string,
  ): PostAnswer {
    const sameChannel = message.channel.toLowerCase() === this.options.channel.toLowerCase();
    if (!sameChannel || String(message.id) !== ref.postId)
      return unknown(ref, `${what}: the widget shows ${message.channel}/${message.id}`);
    return {
      kind: 'found',
      ref,
      post: {
        content,
        artifacts: artifactsOf(response),
        evidenceLevel: 'captured',
      },
    };
  }

  private unlessPrivate(ref: PostRef, preview: Exclude<PreviewState, { kind: 'public' }>): PostAnswer {
    if (preview.kind === 'unknown') return unknown(ref, preview.detail);
    return {
      kind: 'unavailable',
      ref,
      reason: 'private',
      detail: preview.detail,
      httpStatus: preview.httpStatus,
      evidence: preview.evidence,
    };
  }

  private channelPreview(): Promise<PreviewState> {
    this.preview ??= this.readPreview();
    return this.preview;
  }

  private async readPreview(): Promise<PreviewState> {
    const what = `Telegram channel ${this.options.channel}`;
    const response = await this.fetch(previewUrl(this.options.baseUrl, this.options.channel), what);
    if (typeof response === 'string') return { kind: 'unknown', detail: response };
    let page: ChannelPage;
    try {
      ({ page } = await this.options.parsing.channelPage(
        response.body,
        { statementsOf: null },
        response.url,
      ));
    } catch (error) {
      return { kind: 'unknown', detail: sourceFailureMessage(error) };
    }
    const missing = missingPreviewReason(response.url, page);
    if (!missing) return { kind: 'public' };
    return {
      kind: 'no-preview',
      detail: `${what} has no public web preview (${missing})`,
      httpStatus: response.status,
      evidence: artifactsOf(response),
    };
  }

  /** A 200 response, or why there is none; trouble with the host ends this call's requests to it. */
  private async fetch(url: URL, what: string): Promise<HttpResponse | string> {
    if (this.hostTrouble) return `not asked after an earlier failure: ${this.hostTrouble}`;
    let response: HttpResponse;
    try {
      response = await this.options.get(url);
    } catch (error) {
      // our own load refusing the request is not the host's trouble: thrown on, and the re-check put off
      this.hostTrouble = `${what}: ${sourceFailureMessage(error)}`;
      return this.hostTrouble;
    }
    if (response.status === 200) return response;
    const detail = `${what}: HTTP ${response.status}`;
    if (response.status === 429 || response.status >= 500) this.hostTrouble = detail;
    return detail;
  }
}

export function artifactsOf(response: HttpResponse): RawArtifact[] {
  return responseArtifacts(response, 'response', 'text/html');
}

function unknown(ref: PostRef, detail: string): PostAnswer {
  return { kind: 'unknown', ref, detail };
}
