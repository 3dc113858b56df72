import { detect } from 'tinyld';

/** Texts shorter than this are too short for n-gram detection to be better than a guess. */
const MIN_DETECTABLE_LENGTH = 20;
/**
 * Detection reads at most this much of a text: n-gram statistics settle long before, and a source's megabytes
 * of text would otherwise hold the event loop for a fraction of a second per capture.
 */
export const DETECTION_SAMPLE_CHARS = 65_536;

/**
 * The language of a statement as an ISO 639-1 code, or null when unknown: the platform's own tag when it has
 * one (Mastodon `language`, X `lang`, a feed's `xml:lang`), otherwise detected from the text (its first
 * DETECTION_SAMPLE_CHARS characters). Only the primary subtag is kept ('en-GB' → 'en'): search picks its
 * stemmer by language, not by region.
 */
export function statementLanguage(platformLanguage: string | null, text: string): string | null {
  const tagged = primarySubtag(platformLanguage);
  if (tagged) return tagged;
  if (text.trim().length < MIN_DETECTABLE_LENGTH) return null;
  return primarySubtag(
    detect(text.length > DETECTION_SAMPLE_CHARS ? text.slice(0, DETECTION_SAMPLE_CHARS) : text),
  );
}

/** The platform's own language tag as `statementLanguage` keeps it, or null: no detection, so it costs nothing. */
export function taggedLanguage(platformLanguage: string | null): string | null {
  return primarySubtag(platformLanguage);
}

/** BCP 47 codes that name no language: undetermined, multiple, no linguistic content, uncoded */
const NOT_A_LANGUAGE = new Set(['und', 'mul', 'zxx', 'mis']);

function primarySubtag(tag: string | null | undefined): string | null {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return primary && /^[a-z]{2,3}$/.test(primary) && !NOT_A_LANGUAGE.has(primary) ? primary : null;
}
