import { MASTODON_ID } from './mastodon-ids';
import { invalid } from '../json-body';
export { invalid, parseJson } from '../json-body';

// The fields of Mastodon's entities that Verbatim reads, checked one by one: the instance is untrusted.

export interface MastodonAccount {
  id: string;
  username: string;
  acct: string;
  display_name: string;
  url: string;
}

export interface MastodonMediaAttachment {
  id: string;
  type: string;
  /** null while the server is still processing it */
  url: string | null;
  remote_url: string | null;
  description: string | null;
}

export interface MastodonStatus {
  id: string;
  uri: string;
  url: string | null;
  created_at: string;
  edited_at: string | null;
  in_reply_to_id: string | null;
  spoiler_text: string;
  content: string;
  language: string | null;
  account: MastodonAccount;
  media_attachments: MastodonMediaAttachment[];
  reblog: MastodonStatus | null;
  /** Mastodon 4.4+: the quoted post (Quote or ShallowQuote); any non-null value means a quote */
  quote: unknown;
}

/**
 * One entry of `GET /api/v1/statuses/:id/history` (REST::StatusEditSerializer): a version of a status as it
 * was at `created_at`. No id, URL or language: those stay the status's own.
 */
export interface MastodonStatusEdit {
  content: string;
  spoiler_text: string;
  sensitive: boolean;
  created_at: string;
  account: MastodonAccount;
  media_attachments: MastodonMediaAttachment[];
  /** the poll's option titles at that time, when the status had a poll */
  poll: { options: { title: string }[] } | null;
}

type Obj = Record<string, unknown>;

export function parseAccount(value: unknown, what: string): MastodonAccount {
  const o = object(value, what, 'account');
  return {
    id: id(o.id, what, 'account.id'),
    username: nonEmptyString(o.username, what, 'account.username'),
    acct: nonEmptyString(o.acct, what, 'account.acct'),
    display_name: optionalString(o.display_name, what, 'account.display_name') ?? '',
    url: webUrl(o.url, what, 'account.url'),
  };
}

export function parseStatus(value: unknown, what: string, depth = 0): MastodonStatus {
  const o = object(value, what, 'status');
  const created = nonEmptyString(o.created_at, what, 'status.created_at');
  if (Number.isNaN(Date.parse(created))) throw invalid(what, 'status.created_at is not a date');
  const reblog = o.reblog === null || o.reblog === undefined ? null : o.reblog;
  if (reblog !== null && depth > 0) throw invalid(what, 'a boost of a boost');
  const media = o.media_attachments ?? [];
  if (!Array.isArray(media)) throw invalid(what, 'status.media_attachments is not a list');
  return {
    id: id(o.id, what, 'status.id'),
    uri: nonEmptyString(o.uri, what, 'status.uri'),
    url: o.url === null || o.url === undefined ? null : webUrl(o.url, what, 'status.url'),
    created_at: created,
    edited_at: optionalString(o.edited_at, what, 'status.edited_at'),
    in_reply_to_id:
      o.in_reply_to_id === null || o.in_reply_to_id === undefined
        ? null
        : id(o.in_reply_to_id, what, 'status.in_reply_to_id'),
    spoiler_text: optionalString(o.spoiler_text, what, 'status.spoiler_text') ?? '',
    content: string(o.content, what, 'status.content'),
    language: optionalString(o.language, what, 'status.language'),
    account: parseAccount(o.account, what),
    media_attachments: media.map((m) => parseMedia(m, what)),
    reblog: reblog === null ? null : parseStatus(reblog, what, depth + 1),
    quote: o.quote ?? null,
  };
}

export function parseStatusList(value: unknown, what: string): MastodonStatus[] {
  if (!Array.isArray(value)) throw invalid(what, 'expected a list of statuses');
  return value.map((s) => parseStatus(s, what));
}

export function parseStatusEdit(value: unknown, what: string): MastodonStatusEdit {
  const o = object(value, what, 'status edit');
  const created = nonEmptyString(o.created_at, what, 'edit.created_at');
  if (Number.isNaN(Date.parse(created))) throw invalid(what, 'edit.created_at is not a date');
  const media = o.media_attachments ?? [];
  if (!Array.isArray(media)) throw invalid(what, 'edit.media_attachments is not a list');
  if (o.emojis !== undefined && !Array.isArray(o.emojis)) throw invalid(what, 'edit.emojis is not a list');
  if (o.sensitive !== undefined && typeof o.sensitive !== 'boolean')
    throw invalid(what, 'edit.sensitive is not a boolean');
  return {
    content: string(o.content, what, 'edit.content'),
    spoiler_text: optionalString(o.spoiler_text, what, 'edit.spoiler_text') ?? '',
    sensitive: o.sensitive === true,
    created_at: created,
    account: parseAccount(o.account, what),
    media_attachments: media.map((m) => parseMedia(m, what)),
    poll: o.poll === null || o.poll === undefined ? null : parseEditPoll(o.poll, what),
  };
}

/** The history as Mastodon sends it: a list of edits, oldest first, the current version last. */
export function parseStatusEditList(value: unknown, what: string): MastodonStatusEdit[] {
  if (!Array.isArray(value)) throw invalid(what, 'expected a list of status edits');
  return value.map((e) => parseStatusEdit(e, what));
}

function parseEditPoll(value: unknown, what: string): { options: { title: string }[] } {
  const o = object(value, what, 'edit.poll');
  if (!Array.isArray(o.options)) throw invalid(what, 'edit.poll.options is not a list');
  return {
    options: o.options.map((option) => ({
      title: string(object(option, what, 'edit.poll option').title, what, 'edit.poll option title'),
    })),
  };
}

function parseMedia(value: unknown, what: string): MastodonMediaAttachment {
  const o = object(value, what, 'media attachment');
  return {
    id: id(o.id, what, 'media.id'),
    type: nonEmptyString(o.type, what, 'media.type'),
    url: o.url === null || o.url === undefined ? null : webUrl(o.url, what, 'media.url'),
    remote_url:
      o.remote_url === null || o.remote_url === undefined
        ? null
        : webUrl(o.remote_url, what, 'media.remote_url'),
    description: optionalString(o.description, what, 'media.description'),
  };
}

function object(value: unknown, what: string, name: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(what, `${name} is not an object`);
  return value as Obj;
}

function string(value: unknown, what: string, name: string): string {
  if (typeof value !== 'string') throw invalid(what, `${name} is not a string`);
  return value;
}

function nonEmptyString(value: unknown, what: string, name: string): string {
  const text = string(value, what, name);
  if (text === '') throw invalid(what, `${name} is empty`);
  return text;
}

function optionalString(value: unknown, what: string, name: string): string | null {
  return value === null || value === undefined ? null : string(value, what, name);
}

function id(value: unknown, what: string, name: string): string {
  if (typeof value !== 'string' || !MASTODON_ID.test(value))
    throw invalid(what, `${name} is not an id string`);
  return value;
}

/** Only http(s) links are kept: a record must never carry a javascript: or data: URL. */
function webUrl(value: unknown, what: string, name: string): string {
  const text = nonEmptyString(value, what, name);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(what, `${name} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(what, `${name} is not a web URL`);
  // as a URL is sent (percent-encoded, the host in ASCII), as feeds and web pages keep theirs: the raw response
  // keeps the text as the server wrote it
  return url.href;
}
