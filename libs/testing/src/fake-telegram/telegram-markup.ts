/**
 * HTML shaped like Telegram's web preview (t.me/s/<channel>), embed widget (t.me/<channel>/<id>?embed=1) and
 * channel info page: class names, attributes and nesting as in the real pages saved by tchan's tests
 * (PythonicCafe/tchan test_tchan.py) and read by snscrape (docs: shared reference sources.md §3). The SVG
 * bubble tails, scripts and styles are left out; nothing reads them.
 */

export interface ChannelRecord {
  /** canonical spelling, as data-post has it */
  username: string;
  title: string;
  description: string;
  /** false: /s/<channel> redirects to the info page, as for private channels, groups and users */
  hasPreview: boolean;
}

export interface MessageRecord {
  id: number;
  /** the message text as Telegram renders it (entities as <b>, <a>, <br/>…); null for media alone */
  html: string | null;
  date: Date;
  edited: boolean;
  views: number;
  signature: string | null;
  forwardedFrom: { name: string; url: string | null } | null;
  replyTo: { id: number; author: string; text: string } | null;
  /** one photo, or an album when there are several (each member then has an id of its own) */
  photos: string[];
  video: string | null;
  /** the ids after `id` that the album's other members took */
  albumIds: number[];
  linkPreview: {
    url: string;
    siteName: string;
    title: string;
    description: string;
    image: string | null;
  } | null;
  /** "Channel created", "… pinned «…»": a service message */
  service: boolean;
  deleted: boolean;
}

const TME = 'https://t.me';

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** "436", "1.2K", "436.6K", "2.1M", as the preview abbreviates views. */
export function formatViews(views: number): string {
  const short = (n: number, unit: string) => `${Number(n.toFixed(1))}${unit}`;
  if (views >= 1e6) return short(views / 1e6, 'M');
  if (views >= 1e3) return short(views / 1e3, 'K');
  return String(views);
}

function hhmm(date: Date): string {
  return date.toISOString().slice(11, 16);
}

function datetime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function ownerHeader(channel: ChannelRecord): string {
  return `<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="${TME}/${channel.username}"><span dir="auto">${escapeHtml(channel.title)}</span></a></div>`;
}

function forwarded(message: MessageRecord): string {
  const from = message.forwardedFrom;
  if (!from) return '';
  const name = `<span dir="auto">${escapeHtml(from.name)}</span>`;
  const link = from.url
    ? `<a class="tgme_widget_message_forwarded_from_name" href="${escapeHtml(from.url)}">${name}</a>`
    : `<span class="tgme_widget_message_forwarded_from_name">${name}</span>`;
  return `<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from&nbsp;${link}</div>`;
}

function reply(channel: ChannelRecord, message: MessageRecord): string {
  const to = message.replyTo;
  if (!to) return '';
  return `<a class="tgme_widget_message_reply" href="${TME}/${channel.username}/${to.id}"><div class="tgme_widget_message_author accent_color"><span class="tgme_widget_message_author_name" dir="auto">${escapeHtml(to.author)}</span></div><div class="tgme_widget_message_metatext js-message_reply_text" dir="auto">${escapeHtml(to.text)}</div></a>`;
}

function photoWrap(channel: ChannelRecord, id: number, url: string, grouped: boolean): string {
  if (!grouped)
    return `<a class="tgme_widget_message_photo_wrap blured" href="${TME}/${channel.username}/${id}" style="width:800px;background-image:url('${url}')"><div class="tgme_widget_message_photo" style="padding-top:75%"></div></a>`;
  return `<a class="tgme_widget_message_photo_wrap grouped_media_wrap blured js-message_photo" style="left:0px;top:0px;width:400px;height:300px;background-image:url('${url}')" data-ratio="1.3333333333333" href="${TME}/${channel.username}/${id}?single"><div class="grouped_media_helper"><div class="tgme_widget_message_photo grouped_media"></div></div></a>`;
}

