// Hostile answers a Bluesky AppView or PDS can give, for the end-to-end suites. Each is armed on the fake
// Bluesky (libs/testing/src/fake-bluesky) and must end as a recorded failure of the poll whose message
// names the problem: never a crash, never a version kept on false evidence.

import { type BlueskyFailureRule } from '../fake-bluesky';

export interface HostileBlueskyCase {
  name: string;
  /** the failure the fake serves while the case runs */
  rule: BlueskyFailureRule;
  /** what the account's recorded error says */
  error: RegExp;
  /** the error code the account shows */
  code: string;
}

export const hostileBlueskyCorpus: HostileBlueskyCase[] = [
  {
    name: 'plc-log-names-another-key',
    rule: { mode: 'plc-log-other-key' },
    error: /PLC directory serves false evidence: .*its PLC operation log ends at/,
    code: 'source-invalid-response',
  },
  {
    name: 'appview-feed-bad-json',
    rule: { mode: 'bad-json', path: '/xrpc/app.bsky.feed.getAuthorFeed' },
    error: /the response is not JSON/,
    code: 'source-invalid-response',
  },
  {
    name: 'pds-car-bad-block',
    rule: { mode: 'corrupt-car', path: '/xrpc/com.atproto.sync.getRecord' },
    error: /does not verify \(block-mismatch\)/,
    code: 'source-invalid-response',
  },
  {
    name: 'pds-car-signed-by-another-key',
    rule: { mode: 'foreign-car', path: '/xrpc/com.atproto.sync.getRecord' },
    error: /does not verify \(bad-signature\)/,
    code: 'source-invalid-response',
  },
  {
    name: 'appview-words-not-signed',
    rule: { mode: 'tampered-text', path: '/xrpc/app.bsky.feed.getAuthorFeed' },
    error: /the AppView's words or time differ from the signed record's/,
    code: 'source-invalid-response',
  },
];
