/** What subscribers can hear about. */
export const SUBSCRIBABLE_EVENTS = [
  'statement.created',
  'statement.edited',
  'statement.deleted',
  'statement.restored',
  'statement.quoted',
  'account.unavailable',
  'account.restored',
  'connector.degraded',
  'connector.recovered',
] as const;
export type SubscribableEvent = (typeof SUBSCRIBABLE_EVENTS)[number];
