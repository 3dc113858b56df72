import { Cite, plugins } from '@citation-js/core';
import '@citation-js/plugin-csl';
import '@citation-js/plugin-bibtex';
import { CHICAGO_STYLE } from './chicago-style';
import { MLA_STYLE } from './mla-style';

// citation-js bundles APA; MLA and Chicago come from their official CSL styles
const csl = plugins.config.get('@csl');
if (!csl.templates!.has('mla')) csl.templates!.add('mla', MLA_STYLE);
if (!csl.templates!.has('chicago-author-date')) csl.templates!.add('chicago-author-date', CHICAGO_STYLE);
// BibTeX of any script: keep the letters (biber and modern BibTeX read UTF-8) rather than mangle them into macros
plugins.config.get('@bibtex').format!.asciiOnly = false;
plugins.config.get('@bibtex').format!.useIdAsLabel = true;

export interface CitedStatement {
  id: string;
  permalink: string;
  title: string;
  author: string;
  platform: string;
  authoredAt: string | null;
  capturedAt: string;
  recordSha256: string;
}

export interface Citation {
  id: 'apa' | 'chicago' | 'mla' | 'biblatex' | 'bibtex' | 'csl-json';
  name: string;
  text: string;
}

function dateParts(iso: string): { 'date-parts': number[][] } {
  const d = new Date(iso);
  return { 'date-parts': [[d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]] };
}

/** The statement as a CSL-JSON item: the archive location names the capture time and the record's hash. */
export function cslItem(s: CitedStatement): Record<string, unknown> {
  const archived = `captured ${s.capturedAt}; record SHA-256 ${s.recordSha256}`;
  return {
    id: `verbatim-${s.id}`,
    type: 'post',
    title: s.title,
    author: [{ literal: s.author }],
    issued: dateParts(s.authoredAt ?? s.capturedAt),
    accessed: dateParts(s.capturedAt),
    'container-title': s.platform,
    URL: s.permalink,
    archive: 'Verbatim',
    archive_location: archived,
    note: `Archived by Verbatim, ${archived}`,
  };
}

/**
 * APA, Chicago (author-date), MLA from their CSL styles; BibLaTeX, BibTeX and CSL-JSON from the same item.
 * BibLaTeX first of the two: its `@online` entry has a full date and the date read (`urldate`), which classic
 * BibTeX has no fields for (its `month` then carries the day as text).
 */
export function citationsOf(s: CitedStatement): Citation[] {
  const item = cslItem(s);
  const cite = new Cite(item);
  const style = (template: string) =>
    cite.format('bibliography', { template, format: 'text', lang: 'en-US' }).trim();
  return [
    { id: 'apa', name: 'APA', text: style('apa') },
    { id: 'chicago', name: 'Chicago', text: style('chicago-author-date') },
    { id: 'mla', name: 'MLA', text: style('mla') },
    { id: 'biblatex', name: 'BibLaTeX', text: cite.format('biblatex', { format: 'text' }).trim() },
    { id: 'bibtex', name: 'BibTeX', text: cite.format('bibtex', { format: 'text' }).trim() },
    { id: 'csl-json', name: 'CSL-JSON', text: JSON.stringify([item], null, 2) },
  ];
}
