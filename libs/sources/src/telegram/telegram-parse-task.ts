import { type StatementContent } from '@app/core';
import { messageToContent } from './telegram-content';
import { type ChannelPage, type EmbedPage, parseChannelPage, parseEmbedPage } from './telegram-page';
import { asBuffer } from '../parsing/thread-bytes';

/**
 * Which messages of a channel page become statements, of which account: those newer than `after` (every one when
 * it is 0) but service messages; none when null (a page read for its channel or its presence only).
 */
export type ChannelStatements = { statementsOf: { handle: string; after: number } | null };

/** What a Telegram parse thread is asked; plain data, so that it can be sent to a worker thread. */
export type TelegramParseInput =
  /** a channel's web preview page */
  | ({ kind: 'channel'; bytes: Uint8Array } & ChannelStatements)
  /** a post's embed widget; its statement is of `handle`, or of the channel the widget names when null */
  | { kind: 'embed'; bytes: Uint8Array; handle: string | null };

/** A page read, and the statements its messages show: every CPU-heavy step (the DOM, HTML to text) is in here. */
export type TelegramParseOutput =
  /** `contents[i]` is the statement of `page.messages[i]`, null for a message not asked for */
  | { kind: 'channel'; page: ChannelPage; contents: (StatementContent | null)[] }
  | { kind: 'embed'; embed: EmbedPage; content: StatementContent | null };

export function runTelegramParse(input: TelegramParseInput): TelegramParseOutput {
  const bytes = asBuffer(input.bytes);
  if (input.kind === 'channel') {
    const page = parseChannelPage(bytes);
    const wanted = input.statementsOf;
    const contents = page.messages.map((m) =>
      wanted && !m.isService && m.id > wanted.after ? messageToContent(m, wanted.handle) : null,
    );
    return { kind: 'channel', page, contents };
  }
  const embed = parseEmbedPage(bytes);
  const content =
    embed.kind === 'message' ? messageToContent(embed.message, input.handle ?? embed.message.channel) : null;
  return { kind: 'embed', embed, content };
}
