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
  const dateTime = new Intl.DateTimeFormat(language === 'uk' ? 'uk-UA' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  });
  return {
    /** "29 Nov 2026, 10:00 UTC", or "unknown" */
    time(iso: string | null | undefined): string {
      return iso ? `${dateTime.format(new Date(iso))} UTC` : t.unknown;
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
    /** "Name (@handle)"; a feed's or a web page's handle is its address, shown without the @ */
    accountName(account: { handle: string; displayName: string | null }): string {
      const handle = /^https?:\/\//.test(account.handle) ? account.handle : `@${account.handle}`;
      return account.displayName ? `${account.displayName} (${handle})` : handle;
    },
    /**
     * The first line of a text, shortened to `max` characters: a page title or a citation title. It ends at a word
     * when one ends in the last third, and never inside a character (an emoji is two UTF-16 units).
     */
    headline(text: string, max = 90): string {
      const line = text.trim().split('\n')[0] ?? '';
      const characters = [...line];
      if (characters.length <= max) return line;
      const cut = characters.slice(0, max - 1).join('');
      const wordEnd = cut.lastIndexOf(' ');
      return `${(wordEnd >= (cut.length * 2) / 3 ? cut.slice(0, wordEnd) : cut).trimEnd()}…`;
    },
  };
}

export type ViewHelpers = ReturnType<typeof viewHelpers>;
