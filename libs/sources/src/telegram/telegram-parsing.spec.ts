import { join } from 'node:path';
import {
  TELEGRAM_HOSTILE_CHANNEL as CHANNEL,
  telegramMessage as message,
  telegramPage,
} from '@app/testing/hostile/platform-corpus';
import { renderEmbed } from '@app/testing/fake-telegram/telegram-markup';
import { messageToContent } from './telegram-content';
import { parseChannelPage } from './telegram-page';
import { OFF_THREAD_TELEGRAM_BYTES, telegramParsing } from './telegram-parsing';

describe('telegramParsing', () => {
  const parsing = telegramParsing({ timeoutMs: 1000, script: join(__dirname, 'no-such-worker.js') });
  afterAll(() => parsing.close());

  it('reads in this thread when run from sources, where no compiled worker script exists', () => {
    expect(parsing.where).toBe('in-thread');
  });

  it('reads a channel page with the statements of the messages newer than the one given, of the handle given', async () => {
    const html = Buffer.from(
      telegramPage(message(6, 'Held already.'), message(7, 'First <b>statement</b>.'), message(8, 'Second.')),
    );
    const read = await parsing.channelPage(
      html,
      { statementsOf: { handle: 'Hostile_MFA', after: 6 } },
      'https://t.me/s/hostile_mfa',
    );
    expect(read.page).toEqual(parseChannelPage(html));
    expect(read.contents).toEqual([
      null,
      ...read.page.messages.slice(1).map((m) => messageToContent(m, 'Hostile_MFA')),
    ]);
    expect(read.contents.map((c) => c && [c.postId, c.text, c.account])).toEqual([
      null,
      ['7', 'First statement.', 'Hostile_MFA'],
      ['8', 'Second.', 'Hostile_MFA'],
    ]);
    // every message from 0; none when only the page itself is wanted (resolving a channel, checking its preview)
    const all = await parsing.channelPage(html, { statementsOf: { handle: 'h', after: 0 } }, 'x');
    expect(all.contents.every((c) => c !== null)).toBe(true);
    const none = await parsing.channelPage(html, { statementsOf: null }, 'x');
    expect(none.contents).toEqual([null, null, null]);
  });

  it('reads a page past the thread threshold the same way (in this thread here, on a worker thread when built)', async () => {
    const many = Array.from({ length: 400 }, (_, i) => message(100 + i, `Message ${i}.`));
    const html = Buffer.from(telegramPage(...many));
    expect(html.length).toBeGreaterThan(OFF_THREAD_TELEGRAM_BYTES);
    const read = await parsing.channelPage(
      html,
      { statementsOf: { handle: 'hostile_mfa', after: 0 } },
      'https://t.me/s/hostile_mfa',
    );
    expect(read.contents).toHaveLength(400);
    expect(read.contents[399]).toMatchObject({ postId: '499', text: 'Message 399.' });
  });

  it("reads an embed widget's message as a statement of the handle given, or of the channel it names", async () => {
    const html = Buffer.from(renderEmbed(CHANNEL, message(9, 'Embedded.')));
    const own = await parsing.embedPage(html, null, 'https://t.me/hostile_mfa/9?embed=1');
    expect(own.embed.kind).toBe('message');
    expect(own.content).toMatchObject({ postId: '9', text: 'Embedded.', account: 'hostile_mfa' });
    const tracked = await parsing.embedPage(html, 'Tracked', 'https://t.me/hostile_mfa/9?embed=1');
    expect(tracked.content).toMatchObject({ account: 'Tracked' });
    const none = await parsing.embedPage(Buffer.from('<html><body>nothing</body></html>'), null, 'x');
    expect(none).toEqual({ kind: 'embed', embed: { kind: 'unrecognised' }, content: null });
  });
});
