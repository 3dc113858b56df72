import { type StatementContent } from '@app/core';
import { type MastodonStatus } from './mastodon-entities';
import { statusToContent } from './mastodon-status';

/** What converting statuses needs; plain data, so that it can be sent to a worker thread. */
export interface StatusConversionInput {
  statuses: MastodonStatus[];
  /** the instance the statuses were read from */
  host: string;
}

/** Statuses to the statements they show: HTML to text, the CPU-heavy step of a Mastodon poll. */
export function convertStatuses(input: StatusConversionInput): StatementContent[] {
  return input.statuses.map((status) => statusToContent(status, input.host));
}
