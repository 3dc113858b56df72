import { httpDate } from './memento-datetime';
import { linkHeader, type WebLink } from './link-format';

/** One capture as Memento sees it: a version of a statement and when we captured it. */
export interface Memento {
  statementId: string;
  version: number;
  capturedAt: Date;
}

/** Where the Memento resources of an original URL live on this archive (absolute, under the public URL). */
export function timegateUri(publicUrl: string, original: string): string {
  return `${publicUrl}/timegate/${original}`;
}

export function timemapUri(publicUrl: string, original: string): string {
  return `${publicUrl}/timemap/link/${original}`;
}

/** The memento itself: the statement page showing that version. */
export function mementoUri(publicUrl: string, memento: Pick<Memento, 'statementId' | 'version'>): string {
  return `${publicUrl}/statements/${memento.statementId}?version=${memento.version}`;
}

/** The original, TimeGate and TimeMap links every Memento response carries (RFC 7089 §2.2.1). */
export function originalLinks(publicUrl: string, original: string): WebLink[] {
  return [
    { uri: original, rel: 'original' },
    { uri: timegateUri(publicUrl, original), rel: 'timegate' },
    {
      uri: timemapUri(publicUrl, original),
      rel: 'timemap',
      attributes: [['type', 'application/link-format']],
    },
  ];
}

/**
 * The TimeMap of an original URL (RFC 7089 §5): the original, the TimeMap itself with the span it covers, the
 * TimeGate, then every memento oldest first, the first and last marked so. `mementos` oldest first, not empty.
 */
export function timemapLinks(publicUrl: string, original: string, mementos: readonly Memento[]): WebLink[] {
  const first = mementos[0];
  const last = mementos[mementos.length - 1];
  return [
    { uri: original, rel: 'original' },
    {
      uri: timemapUri(publicUrl, original),
      rel: 'self',
      attributes: [
        ['type', 'application/link-format'],
        ['from', httpDate(first.capturedAt)],
        ['until', httpDate(last.capturedAt)],
      ],
    },
    { uri: timegateUri(publicUrl, original), rel: 'timegate' },
    ...mementos.map((memento, i): WebLink => ({
      uri: mementoUri(publicUrl, memento),
      rel: [i === 0 ? 'first' : '', i === mementos.length - 1 ? 'last' : '', 'memento']
        .filter(Boolean)
        .join(' '),
      attributes: [['datetime', httpDate(memento.capturedAt)]],
    })),
  ];
}

/** What `mementoHeaders` needs of a statement: the shape of the read side's StatementView. */
export interface MementoStatement {
  id: string;
  url: string;
  versions: readonly { number: number; capturedAt: string }[];
}

/**
 * The headers that make a statement response a memento (RFC 7089 §2.1.1, §2.2.1): when that version was
 * captured, and links to the original URL, its TimeGate and its TimeMap. `version` defaults to the latest;
 * a version the statement does not have gets none (null), for the caller to answer 404.
 * Meant for every representation of a statement: the JSON API and the HTML page alike.
 */
export function mementoHeaders(
  statement: MementoStatement,
  publicUrl: string,
  version?: number,
): { 'Memento-Datetime': string; Link: string } | null {
  const shown =
    version === undefined
      ? statement.versions[statement.versions.length - 1]
      : statement.versions.find((v) => v.number === version);
  if (!shown) return null;
  return {
    'Memento-Datetime': httpDate(new Date(shown.capturedAt)),
    Link: linkHeader(originalLinks(publicUrl, statement.url)),
  };
}
