import { parseHTML } from 'linkedom';
import { type StatementRecord } from '@app/core';
import { type StatementView, type VersionView } from '@app/persistence';
import { type Language } from './i18n';
import { PageRenderer } from './renderer';

const ID = '0b6c5b8e-8f0a-4e47-9d3c-6a1f1d3c2b10';
const HOSTILE = '<img src=x onerror=alert(1)>';

const record = (text: string, editedAt: string | null): StatementRecord => ({
  platform: 'mastodon',
  account: 'mfa@social.example',
  postId: '1',
  url: 'https://social.example/@mfa/1',
  authoredAt: '2026-11-29T09:59:58.000Z',
  editedAt,
  title: null,
  text,
  html: null,
  language: 'en',
  media: [],
  isReply: false,
  isRepost: false,
  isQuote: false,
  parserVersion: 'mastodon/1',
  artifacts: [],
});

const version = (number: number, capturedAt: string, editedAt: string | null): VersionView => ({
  number,
  capturedAt,
  text: `Text of version ${number}`,
  html: null,
  record: record(`Text of version ${number}`, editedAt),
  recordSha256: String(number).repeat(64),
  evidenceLevel: 'captured',
  source: 'capture',
  diff: null,
  historyGap: null,
  artifacts: [],
  media: [],
});

const statement: StatementView = {
  kind: 'captured',
  id: ID,
  platform: 'mastodon',
  url: 'https://social.example/@mfa/1',
  account: {
    id: 'acc',
    handle: 'mfa@social.example',
    displayName: 'Ministry',
    url: 'https://social.example/@mfa',
  },
  authoredAt: '2026-11-29T09:59:58.000Z',
  firstCapturedAt: '2026-11-29T10:00:05.123Z',
  lastSeenAt: '2026-11-29T10:30:00.000Z',
  status: 'unavailable',
  statusChangedAt: '2026-11-29T10:30:00.000Z',
  latestVersion: 2,
  language: 'en',
  versions: [
    version(1, '2026-11-29T10:00:05.123Z', null),
    version(2, '2026-11-29T10:20:41.000Z', '2026-11-29T10:20:07.000Z'),
  ],
  observations: [
    {
      id: 'obs',
      status: 'unavailable',
      previousStatus: 'active',
      reason: `login-wall${HOSTILE}`,
      httpStatus: 403,
      observedAt: '2026-11-29T10:30:00.000Z',
      leafIndex: 7,
      artifacts: [],
      evidenceUrl: `/api/v1/statements/${ID}/evidence?observation=obs`,
    },
  ],
  quotedBy: [],
};

function renderStatement(language: Language, shown = statement.versions[1]) {
  const html = new PageRenderer().render(
    'statement',
    { language, nonce: 'n', title: 't', pathAndQuery: `/statements/${ID}` },
    {
      s: statement,
      shown,
      latestNumber: 2,
      textLang: 'en',
      logIndex: 3,
      checkpoint: null,
      evidenceLevelText: 'captured',
      bundleUrl: `/api/v1/statements/${ID}/evidence?version=${shown.number}`,
      citations: [],
    },
  );
  return parseHTML(html).document;
}

describe('the statement page', () => {
  it('gives every time to the second in UTC, machine-readable beside it', () => {
    const page = renderStatement('en');
    const captured = page.querySelector('#version-1 time')!;
    expect(captured.getAttribute('datetime')).toBe('2026-11-29T10:00:05.123Z');
    expect(captured.textContent).toBe('29 Nov 2026, 10:00:05 UTC');
    expect(renderStatement('uk').querySelector('#version-1 time')!.textContent).toBe(
      '29 лист. 2026 р., 10:00:05 UTC',
    );
  });

  it("shows the author's own edit time of a version that has one, and none for one that has not", () => {
    const page = renderStatement('en');
    expect(page.querySelector('#version-2 > p.meta')!.textContent).toBe(
      'Captured: 29 Nov 2026, 10:20:41 UTC · Edited by the author: 29 Nov 2026, 10:20:07 UTC',
    );
    expect(page.querySelector('#version-2 > p.meta time:nth-of-type(2)')!.getAttribute('datetime')).toBe(
      '2026-11-29T10:20:07.000Z',
    );
    expect(page.querySelector('#version-1 > p.meta')!.textContent).not.toContain('Edited');
    // and in the facts of the version shown
    const facts = page.querySelector('dl.facts')!.textContent;
    expect(facts).toContain('Edited by the author29 Nov 2026, 10:20:07 UTC');
    expect(renderStatement('en', statement.versions[0]).querySelector('dl.facts')!.textContent).not.toContain(
      'Edited by the author',
    );
  });

  it('names the reason an observation recorded, as text', () => {
    const page = renderStatement('en');
    const line = page.querySelector('#status-heading + ul > li')!;
    expect(line.textContent).toBe(
      `29 Nov 2026, 10:30:00 UTC: active → unavailable (HTTP 403) · reason: login-wall${HOSTILE} · Evidence bundle (JSON)`,
    );
    // the captured reason stays text: no element of its own
    expect(line.querySelector('img')).toBeNull();
    expect(line.querySelector('code')!.textContent).toBe(`login-wall${HOSTILE}`);
    expect(renderStatement('uk').querySelector('#status-heading + ul > li')!.textContent).toContain(
      'причина: login-wall',
    );
  });

  it('names, on the verify button, the version the page shows', () => {
    const button = renderStatement('en', statement.versions[0]).querySelector('#verify-button')!;
    expect(button.getAttribute('data-bundle-url')).toBe(`/api/v1/statements/${ID}/evidence?version=1`);
    expect(button.getAttribute('data-statement-id')).toBe(ID);
    expect(button.getAttribute('data-version')).toBe('1');
    expect(button.getAttribute('data-record-sha256')).toBe('1'.repeat(64));
  });
});

describe('the account page', () => {
  it('labels the profile address as the profile, not a post', () => {
    for (const [language, label] of [
      ['en', 'Profile on the platform'],
      ['uk', 'Профіль на платформі'],
    ] as const) {
      const html = new PageRenderer().render(
        'account',
        { language, nonce: 'n', title: 't', pathAndQuery: '/accounts/acc' },
        {
          account: {
            id: 'acc',
            platform: 'mastodon',
            handle: 'mfa@social.example',
            displayName: 'Ministry',
            url: 'https://social.example/@mfa',
            tracking: true,
            paused: false,
            lastPolledAt: '2026-11-29T10:00:05.000Z',
            lastPollStatus: 'ok',
            consecutiveFailures: 0,
            deferredSince: null,
            lastError: null,
          },
          items: [],
          firstPageUrl: null,
          nextPageUrl: null,
        },
      );
      const facts = parseHTML(html).document.querySelector('dl.facts')!;
      const link = facts.querySelector('a[href="https://social.example/@mfa"]')!;
      expect(link.parentElement!.previousElementSibling!.textContent).toBe(label);
    }
  });
});
