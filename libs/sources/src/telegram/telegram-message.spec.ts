import { htmlToPlainText } from '@app/core';
import { messageToContent } from './telegram-content';
import { parseViews } from './telegram-message';
import { parseChannelPage, parseEmbedPage } from './telegram-page';

/**
 * Fixtures in the shape of real web-preview markup (tchan's saved pages, PythonicCafe/tchan test_tchan.py):
 * the same classes, attributes and nesting, with our own words.
 */
const OWNER =
  '<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="https://t.me/mfa_test"><span dir="auto">MFA of Testland <i class="emoji" style="background-image:url(\'//telegram.org/img/emoji/40/F09F918D.png\')"><b>👍</b></i></span></a>\n</div>';

function message(id: number, bubble: string, meta = '', extraClasses = ''): string {
  return `<div class="tgme_widget_message_wrap js-widget_message_wrap">
  <div class="tgme_widget_message text_not_supported_wrap${extraClasses} js-widget_message" data-post="mfa_test/${id}" data-view="eyJjIjotMTU5MTUzNzY3NH0">
    <div class="tgme_widget_message_user"><a href="https://t.me/mfa_test"><i class="tgme_widget_message_user_photo bgcolor6" data-content="M"></i></a></div>
    <div class="tgme_widget_message_bubble">
      <i class="tgme_widget_message_bubble_tail"><svg class="bubble_icon" width="9px" height="20px" viewBox="0 0 9 20"></svg></i>
      ${OWNER}
      ${bubble}
      <div class="tgme_widget_message_footer compact js-message_footer"><div class="tgme_widget_message_info short js-message_info"><span class="tgme_widget_message_views">2</span><span class="copyonly"> views</span><span class="tgme_widget_message_meta">${meta}<a class="tgme_widget_message_date" href="https://t.me/mfa_test/${id}"><time datetime="2023-02-24T07:48:02+00:00" class="time">07:48</time></a></span></div></div>
    </div>
  </div>
</div>`;
}

