import { KULEBA_STATEMENT_TEXT, KULEBA_X_CREATED_AT, KULEBA_X_USER } from '@app/sandbox';
import { type FakeX } from './fake-x-server';

// the statement's data is shared with the demo's sandbox X server
export { KULEBA_STATEMENT_TEXT, KULEBA_X_CREATED_AT, KULEBA_X_POST_ID, KULEBA_X_USER } from '@app/sandbox';

/** Publishes the Foreign Minister's call for the International Legion (27 February 2022) on the fake X. */
export function kulebaXPost(server: FakeX) {
  if (!server.store.userByUsername(KULEBA_X_USER.username)) server.store.addUser({ ...KULEBA_X_USER });
  return server.publish(KULEBA_X_USER.username, {
    text: KULEBA_STATEMENT_TEXT,
    createdAt: KULEBA_X_CREATED_AT,
  });
}
