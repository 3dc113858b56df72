// Entities shaped as Mastodon 4.x serializes them for an anonymous reader (REST::StatusSerializer,
// REST::AccountSerializer, REST::MediaAttachmentSerializer), field order included. Shared by the demo's
// sandbox server and the test fakes in libs/testing, so both answer with the same bytes.

export type Visibility = 'public' | 'unlisted' | 'private' | 'direct';
export type MediaType = 'image' | 'gifv' | 'video' | 'audio' | 'unknown';

export interface AccountRecord {
  id: string;
  username: string;
  displayName: string;
  note: string;
  createdAt: string;
  bot: boolean;
  /** a bare domain shown as a verified profile field, or null */
  website: string | null;
}

export interface MediaRecord {
  id: string;
  type: MediaType;
  description: string | null;
}

export interface StatusRecord {
  id: string;
  accountId: string;
  createdAt: string;
  editedAt: string | null;
  content: string;
  spoilerText: string;
  sensitive: boolean;
  language: string | null;
  visibility: Visibility;
  inReplyToId: string | null;
  inReplyToAccountId: string | null;
  reblogOfId: string | null;
  quoteOfId: string | null;
  media: MediaRecord[];
  tags: string[];
  deleted: boolean;
  /** the status's versions once edited, oldest first, the current one last (Mastodon's status_edits) */
  edits?: StatusEditRecord[];
}

/** One version of a status as Mastodon snapshots it on edit (StatusEdit). */
export interface StatusEditRecord {
  content: string;
  spoilerText: string;
  sensitive: boolean;
  /** the status's created_at for the original, its edited_at of that moment for every edit */
  createdAt: string;
  media: MediaRecord[];
}

/** What the renderer needs to look records up and to build absolute URLs. */
export interface RenderContext {
  /** e.g. `http://127.0.0.1:40123`; Mastodon builds every URL from its LOCAL_DOMAIN */
  origin: string;
  account(id: string): AccountRecord;
  status(id: string): StatusRecord | undefined;
  statusesOf(accountId: string): StatusRecord[];
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The bytes Rails sends: JSON with `<`, `>` and `&` written as \u003c, \u003e, \u0026
 * (ActiveSupport's escape_html_entities_in_json), so status HTML arrives escaped.
 */
export function railsJson(value: Json): Buffer {
  const text = JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return Buffer.from(text, 'utf8');
}

/** Plain text as Mastodon's TextFormatter renders it: paragraphs in <p>, line breaks as <br />. */
export function mastodonHtml(text: string): string {
  const escape = (s: string) =>
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;');
  return text
    .trim()
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${paragraph.split('\n').map(escape).join('<br />')}</p>`)
    .join('');
}

export function renderAccount(account: AccountRecord, ctx: RenderContext): Json {
  const own = ctx.statusesOf(account.id).filter((s) => !s.deleted);
  const last = own.reduce<string | null>(
    (latest, s) => (latest && latest > s.createdAt ? latest : s.createdAt),
    null,
  );
  const avatarPath = `/system/accounts/avatars/${idPath(account.id)}/original/${hex(account.id, 16)}.png`;
  const headerPath = `/system/accounts/headers/${idPath(account.id)}/original/${hex(account.id + 'h', 16)}.jpeg`;
  return {
    id: account.id,
    username: account.username,
    acct: account.username,
    display_name: account.displayName,
    locked: false,
    bot: account.bot,
    discoverable: true,
    indexable: true,
    group: false,
    // since 3.4 the creation time is rounded to midnight
    created_at: `${account.createdAt.slice(0, 10)}T00:00:00.000Z`,
    note: account.note,
    url: `${ctx.origin}/@${account.username}`,
    uri: `${ctx.origin}/users/${account.username}`,
    avatar: `${ctx.origin}${avatarPath}`,
    avatar_static: `${ctx.origin}${avatarPath}`,
    header: `${ctx.origin}${headerPath}`,
    header_static: `${ctx.origin}${headerPath}`,
    followers_count: 1310542,
    following_count: 97,
    statuses_count: own.length,
    // since 3.1 a date without time
    last_status_at: last ? last.slice(0, 10) : null,
    hide_collections: false,
    noindex: false,
    emojis: [],
    roles: [],
    fields: account.website
      ? [
          {
            name: 'Website',
            value: `<a href="https://${account.website}" target="_blank" rel="nofollow noopener me" translate="no"><span class="invisible">https://</span><span class="">${account.website}</span><span class="invisible"></span></a>`,
            verified_at: '2022-02-26T21:14:03.117+00:00',
          },
        ]
      : [],
  };
}

export function renderStatus(status: StatusRecord, ctx: RenderContext): Json {
  const account = ctx.account(status.accountId);
  const reblogged = status.reblogOfId ? ctx.status(status.reblogOfId) : undefined;
  const quoted = status.quoteOfId ? ctx.status(status.quoteOfId) : undefined;
  const isReblog = reblogged !== undefined;
  // a boost's uri and url are its Announce activity
  const uri = isReblog
    ? `${ctx.origin}/users/${account.username}/statuses/${status.id}/activity`
    : `${ctx.origin}/users/${account.username}/statuses/${status.id}`;
  const url = isReblog ? uri : `${ctx.origin}/@${account.username}/${status.id}`;
  return {
    id: status.id,
    created_at: status.createdAt,
    in_reply_to_id: status.inReplyToId,
    in_reply_to_account_id: status.inReplyToAccountId,
    sensitive: status.sensitive,
    spoiler_text: status.spoilerText,
    visibility: status.visibility,
    language: status.language,
    uri,
    url,
    replies_count: ctx.statusesOf(status.accountId).filter((s) => s.inReplyToId === status.id && !s.deleted)
      .length,
    reblogs_count: 412,
    favourites_count: 1873,
    quotes_count: 0,
    edited_at: status.editedAt,
    content: isReblog ? '' : status.content,
    reblog: reblogged ? renderStatus(reblogged, ctx) : null,
    application: isReblog ? null : { name: 'Web', website: null },
    account: renderAccount(account, ctx),
    media_attachments: status.media.map((m) => renderMedia(m, ctx.origin)),
    mentions: [],
    tags: status.tags.map((name) => ({
      name: name.toLowerCase(),
      url: `${ctx.origin}/tags/${name.toLowerCase()}`,
    })),
    emojis: [],
    quote: quoted ? { state: 'accepted', quoted_status: renderStatus(quoted, ctx) } : null,
    card: null,
    poll: null,
  };
}

