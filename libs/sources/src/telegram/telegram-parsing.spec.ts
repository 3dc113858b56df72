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

  it("reads a channel page with each message's statement, of the handle given", async () => {
    const html = Buffer.from(telegramPage(message(7, 'First <b>statement</b>.'), message(8, 'Second.')));
    const read = await parsing.channelPage(html, 'Hostile_MFA', 'https://t.me/s/hostile_mfa');
    expect(read.page).toEqual(parseChannelPage(html));
    expect(read.contents).toEqual(read.page.messages.map((m) => messageToContent(m, 'Hostile_MFA')));
    expect(read.contents.map((c) => [c.postId, c.text, c.account])).toEqual([
      ['7', 'First statement.', 'Hostile_MFA'],
      ['8', 'Second.', 'Hostile_MFA'],
    ]);
  });

  it('reads a page past the thread threshold the same way (in this thread here, on a worker thread when built)', async () => {
    const many = Array.from({ length: 400 }, (_, i) => message(100 + i, `Message ${i}.`));
    const html = Buffer.from(telegramPage(...many));
    expect(html.length).toBeGreaterThan(OFF_THREAD_TELEGRAM_BYTES);
    const read = await parsing.channelPage(html, 'hostile_mfa', 'https://t.me/s/hostile_mfa');
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
