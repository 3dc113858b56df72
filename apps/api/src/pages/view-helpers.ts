import { accountName, headline } from '../common/display-text';
import { type Language, type Messages } from './i18n';

const STATUS_KEYS: Record<string, keyof Messages> = {
  active: 'statusActive',
  missing: 'statusMissing',
  deleted: 'statusDeleted',
  unavailable: 'statusUnavailable',
  edited: 'statusEdited',
};

/** What templates may call: formatting only, every result is text that the template engine escapes. */
export function viewHelpers(language: Language, t: Messages) {
  // to the second: a citation (or a court) may turn on which of two captures a minute apart came first
  const dateTime = new Intl.DateTimeFormat(language === 'uk' ? 'uk-UA' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone: 'UTC',
  });
  return {
    /** "29 Nov 2026, 10:00:05 UTC", "unknown", or the value as stored when it is no time at all */
    time(iso: string | null | undefined): string {
      if (!iso) return t.unknown;
      const date = new Date(iso);
      return Number.isNaN(date.getTime()) ? iso : `${dateTime.format(date)} UTC`;
    },
    statusLabel(status: string): string {
      const key = STATUS_KEYS[status];
      return key ? t[key] : status;
    },
    /** An outside address shown as a link only when it is http(s): a captured URL could say javascript: */
    safeHref(url: string | null | undefined): string | null {
      return url && /^https?:\/\//i.test(url) ? url : null;
    },
    bytes(size: number): string {
      if (size < 1024) return `${size} B`;
      if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KiB`;
      return `${(size / 1024 / 1024).toFixed(1)} MiB`;
    },
    accountName,
    /** the first line of a text, shortened: a page title or a citation title */
    headline: (text: string, max = 90): string => headline(text, max),
  };
}

export type ViewHelpers = ReturnType<typeof viewHelpers>;
