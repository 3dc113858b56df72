import { parse } from 'csv-parse/sync';
import { type StatementSummaryView } from '@app/persistence';
import { toCsv, toJsonLines } from './search-export';

const item = (text: string): StatementSummaryView => ({
  id: '6c1f3b0e-8a52-4b7e-9f43-2d1a0c9e5b11',
  platform: 'telegram',
  url: 'https://t.me/mfa/1',
  account: { id: 'a1', handle: 'mfa', displayName: 'МЗС, "офіційно"', url: 'https://t.me/mfa' },
  authoredAt: '2026-11-28T09:00:00.000Z',
  firstCapturedAt: '2026-11-28T09:01:00.000Z',
  lastSeenAt: '2026-11-28T10:00:00.000Z',
  status: 'active',
  statusChangedAt: null,
  latestVersion: 1,
  text,
  language: 'uk',
});

describe('search exports', () => {
  it('writes CSV that a CSV parser reads back: quotes, commas, newlines and Cyrillic intact', () => {
    const text = 'Перший рядок, "цитата"\nдругий рядок';
    const [row] = parse(toCsv([item(text)], 'https://archive.example'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(row).toMatchObject({
      text,
      account_name: 'МЗС, "офіційно"',
      permalink: 'https://archive.example/statements/6c1f3b0e-8a52-4b7e-9f43-2d1a0c9e5b11?version=1',
      status_changed_at: '',
    });
  });

  it('keeps a spreadsheet from running a text as a formula in CSV, and JSON Lines verbatim', () => {
    const formula = '=HYPERLINK("http://evil.example","click")';
    const [row] = parse(toCsv([item(formula)], 'https://a.example'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(row.text).toBe(`'${formula}`);
    expect(JSON.parse(toJsonLines([item(formula)], 'https://a.example')).text).toBe(formula);
  });

  it('writes one JSON object per line, each line ending in a newline', () => {
    const out = toJsonLines([item('один'), item('два')], 'https://a.example');
    expect(out.endsWith('\n')).toBe(true);
    expect(
      out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).text),
    ).toEqual(['один', 'два']);
  });
});
