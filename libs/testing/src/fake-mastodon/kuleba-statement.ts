import { type EntityJson, type FakeMastodon } from './fake-mastodon-server';

export const KULEBA_USERNAME = 'DmytroKuleba';

/** The statement as a reader sees it. */
export const KULEBA_STATEMENT_TEXT =
  'Foreigners willing to defend Ukraine and world order as part of the International Legion of Territorial ' +
  'Defense of Ukraine, I invite you to contact foreign diplomatic missions of Ukraine in your respective ' +
  'countries. Together we defeated Hitler, and we will defeat Putin, too.';

/** The same statement as Mastodon stores and serves it. */
export const KULEBA_STATEMENT_HTML = `<p>${KULEBA_STATEMENT_TEXT}</p>`;

export const KULEBA_CREATED_AT = '2022-02-27T08:33:10.912Z';

/**
 * Publishes the Foreign Minister's call for the International Legion (27 February 2022) from the account
 * DmytroKuleba on the fake server, creating the account if needed. Returns the status as the API serves it.
 */
export function kulebaStatement(server: FakeMastodon): EntityJson {
  try {
    server.accountJson(KULEBA_USERNAME);
  } catch {
    server.addAccount({
      username: KULEBA_USERNAME,
      displayName: 'Dmytro Kuleba',
      note: '<p>Minister of Foreign Affairs of Ukraine</p>',
      website: 'mfa.gov.ua',
      createdAt: '2022-02-26T00:00:00.000Z',
    });
  }
  return server.publish(KULEBA_USERNAME, {
    content: KULEBA_STATEMENT_HTML,
    language: 'en',
    createdAt: KULEBA_CREATED_AT,
  });
}