function media(channel: ChannelRecord, message: MessageRecord): string {
  if (message.photos.length > 1) {
    const ids = [message.id, ...message.albumIds];
    const items = message.photos.map((url, i) => photoWrap(channel, ids[i], url, true)).join('');
    return `<div class="tgme_widget_message_grouped_wrap js-message_grouped_wrap" data-margin-w="2" data-margin-h="2" style="width:800px;"><div class="tgme_widget_message_grouped js-message_grouped" style="padding-top:75%"><div class="tgme_widget_message_grouped_layer js-message_grouped_layer" style="width:800px;height:600px">${items}</div></div></div>`;
  }
  let html = message.photos.length === 1 ? photoWrap(channel, message.id, message.photos[0], false) : '';
  if (message.video) {
    const src = escapeHtml(message.video);
    html += `<a class="tgme_widget_message_video_player blured js-message_video_player" href="${TME}/${channel.username}/${message.id}"><i class="tgme_widget_message_video_thumb" style="background-image:url('${TME}/file/thumb${message.id}.jpg')"></i><video src="${src}" class="tgme_widget_message_video blured js-message_video_blured" width="100%" height="100%" muted></video><div class="tgme_widget_message_video_wrap" style="width:720px;padding-top:56.25%"><video src="${src}" class="tgme_widget_message_video js-message_video" width="100%" height="100%"></video></div><div class="message_video_play js-message_video_play"></div><time class="message_video_duration js-message_video_duration">0:06</time></a>`;
  }
  return html;
}

function linkPreview(message: MessageRecord): string {
  const p = message.linkPreview;
  if (!p) return '';
  const image = p.image
    ? `<i class="link_preview_image" style="background-image:url('${p.image}');padding-top:52.5%"></i>`
    : '';
  return `<a class="tgme_widget_message_link_preview" href="${escapeHtml(p.url)}"><div class="link_preview_site_name accent_color" dir="auto">${escapeHtml(p.siteName)}</div>${image}<div class="link_preview_title" dir="auto">${escapeHtml(p.title)}</div><div class="link_preview_description" dir="auto">${escapeHtml(p.description)}</div></a>`;
}

function footer(channel: ChannelRecord, message: MessageRecord): string {
  const views = message.service
    ? ''
    : `<span class="tgme_widget_message_views">${formatViews(message.views)}</span><span class="copyonly"> views</span>`;
  const signature = message.signature
    ? `<span class="tgme_widget_message_from_author" dir="auto">${escapeHtml(message.signature)}</span>,&nbsp;`
    : '';
  const edited = message.edited ? 'edited &nbsp;' : '';
  return `<div class="tgme_widget_message_footer compact js-message_footer"><div class="tgme_widget_message_info short js-message_info">${views}<span class="tgme_widget_message_meta">${signature}${edited}<a class="tgme_widget_message_date" href="${TME}/${channel.username}/${message.id}"><time datetime="${datetime(message.date)}" class="time">${hhmm(message.date)}</time></a></span></div></div>`;
}

/** One `.tgme_widget_message_wrap`, the same in the preview and in the embed widget. */
export function renderMessage(channel: ChannelRecord, message: MessageRecord): string {
  const classes = [
    'tgme_widget_message',
    'text_not_supported_wrap',
    ...(message.service ? ['service_message'] : []),
    'js-widget_message',
  ];
  const view = Buffer.from(JSON.stringify({ c: -1001234567890, p: message.id, t: 1700000000 })).toString(
    'base64url',
  );
  const text =
    message.html === null
      ? ''
      : `<div class="tgme_widget_message_text js-message_text" dir="auto">${message.html}</div>`;
  return `<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="${classes.join(' ')}" data-post="${channel.username}/${message.id}" data-view="${view}"><div class="tgme_widget_message_user"><a href="${TME}/${channel.username}"><i class="tgme_widget_message_user_photo bgcolor6" data-content="${escapeHtml(channel.title.slice(0, 1))}"></i></a></div><div class="tgme_widget_message_bubble"><i class="tgme_widget_message_bubble_tail"></i>${ownerHeader(channel)}${forwarded(message)}${reply(channel, message)}${media(channel, message)}${text}${linkPreview(message)}${footer(channel, message)}</div></div></div>`;
}

