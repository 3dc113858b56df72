import { KULEBA_ACCOUNT, KULEBA_STATEMENT, KULEBA_USERNAME } from '@app/sandbox';
import { type EntityJson, type FakeMastodon } from './fake-mastodon-server';

// the statement's data is shared with the demo's sandbox server
export {
  KULEBA_CREATED_AT,
  KULEBA_STATEMENT_HTML,
  KULEBA_STATEMENT_TEXT,
  KULEBA_USERNAME,
} from '@app/sandbox';

/**
 * Publishes the Foreign Minister's call for the International Legion (27 February 2022) from the account
 * DmytroKuleba on the fake server, creating the account if needed. Returns the status as the API serves it.
 */
export function kulebaStatement(server: FakeMastodon): EntityJson {
  try {
    server.accountJson(KULEBA_USERNAME);
  } catch {
    server.addAccount({ ...KULEBA_ACCOUNT });
  }
  return server.publish(KULEBA_USERNAME, { ...KULEBA_STATEMENT });
}
