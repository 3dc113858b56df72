import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeBluesky, type FakeBluesky } from '@app/testing/fake-bluesky';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { startFakeTelegram, type FakeTelegram } from '@app/testing/fake-telegram';
import { kulebaXPost, startFakeX, type FakeX } from '@app/testing/fake-x';
import { startTestApp, waitFor, type TestApp } from './support/app';

const PUBLIC_URL = 'https://archive.test';

/**
 * Memento finds a statement from the link people share of it on each platform, whatever form the platform
 * gives that link: X's other hosts, handles and usernames in another letter case, Telegram's /s/ preview, a
 * Bluesky post by handle (its statement is held by DID), Mastodon's /users/ form. Real captures from fakes of
 * X, Telegram, Bluesky and Mastodon, looked up through the TimeGate and TimeMap.
 */
describe('Memento: a statement from the link people share, in any of its platform forms', () => {
  let env: TestEnvironment;
  let x: FakeX;
  let telegram: FakeTelegram;
  let bsky: FakeBluesky;
  let mastodon: FakeMastodon;
  let app: TestApp;

  /** Captures `url` on demand; the statement's id and the URL it is held under. */
  const capture = async (url: string): Promise<{ id: string; url: string }> => {
    const request = await app.write('post', '/api/v1/captures').send({ url }).expect(202);
    const done = await waitFor(`the capture of ${url}`, async () => {
      const res = await app.http().get(`/api/v1/captures/${request.body.jobId}`).expect(200);
      return res.body.state === 'queued' ? undefined : res.body;
    });
    expect([url, done.state]).toEqual([url, 'completed']);
    const statement = await app.http().get(`/api/v1/statements/${done.statementId}`).expect(200);
    return { id: statement.body.id as string, url: statement.body.url as string };
  };

  /** The TimeGate and the TimeMap both answer for `asked` with the statement held under `held`. */
  const expectFound = async (asked: string, held: { id: string; url: string }) => {
    const gate = await app.http().get(`/timegate/${asked}`);
    expect([asked, gate.status]).toEqual([asked, 302]);
    expect(gate.headers.location).toBe(`${PUBLIC_URL}/statements/${held.id}?version=1`);
    // the original in every link is the URL the statement is held under, not the one asked
    expect(gate.headers.link).toContain(`<${held.url}>; rel="original"`);
    const map = await app.http().get(`/timemap/link/${asked}`).expect(200);
    expect(map.text).toContain(`<${held.url}>; rel="original"`);
    expect(map.text).toContain(`${PUBLIC_URL}/statements/${held.id}?version=1`);
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    x = await startFakeX();
    telegram = await startFakeTelegram();
    bsky = await startFakeBluesky();
    mastodon = await startFakeMastodon();
    app = await startTestApp(
      env.config({
        VERBATIM_PUBLIC_URL: PUBLIC_URL,
        VERBATIM_X_API_BASE_URL: x.origin,
        VERBATIM_X_BEARER_TOKEN: x.token,
        VERBATIM_X_SYNDICATION_BASE_URL: x.origin,
        VERBATIM_X_OEMBED_BASE_URL: x.origin,
        VERBATIM_TELEGRAM_BASE_URL: telegram.origin,
        VERBATIM_BLUESKY_APPVIEW_URL: bsky.origin,
        VERBATIM_PLC_URL: bsky.origin,
      }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await x?.close();
    await telegram?.close();
    await bsky?.close();
    await mastodon?.close();
    await env?.destroy();
  });

  it('finds an X post captured from x.com through twitter.com, mobile and www hosts, and its name in any case', async () => {
    const post = kulebaXPost(x);
    const held = await capture(`https://x.com/DmytroKuleba/status/${post.id}`);
    expect(held.url).toBe(`https://x.com/DmytroKuleba/status/${post.id}`);
    for (const asked of [
      `https://twitter.com/DmytroKuleba/status/${post.id}`,
      `https://www.twitter.com/DmytroKuleba/status/${post.id}?s=20`,
      `https://mobile.twitter.com/DmytroKuleba/status/${post.id}`,
      `https://mobile.x.com/DmytroKuleba/status/${post.id}/`,
      `https://www.x.com/DmytroKuleba/status/${post.id}/photo/1`,
      `https://twitter.com/dmytrokuleba/status/${post.id}`,
      `https://x.com/DMYTROKULEBA/status/${post.id}#reply`,
    ])
      await expectFound(asked, held);
    // another post id, or another account's name, is no post we hold
    await app.http().get(`/timegate/https://twitter.com/dmytrokuleba/status/${post.id}1`).expect(404);
    await app.http().get(`/timegate/https://twitter.com/MFA_Ukraine/status/${post.id}`).expect(404);
    // the account's profile, in another host and case, is explained as a profile
    const profile = await app.http().get('/timegate/https://twitter.com/dmytrokuleba').expect(404);
    expect(JSON.stringify(profile.body)).toMatch(
      /is an account's profile URL.*\/accounts\/[0-9a-f-]+\.warc\.gz/,
    );
  });

  it('finds a Telegram post through t.me/s/, telegram.me and its channel in any case, and only in its channel', async () => {
    telegram.addChannel({ username: 'MFA_Testland', title: 'Ministry' });
    telegram.addChannel({ username: 'Embassy_Testland', title: 'Embassy' });
    const id = telegram.publish('MFA_Testland', { text: 'Talks start on Monday.' });
    const sameId = telegram.publish('Embassy_Testland', { text: 'Consular hours change.' });
    expect(sameId).toBe(id);
    const held = await capture(`https://t.me/MFA_Testland/${id}`);
    const other = await capture(`https://t.me/Embassy_Testland/${id}`);
    expect(held.url).toBe(`https://t.me/MFA_Testland/${id}`);
    for (const asked of [
      `https://t.me/s/MFA_Testland/${id}`,
      `https://t.me/mfa_testland/${id}`,
      `https://telegram.me/MFA_TESTLAND/${id}`,
      `https://www.t.me/s/mfa_testland/${id}/`,
    ])
      await expectFound(asked, held);
    await expectFound(`https://t.me/s/embassy_testland/${id}`, other);
  });

  it('finds a Bluesky post, held by DID, from its link by handle in any case and by DID', async () => {
    const account = await bsky.addAccount({ handle: 'mfa.gov.example' });
    const post = await bsky.publish('mfa.gov.example', { text: 'Statement on the grain corridor.' });
    const held = await capture(`https://bsky.app/profile/mfa.gov.example/post/${post.rkey}`);
    expect(held.url).toBe(`https://bsky.app/profile/${account.did}/post/${post.rkey}`);
    for (const asked of [
      `https://bsky.app/profile/mfa.gov.example/post/${post.rkey}`,
      `https://bsky.app/profile/MFA.Gov.Example/post/${post.rkey}`,
      `https://www.bsky.app/profile/${account.did}/post/${post.rkey}/`,
    ])
      await expectFound(asked, held);
    await app.http().get(`/timegate/https://bsky.app/profile/mfa.gov.example/post/${post.rkey}x`).expect(404);
  });

  it('finds a Mastodon post from its username in any case and its /users/ form', async () => {
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry' });
    const status = mastodon.publish('mfa', { content: '<p>Talks start on Monday.</p>' });
    const held = await capture(`${mastodon.origin}/@mfa/${status.id}`);
    expect(held.url).toBe(`${mastodon.origin}/@mfa/${status.id}`);
    for (const asked of [
      `${mastodon.origin}/@MFA/${status.id}`,
      `${mastodon.origin}/users/Mfa/statuses/${status.id}`,
    ])
      await expectFound(asked, held);
    // a parameter left may pick what a page shows: as for any URL, not one we hold
    await app.http().get(`/timegate/${mastodon.origin}/@MFA/${status.id}?lang=en`).expect(404);
  });
});