function page(...messages: string[]): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="prev" href="/s/mfa_test?before=10"></head><body><main class="tgme_main" data-url="/mfa_test"><div class="tgme_container"><section class="tgme_right_column"><div class="tgme_channel_info"><div class="tgme_channel_info_header"><div class="tgme_channel_info_header_title"><span dir="auto">MFA of Testland</span></div><div class="tgme_channel_info_header_username"><a href="https://t.me/mfa_test">@mfa_test</a></div></div></div></section><section class="tgme_channel_history js-message_history"><div class="tgme_widget_message_centered js-messages_more_wrap"><a href="/s/mfa_test?before=10" class="tme_messages_more js-messages_more" data-before="10"></a></div>${messages.join('\n')}</section></div></main></body></html>`;
}

const only = (html: string) => {
  const { messages } = parseChannelPage(html);
  expect(messages).toHaveLength(1);
  return messages[0];
};

describe('parseChannelPage: one message', () => {
  it('keeps the text HTML exactly as sent, and reads entities and Cyrillic into plain text', () => {
    const text =
      'Заява МЗС України щодо &quot;референдумів&quot; &amp; анексії<br/><br/><b>Жодних</b> поступок. <a href="https://mfa.gov.ua/news" target="_blank" rel="noopener">mfa.gov.ua/news</a> &#33;';
    const parsed = only(
      page(message(24, `<div class="tgme_widget_message_text js-message_text" dir="auto">${text}</div>`)),
    );
    expect(parsed).toMatchObject({ channel: 'mfa_test', id: 24, textHtml: text, isService: false });
    expect(parsed.date).toBe('2023-02-24T07:48:02.000Z');
    expect(parsed.url).toBe('https://t.me/mfa_test/24');
    expect(htmlToPlainText(parsed.textHtml!)).toBe(
      'Заява МЗС України щодо "референдумів" & анексії\n\nЖодних поступок. mfa.gov.ua/news !',
    );
    expect(parsed.ownerName).toBe('MFA of Testland 👍');
  });

  it('sees the edited marker, alone or after a signature', () => {
    const bubble = '<div class="tgme_widget_message_text js-message_text" dir="auto">Corrected</div>';
    expect(only(page(message(5, bubble, 'edited &nbsp;'))).edited).toBe(true);
    const signed = only(
      page(
        message(
          5,
          bubble,
          '<span class="tgme_widget_message_from_author" dir="auto">Álvaro Justen</span>,&nbsp;edited &nbsp;',
        ),
      ),
    );
    expect(signed).toMatchObject({ edited: true, authorSignature: 'Álvaro Justen' });
    const notEdited = only(
      page(
        message(
          6,
          bubble,
          '<span class="tgme_widget_message_from_author" dir="auto">Edited Person</span>,&nbsp;',
        ),
      ),
    );
    expect(notEdited).toMatchObject({ edited: false, authorSignature: 'Edited Person' });
  });

  it.each([
    ['2', 2],
    ['436', 436],
    ['1.2K', 1200],
    ['436.6K', 436600],
    ['2M', 2_000_000],
    ['1.5M', 1_500_000],
    ['', null],
    ['many', null],
  ])('reads views %j as %j', (shown, views) => {
    expect(parseViews(shown)).toBe(views);
  });

  it('reads a forward with its origin', () => {
    const parsed = only(
      page(
        message(
          89,
          '<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from&nbsp;<a class="tgme_widget_message_forwarded_from_name" href="https://t.me/some_user"><span dir="auto">Some user</span></a></div><div class="tgme_widget_message_text js-message_text" dir="auto">;)</div>',
        ),
      ),
    );
    expect(parsed.forwardedFrom).toEqual({ name: 'Some user', url: 'https://t.me/some_user' });
    const content = messageToContent(parsed, 'mfa_test');
    expect(content).toMatchObject({ isRepost: true, isReply: false, text: ';)' });
  });

  it('reads a forward from a hidden sender, who has no link', () => {
    const parsed = only(
      page(
        message(
          90,
          '<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from&nbsp;<span class="tgme_widget_message_forwarded_from_name"><span dir="auto">Hidden Person</span></span></div>',
        ),
      ),
    );
    expect(parsed.forwardedFrom).toEqual({ name: 'Hidden Person', url: null });
  });

  it('reads a reply, without taking the replied-to text or thumbnail as its own', () => {
    const parsed = only(
      page(
        message(
          20,
          '<a class="tgme_widget_message_reply" href="https://t.me/mfa_test/19" ><i class="tgme_widget_message_reply_thumb" style="background-image:url(\'https://cdn1.telegram-cdn.org/file/thumb.jpg\')"></i><div class="tgme_widget_message_author accent_color"><span class="tgme_widget_message_author_name" dir="auto">MFA</span></div><div class="tgme_widget_message_metatext js-message_reply_text" dir="auto">Video</div></a><div class="tgme_widget_message_text js-message_text" dir="auto">Reply to a video</div>',
        ),
      ),
    );
    expect(parsed.replyTo).toEqual({ url: 'https://t.me/mfa_test/19', messageId: 19 });
    expect(parsed.photos).toEqual([]);
    expect(messageToContent(parsed, 'mfa_test')).toMatchObject({ isReply: true, text: 'Reply to a video' });
  });

  it('reads a photo from its background-image and a video from its source, once each', () => {
    const photo = only(
      page(
        message(
          16,
          '<a class="tgme_widget_message_photo_wrap blured 5172795381250108682 1204385278_456240394" href="https://t.me/mfa_test/16" style="width:450px;background-image:url(\'https://cdn1.telegram-cdn.org/file/photo16.jpg\')"><div class="tgme_widget_message_photo" style="width:75%;padding-top:133.33333333333%"></div></a><div class="tgme_widget_message_text js-message_text" dir="auto">Picture</div>',
        ),
      ),
    );
    expect(photo.photos).toEqual(['https://cdn1.telegram-cdn.org/file/photo16.jpg']);
    const src = 'https://cdn1.telegram-cdn.org/file/61dc623809.mp4?token=K5rf-tYZ&amp;x=1';
    const video = only(
      page(
        message(
          18,
          `<a class="tgme_widget_message_video_player blured js-message_video_player" href="https://t.me/mfa_test/18"><i class="tgme_widget_message_video_thumb" style="background-image:url('https://cdn1.telegram-cdn.org/file/thumb18')"></i><video src="${src}" class="tgme_widget_message_video blured js-message_video_blured" width="100%" height="100%" muted></video><div class="tgme_widget_message_video_wrap" style="width:720px;padding-top:133.33333333333%"><video src="${src}" class="tgme_widget_message_video js-message_video" width="100%" height="100%"></video></div></a>`,
        ),
      ),
    );
    expect(video.videos).toEqual(['https://cdn1.telegram-cdn.org/file/61dc623809.mp4?token=K5rf-tYZ&x=1']);
    expect(video.textHtml).toBeNull();
    expect(messageToContent(video, 'mfa_test')).toMatchObject({
      text: '',
      html: null,
      media: [{ kind: 'video', url: video.videos[0], mediaType: null, description: null }],
    });
  });

  it('reads an album as one message whose members took the following ids', () => {
    const item = (id: number) =>
      `<a class="tgme_widget_message_photo_wrap grouped_media_wrap blured js-message_photo" style="left:0px;top:0px;width:288px;height:216px;margin-right:2px;margin-bottom:0px;background-image:url('https://cdn1.telegram-cdn.org/file/p${id}.jpg')" data-ratio="1.3333333333333" href="https://t.me/mfa_test/${id}?single"><div class="grouped_media_helper"><div class="tgme_widget_message_photo grouped_media"></div></div></a>`;
    const parsed = only(
      page(
        message(
          14,
          `<div class="tgme_widget_message_grouped_wrap js-message_grouped_wrap" data-margin-w="2" data-margin-h="2" style="width:453px;"><div class="tgme_widget_message_grouped js-message_grouped" style="padding-top:47.682%"><div class="tgme_widget_message_grouped_layer js-message_grouped_layer" style="width:453px;height:216px">${item(14)}${item(15)}${item(16)}</div></div></div><div class="tgme_widget_message_text js-message_text" dir="auto"><div class="tgme_widget_message_text js-message_text" dir="auto">Multiple pics</div></div>`,
        ),
      ),
    );
    expect(parsed.photos).toEqual([14, 15, 16].map((id) => `https://cdn1.telegram-cdn.org/file/p${id}.jpg`));
    expect(parsed.albumIds).toEqual([15, 16]);
    expect(htmlToPlainText(parsed.textHtml!)).toBe('Multiple pics');
  });

  it('reads a link preview with its site, title, description and image', () => {
    const parsed = only(
      page(
        message(
          94,
          `<div class="tgme_widget_message_text js-message_text" dir="auto"><a href="https://www.python.org/" target="_blank" rel="noopener">https://python.org/</a></div><a class="tgme_widget_message_link_preview" href="https://www.python.org/"><i class="link_preview_right_image" style="background-image:url('https://cdn4.telegram-cdn.org/file/py.jpg')"></i><div class="link_preview_site_name accent_color" dir="auto">Python.org</div><div class="link_preview_title" dir="auto">Welcome to Python.org</div><div class="link_preview_description" dir="auto">The official home of the Python Programming Language</div></a>`,
        ),
      ),
    );
    expect(parsed.linkPreview).toEqual({
      url: 'https://www.python.org/',
      siteName: 'Python.org',
      title: 'Welcome to Python.org',
      description: 'The official home of the Python Programming Language',
      imageUrl: 'https://cdn4.telegram-cdn.org/file/py.jpg',
    });
    expect(parsed.photos).toEqual([]);
    expect(messageToContent(parsed, 'mfa_test').media).toEqual([
      {
        kind: 'link-preview',
        url: 'https://www.python.org/',
        mediaType: null,
        description:
          'Python.org\nWelcome to Python.org\nThe official home of the Python Programming Language',
      },
      {
        kind: 'link-preview-image',
        url: 'https://cdn4.telegram-cdn.org/file/py.jpg',
        mediaType: null,
        description: 'Welcome to Python.org',
      },
    ]);
  });

  it('marks service messages, which are listed but are not statements', () => {
    const parsed = only(
      page(
        message(
          1,
          '<div class="tgme_widget_message_text js-message_text" dir="auto">Channel created</div>',
          '',
          ' service_message',
        ),
      ),
    );
    expect(parsed.isService).toBe(true);
  });
});