/** The status as it is now, as Status#snapshot! records it. */
export function snapshotOf(status: StatusRecord, at: string): StatusEditRecord {
  return {
    content: status.content,
    spoilerText: status.spoilerText,
    sensitive: status.sensitive,
    createdAt: at,
    media: status.media.map((m) => ({ ...m })),
  };
}

/**
 * `GET /api/v1/statuses/:id/history`: the status's edits oldest first, or, never edited, the one snapshot
 * Mastodon builds on the fly (Api::V1::Statuses::HistoriesController#status_edits).
 */
export function renderStatusHistory(status: StatusRecord, ctx: RenderContext): Json {
  const edits = status.edits?.length
    ? status.edits
    : [snapshotOf(status, status.editedAt ?? status.createdAt)];
  return edits.map((edit) => renderStatusEdit(edit, status, ctx));
}

/**
 * REST::StatusEditSerializer: attributes first (content, spoiler_text, sensitive, created_at), then the
 * associations (account, media_attachments, emojis), as ActiveModel::Serializer writes them. No poll here:
 * these statuses have none.
 */
function renderStatusEdit(edit: StatusEditRecord, status: StatusRecord, ctx: RenderContext): Json {
  return {
    content: edit.content,
    spoiler_text: edit.spoilerText,
    sensitive: edit.sensitive,
    created_at: edit.createdAt,
    account: renderAccount(ctx.account(status.accountId), ctx),
    media_attachments: edit.media.map((m) => renderMedia(m, ctx.origin)),
    emojis: [],
  };
}

const MEDIA_FILES: Record<MediaType, { ext: string; previewExt: string; meta: Json }> = {
  image: {
    ext: 'jpeg',
    previewExt: 'jpeg',
    meta: {
      original: { width: 1600, height: 900, size: '1600x900', aspect: 1.7777777777777777 },
      small: { width: 640, height: 360, size: '640x360', aspect: 1.7777777777777777 },
      focus: { x: 0.0, y: 0.0 },
    },
  },
  video: {
    ext: 'mp4',
    previewExt: 'png',
    meta: {
      length: '0:01:28.65',
      duration: 88.65,
      fps: 24,
      size: '1280x720',
      width: 1280,
      height: 720,
      aspect: 1.7777777777777777,
      audio_encode: 'aac (LC) (mp4a / 0x6134706D)',
      audio_bitrate: '44100 Hz',
      audio_channels: 'stereo',
      original: { width: 1280, height: 720, frame_rate: '24/1', duration: 88.654, bitrate: 862056 },
      small: { width: 400, height: 225, size: '400x225', aspect: 1.7777777777777777 },
    },
  },
  gifv: {
    ext: 'mp4',
    previewExt: 'png',
    meta: {
      length: '0:00:01.11',
      duration: 1.11,
      fps: 33,
      size: '600x332',
      width: 600,
      height: 332,
      aspect: 1.8072289156626506,
      original: { width: 600, height: 332, frame_rate: '100/3', duration: 1.11, bitrate: 1627639 },
      small: { width: 400, height: 221, size: '400x221', aspect: 1.8099547511312217 },
    },
  },
  audio: {
    ext: 'mp3',
    previewExt: 'mp3',
    meta: {
      length: '0:06:42.86',
      duration: 402.86,
      audio_encode: 'mp3',
      audio_bitrate: '44100 Hz',
      audio_channels: 'stereo',
      original: { duration: 402.860408, bitrate: 166290 },
    },
  },
  unknown: { ext: 'bin', previewExt: 'png', meta: {} },
};

function renderMedia(media: MediaRecord, origin: string): Json {
  const file = MEDIA_FILES[media.type];
  const name = hex(media.id, 16);
  const base = `${origin}/system/media_attachments/files/${idPath(media.id)}`;
  return {
    id: media.id,
    type: media.type,
    url: `${base}/original/${name}.${file.ext}`,
    preview_url: `${base}/small/${name}.${file.previewExt}`,
    remote_url: null,
    preview_remote_url: null,
    text_url: null,
    meta: file.meta,
    description: media.description,
    blurhash: media.type === 'audio' ? null : 'UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}',
  };
}

/** Paperclip's id partition: 109348677773283527 -> 109/348/677/773/283/527 */
function idPath(id: string): string {
  const padded = id.padStart(Math.ceil(id.length / 3) * 3, '0').padStart(9, '0');
  return padded.match(/.{3}/g)!.join('/');
}

/** A stable hex name for a file, as Paperclip's random names look. */
function hex(seed: string, length: number): string {
  let h = 2166136261;
  let out = '';
  while (out.length < length) {
    for (const ch of seed + out.length) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}
