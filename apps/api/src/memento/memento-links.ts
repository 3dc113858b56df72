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
 * Memento headers of a statement response (RFC 7089). A response for one version (`version` given: the page
 * at `?version=N`) is a memento: when that version was captured, and links to the original URL, its TimeGate
 * and its TimeMap (§2.1.1, §2.2.1). A response that follows the latest version (no version asked) changes when
 * a new one is captured, so it carries no Memento-Datetime, which promises a state that no longer changes: it
 * links the same three, and the latest memento as `last memento` with its datetime. A version the statement
 * does not have gets none (null), for the caller to answer 404. For every representation of a statement.
 */
export function mementoHeaders(
  statement: MementoStatement,
  publicUrl: string,
  version?: number,
): { 'Memento-Datetime'?: string; Link: string } | null {
  const links = originalLinks(publicUrl, statement.url);
  if (version === undefined) {
    const latest = statement.versions[statement.versions.length - 1];
    if (!latest) return null;
    const last: WebLink = {
      uri: mementoUri(publicUrl, { statementId: statement.id, version: latest.number }),
      rel: 'last memento',
      attributes: [['datetime', httpDate(new Date(latest.capturedAt))]],
    };
    return { Link: linkHeader([...links, last]) };
  }
  const shown = statement.versions.find((v) => v.number === version);
  if (!shown) return null;
  return { 'Memento-Datetime': httpDate(new Date(shown.capturedAt)), Link: linkHeader(links) };
}