describe('parseChannelPage: the page', () => {
  it('reads the header, the older-page link and every message once, in page order', () => {
    const bubble = (t: string) =>
      `<div class="tgme_widget_message_text js-message_text" dir="auto">${t}</div>`;
    const parsed = parseChannelPage(
      page(message(11, bubble('a')), message(13, bubble('b')), message(11, bubble('again'))),
    );
    expect(parsed).toMatchObject({
      hasMessageHistory: true,
      title: 'MFA of Testland',
      username: 'mfa_test',
      olderBefore: 10,
    });
    expect(parsed.messages.map((m) => [m.id, m.textHtml])).toEqual([
      [11, 'a'],
      [13, 'b'],
    ]);
  });

  it('knows an info page (no public preview) and the "No posts found" page', () => {
    const info = parseChannelPage(
      '<html><body><div class="tgme_page"><div class="tgme_page_title"><span dir="auto">Private</span></div></div></body></html>',
    );
    expect(info).toMatchObject({ hasMessageHistory: false, messages: [], olderBefore: null });
    const empty = parseChannelPage(
      '<main class="tgme_main" data-url="/some-channel"><div class="tgme_container"><section class="tgme_channel_history js-message_history"><div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message_centered"><div class="tme_no_messages_found">No posts found</div></div></div></section></div></main>',
    );
    expect(empty).toMatchObject({ hasMessageHistory: true, messages: [] });
  });

  it('skips messages whose data-post is not channel/id', () => {
    const bad = (post: string) =>
      `<div class="tgme_widget_message js-widget_message" data-post="${post}"><div class="tgme_widget_message_text">x</div></div>`;
    const parsed = parseChannelPage(
      `<section class="tgme_channel_history">${['', 'mfa_test', 'mfa_test/0', 'mfa_test/abc', 'a/1', '../x/2', 'mfa_test/12345678901234567'].map(bad).join('')}</section>`,
    );
    expect(parsed.messages).toEqual([]);
  });

  it('reads what it can of truncated HTML', () => {
    const whole = page(
      message(21, '<div class="tgme_widget_message_text js-message_text" dir="auto">First</div>'),
      message(22, '<div class="tgme_widget_message_text js-message_text" dir="auto">Second <b>bold'),
    );
    const cut = whole.slice(0, whole.indexOf('bold') + 4);
    const parsed = parseChannelPage(cut);
    expect(parsed.messages.map((m) => m.id)).toEqual([21, 22]);
    expect(parsed.messages[0].date).toBe('2023-02-24T07:48:02.000Z');
    expect(parsed.messages[1]).toMatchObject({ textHtml: 'Second <b>bold', date: null, url: null });
  });

  it('reads only the outermost of messages nested in one another (hostile markup), and those after them', () => {
    const text = (words: string) =>
      `<div class="tgme_widget_message_text js-message_text" dir="auto">${words}</div>`;
    const inner = message(42, text('Inner, not a message Telegram would send'));
    const nested = message(41, text('Outer') + inner);
    const parsed = parseChannelPage(page(nested, message(43, text('After'))));
    expect(parsed.messages.map((m) => m.id)).toEqual([41, 43]);
    expect(parsed.messages[1].textHtml).toBe('After');
  });

  it('survives garbage, binary and an empty body', () => {
    for (const body of [
      '',
      '<<<>>>',
      '<div class="tgme_widget_message" data-post="mfa_test/1"',
      Buffer.from([0, 255, 254, 60, 0]),
    ]) {
      expect(() => parseChannelPage(body)).not.toThrow();
    }
  });

  it('reads a page whose message text nests 100 000 elements deep without overflowing the stack', () => {
    const depth = 100_000;
    const deep = `${'<span>'.repeat(depth)}deep${'</span>'.repeat(depth)}`;
    const parsed = only(
      page(message(30, `<div class="tgme_widget_message_text js-message_text" dir="auto">${deep}</div>`)),
    );
    expect(htmlToPlainText(parsed.textHtml!)).toBe('deep');
    expect(parsed.date).toBe('2023-02-24T07:48:02.000Z');
  });
});

describe('parseEmbedPage', () => {
  it('reads the message of an embed widget', () => {
    const embed = parseEmbedPage(
      `<html><body class="body_widget_post emoji_image nodark">${message(7, '<div class="tgme_widget_message_text js-message_text" dir="auto">Hello</div>')}</body></html>`,
    );
    expect(embed.kind === 'message' && embed.message.id).toBe(7);
  });

  it('reads "Post not found"', () => {
    expect(
      parseEmbedPage(
        '<html><body class="body_widget_post"><div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message_error">Post not found</div></div></body></html>',
      ),
    ).toEqual({ kind: 'error', text: 'Post not found' });
  });

  it('says when the page is neither', () => {
    expect(parseEmbedPage('<html><body>Welcome</body></html>')).toEqual({ kind: 'unrecognised' });
  });
});
