import { type StatementContent, htmlToPlainText } from '@app/core';
import { parseJson } from '../json-body';
import {
  type MastodonStatus,
  type MastodonStatusEdit,
  parseStatus,
  parseStatusEditList,
  parseStatusList,
} from './mastodon-entities';
import { statusToContent } from './mastodon-status';
import { asBuffer } from '../parsing/thread-bytes';

/** What a Mastodon parse thread is asked; plain data, so that it can be sent to a worker thread. */
export type MastodonParseInput =
  /** a page of statuses from its body: JSON, then checked against the shape Mastodon documents */
  | { kind: 'read-page'; bytes: Uint8Array; what: string }
  /** the answer of the batch route: a list of statuses as a page, or null for JSON that is not a list */
  | { kind: 'read-batch'; bytes: Uint8Array; what: string }
  /** one status from its body (`GET /api/v1/statuses/:id`) */
  | { kind: 'read-status'; bytes: Uint8Array; what: string }
  /** an edit history from its body: JSON, then checked against the shape of a StatusEdit list */
  | { kind: 'read-history'; bytes: Uint8Array; what: string }
  /** statuses to the statements they show: HTML to text */
  | { kind: 'convert'; statuses: MastodonStatus[]; host: string }
  /** HTML to text, one each: an edit history's versions */
  | { kind: 'texts'; htmls: string[]; what: string };

export type MastodonParseOutput =
  | { kind: 'read-page'; statuses: MastodonStatus[] }
  | { kind: 'read-batch'; statuses: MastodonStatus[] | null }
  | { kind: 'read-status'; status: MastodonStatus }
  | { kind: 'read-history'; edits: MastodonStatusEdit[] }
  | { kind: 'convert'; contents: StatementContent[] }
  | { kind: 'texts'; texts: string[] };

export function runMastodonParse(input: MastodonParseInput): MastodonParseOutput {
  if (input.kind === 'read-page')
    return {
      kind: 'read-page',
      statuses: parseStatusList(parseJson(asBuffer(input.bytes), input.what), input.what),
    };
  if (input.kind === 'read-batch')
    return { kind: 'read-batch', statuses: batchStatuses(asBuffer(input.bytes), input.what) };
  if (input.kind === 'read-status')
    return {
      kind: 'read-status',
      status: parseStatus(parseJson(asBuffer(input.bytes), input.what), input.what),
    };
  if (input.kind === 'read-history') {
    const edits = parseStatusEditList(parseJson(asBuffer(input.bytes), input.what), input.what);
    return { kind: 'read-history', edits };
  }
  if (input.kind === 'texts') return { kind: 'texts', texts: input.htmls.map(htmlToPlainText) };
  return { kind: 'convert', contents: input.statuses.map((status) => statusToContent(status, input.host)) };
}

/** The batch route's statuses; null for JSON that is not a list (a 200 from some other route). */
export function batchStatuses(bytes: Buffer, what: string): MastodonStatus[] | null {
  const json = parseJson(bytes, what);
  return Array.isArray(json) ? parseStatusList(json, what) : null;
}
