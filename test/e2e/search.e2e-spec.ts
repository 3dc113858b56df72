import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { startTestApp, waitFor, type TestApp } from './support/app';

const ADMIN_TOKEN = 'admin-token-for-the-search-suite';

/** Posts as Mastodon serves them: its own `language` field, or null (then the language is detected). */
const POSTS = [
  { content: '<p>Министр иностранных дел провёл переговоры в Варшаве.</p>', language: 'ru' },
  { content: '<p>Заява міністра закордонних справ України щодо безпеки.</p>', language: 'uk' },
  {
    content:
      '<p>Le ministre des Affaires étrangères a rencontré son homologue allemand à Paris aujourd’hui.</p>',
    language: null,
  },
  { content: '<p>Warning &lt;script&gt;alert(1)&lt;/script&gt; sanctions on banks.</p>', language: 'en' },
];

describe('search through the API', () => {
  let env: TestEnvironment;
  let mastodon: FakeMastodon;
  let app: TestApp;

  beforeAll(async () => {
    env = await createTestEnvironment();
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry' });
    for (const post of POSTS) mastodon.publish('mfa', post);
    app = await startTestApp(env.config({ VERBATIM_ADMIN_TOKEN: ADMIN_TOKEN }));
    await app
      .http()
      .post('/api/v1/accounts')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 60 })
      .expect(201);
    await waitFor('all posts', async () => {
      const [{ n }]: { n: string }[] = await app.db.query('SELECT count(*) AS n FROM statements');
      return Number(n) === POSTS.length ? true : undefined;
    });
  });

  afterAll(async () => {
    await app?.close();
    await mastodon?.close();
    await env?.destroy();
  });

  const search = async (query: string) =>
    (await app.http().get(`/api/v1/statements?${query}`).expect(200)).body.items as {
      text: string;
      language: string | null;
      snippet?: string;
    }[];

  it("stores the platform's language, or the detected one when the platform gave none", async () => {
    const items = await search('limit=10');
    expect(Object.fromEntries(items.map((i) => [i.text.slice(0, 12), i.language]))).toEqual({
      'Министр инос': 'ru',
      'Заява мініст': 'uk',
      'Le ministre ': 'fr',
      'Warning <scr': 'en',
    });
  });

  it('finds another word form of a Russian word, and narrows by language and platform', async () => {
    const forms = await search(`q=${encodeURIComponent('министра')}`);
    expect(forms.map((i) => i.text)).toEqual(['Министр иностранных дел провёл переговоры в Варшаве.']);
    // Ukrainian: no stemmer in PostgreSQL, a prefix finds the other forms
    const prefix = await search(`q=${encodeURIComponent('міністр*')}&language=uk`);
    expect(prefix.map((i) => i.language)).toEqual(['uk']);
    expect(await search(`q=${encodeURIComponent('міністр*')}&language=ru`)).toEqual([]);
    expect(await search('q=etrangeres&platform=mastodon')).toHaveLength(1);
    expect(await search('q=etrangeres&platform=feed')).toEqual([]);
  });

  it('returns escaped snippets with <mark> only when asked', async () => {
    const [plain] = await search('q=sanctions');
    expect(plain.snippet).toBeUndefined();
    const [item] = await search('q=sanctions&withSnippets=true');
    expect(item.snippet).toContain('<mark>sanctions</mark>');
    expect(item.snippet).not.toContain('<script');
  });

  it('answers bad search parameters with 400 and a message saying what to fix', async () => {
    const bad = async (query: string, expected: string) => {
      const res = await app.http().get(`/api/v1/statements?${query}`).expect(400);
      expect(JSON.stringify(res.body.message)).toContain(expected);
    };
    await bad('language=English', 'ISO 639-1');
    await bad('platform=Mast%20odon', 'platform name');
    await bad('withSnippets=yes', 'withSnippets');
    await bad('q=mi*', 'at least 3 letters');
    await bad('q=-sanctions', 'not -excluded');
  });
});
