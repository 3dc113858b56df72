import { stringify } from 'csv-stringify/sync';
import { type StatementSummaryView } from '@app/persistence';

/**
 * One exported row: the statement's facts, its latest text exactly as captured and the permalink of that version
 * (an unversioned link would show other text after the next edit).
 */
export function exportRow(s: StatementSummaryView, publicUrl: string) {
  return {
    id: s.id,
    permalink: `${publicUrl}/statements/${s.id}?version=${s.latestVersion}`,
    platform: s.platform,
    url: s.url,
    accountId: s.account.id,
    accountHandle: s.account.handle,
    accountName: s.account.displayName,
    authoredAt: s.authoredAt,
    firstCapturedAt: s.firstCapturedAt,
    lastSeenAt: s.lastSeenAt,
    status: s.status,
    statusChangedAt: s.statusChangedAt,
    latestVersion: s.latestVersion,
    text: s.text,
  };
}

const COLUMNS: [keyof ReturnType<typeof exportRow>, string][] = [
  ['id', 'id'],
  ['permalink', 'permalink'],
  ['platform', 'platform'],
  ['url', 'url'],
  ['accountId', 'account_id'],
  ['accountHandle', 'account_handle'],
  ['accountName', 'account_name'],
  ['authoredAt', 'authored_at'],
  ['firstCapturedAt', 'first_captured_at'],
  ['lastSeenAt', 'last_seen_at'],
  ['status', 'status'],
  ['statusChangedAt', 'status_changed_at'],
  ['latestVersion', 'latest_version'],
  ['text', 'text'],
];

/**
 * RFC 4180 CSV with a header row. A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a
 * leading apostrophe; the JSON Lines export keeps every text exactly as captured.
 */
export function toCsv(items: StatementSummaryView[], publicUrl: string): string {
  return stringify(
    items.map((s) => exportRow(s, publicUrl)),
    {
      header: true,
      columns: COLUMNS.map(([key, header]) => ({ key, header })),
      record_delimiter: 'windows',
      cast: { string: (value) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value) },
    },
  );
}

/** One JSON object per line, UTF-8, a newline after each. */
export function toJsonLines(items: StatementSummaryView[], publicUrl: string): string {
  return items.map((s) => `${JSON.stringify(exportRow(s, publicUrl))}\n`).join('');
}