export interface PageLinks {
  /** `before` of the next older page, when there is one */
  olderBefore: number | null;
  /** `after` of the next newer page, when there is one */
  newerAfter: number | null;
}

/** `/s/<channel>`: the message history, oldest first, and the channel's info column. */
export function renderPreviewPage(
  channel: ChannelRecord,
  messages: MessageRecord[],
  links: PageLinks,
): string {
  const u = channel.username;
  const prev =
    links.olderBefore === null ? '' : `<link rel="prev" href="/s/${u}?before=${links.olderBefore}">`;
  const next = links.newerAfter === null ? '' : `<link rel="next" href="/s/${u}?after=${links.newerAfter}">`;
  const more =
    links.olderBefore === null
      ? ''
      : `<div class="tgme_widget_message_centered js-messages_more_wrap"><a href="/s/${u}?before=${links.olderBefore}" class="tme_messages_more js-messages_more" data-before="${links.olderBefore}"></a></div>`;
  const history =
    messages.length === 0
      ? '<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message_centered"><div class="tme_no_messages_found">No posts found</div></div></div>'
      : messages.map((m) => renderMessage(channel, m)).join('\n');
  return `<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>${escapeHtml(channel.title)} – Telegram</title>
    <meta name="viewport" content="width=device-width, initial-scale=1.0, minimum-scale=1.0, maximum-scale=1.0, user-scalable=no" />
    <meta property="og:title" content="${escapeHtml(channel.title)}">
    <meta property="og:site_name" content="Telegram">
    <meta property="og:description" content="${escapeHtml(channel.description)}">
    <link rel="canonical" href="${TME}/s/${u}"/>
    ${prev}${next}
  </head>
  <body class="widget_frame_base tgme_webpreview emoji_image">
    <main class="tgme_main" data-url="/${u}">
      <div class="tgme_container">
        <section class="tgme_right_column"><div class="tgme_channel_info">
          <div class="tgme_channel_info_header"><div class="tgme_channel_info_header_title"><span dir="auto">${escapeHtml(channel.title)}</span></div><div class="tgme_channel_info_header_username"><a href="${TME}/${u}">@${u}</a></div></div>
          <div class="tgme_channel_info_counters"><div class="tgme_channel_info_counter"><span class="counter_value">1.2K</span> <span class="counter_type">subscribers</span></div></div>
          <div class="tgme_channel_info_description">${escapeHtml(channel.description)}</div>
        </div></section>
        <section class="tgme_channel_history js-message_history">
          ${more}
          ${history}
        </section>
      </div>
    </main>
  </body>
</html>
`;
}

/** `/<channel>?embed=…` and `/<channel>`: the info page a channel without a public preview redirects to. */
export function renderInfoPage(channel: ChannelRecord): string {
  return `<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>Telegram: Contact @${channel.username}</title>
    <meta property="og:title" content="${escapeHtml(channel.title)}">
  </head>
  <body class="no_transition">
    <div class="tgme_page_wrap"><div class="tgme_body_wrap"><div class="tgme_page">
      <div class="tgme_page_title"><span dir="auto">${escapeHtml(channel.title)}</span></div>
      <div class="tgme_page_extra">1 234 subscribers</div>
      <div class="tgme_page_description" dir="auto">${escapeHtml(channel.description)}</div>
      <div class="tgme_page_action"><a class="tgme_action_button_new shine" href="tg://resolve?domain=${channel.username}">View in Telegram</a></div>
    </div></div></div>
  </body>
</html>
`;
}

function embedDocument(inner: string): string {
  return `<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>Telegram Widget</title>
  </head>
  <body class="body_widget_post emoji_image nodark">
    ${inner}
  </body>
</html>
`;
}

/** `/<channel>/<id>?embed=1` for a message that exists. */
export function renderEmbed(channel: ChannelRecord, message: MessageRecord): string {
  return embedDocument(renderMessage(channel, message));
}

/** `/<channel>/<id>?embed=1` for a message that does not (deleted, never there): HTTP 200 all the same. */
export function renderEmbedNotFound(): string {
  return embedDocument(
    '<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message_error">Post not found</div></div>',
  );
}
