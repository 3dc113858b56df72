import { type OutboxEvent, type OutboxQuotation } from '@app/persistence';

/** The body of a webhook, the same bytes for every subscriber and every retry of one event. */
export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: {
    statementId: string | null;
    url: string | null;
    account: { id: string; handle: string; platform: string } | null;
    /** a web page another tracked list found too: those lists' account ids (`accountIds` filters match them) */
    seenBy?: string[];
    text: string | null;
    previousText?: string;
    version: number | null;
    recordSha256: string | null;
    status: string | null;
    /** the status before this event, for events a recheck observed (deleted, restored, account changes) */
    previousStatus?: string;
    observedAt: string;
    /**
     * `statement.deleted`: when the archive last saw the post present (a poll listed it or a recheck found it), as
     * known when the event was positioned
     */
    lastSeenAt?: string;
    /**
     * `statement.deleted`, `statement.restored`: when a recheck first found the post missing, the start of the spell
     * the deletion confirmed (`observedAt`) or the restoration ended
     */
    missingSince?: string;
    leafIndex?: number;
    /** connector events: the platform whose canary check failed or read again */
    platform?: string;
    /**
     * why: for connector events, the canary's failure; for status events a recheck observed (`account.unavailable`),
     * the platform's answer as recorded with the observation (`login-wall`, `private`, `account-suspended`,
     * `account-gone`, `withheld`)
     */
    reason?: string;
    /**
     * `statement.quoted`: what a document claimed (statementId and account are the captured original's when
     * it was known as the quotation was recorded, else null; `text` is the quoted text, null for a link-only quote)
     */
    quotation?: OutboxQuotation & { links: { quotedStatement: string; evidence: string } };
    /** `page`: the statement's reading-room page, for people (`statement` is its JSON) */
    links: { statement: string | null; evidence: string | null; page: string | null };
  };
}

/** What subscribers are told about an event; links start at the installation's public URL. */
export function webhookPayload(event: OutboxEvent, publicUrl: string): WebhookPayload {
  const statement = event.statementId ? `${publicUrl}/api/v1/statements/${event.statementId}` : null;
  const page = event.statementId ? `${publicUrl}/statements/${event.statementId}` : null;
  const connector = event.type.startsWith('connector.');
  const reason = connector ? event.detail : event.statusReason;
  const quotation = event.quotation;
  const evidence = !statement
    ? null
    : quotation
      ? null
      : event.observationId
        ? `${statement}/evidence?observation=${event.observationId}`
        : event.versionNumber !== null
          ? `${statement}/evidence?version=${event.versionNumber}`
          : null;
  return {
    type: event.type,
    timestamp: event.createdAt.toISOString(),
    data: {
      statementId: event.statementId,
      url: event.statementUrl,
      account: event.account,
      ...(event.seenBy ? { seenBy: event.seenBy } : {}),
      text: event.text,
      ...(event.type === 'statement.edited' && event.previousText !== null
        ? { previousText: event.previousText }
        : {}),
      version: event.versionNumber,
      recordSha256: event.recordSha256,
      status: event.statementStatus,
      ...(event.previousStatus !== null ? { previousStatus: event.previousStatus } : {}),
      observedAt: event.observedAt.toISOString(),
      ...(event.lastSeenAt ? { lastSeenAt: event.lastSeenAt.toISOString() } : {}),
      ...(event.missingSince ? { missingSince: event.missingSince.toISOString() } : {}),
      ...(event.leafIndex !== null ? { leafIndex: Number(event.leafIndex) } : {}),
      ...(connector && event.platform ? { platform: event.platform } : {}),
      ...(reason ? { reason } : {}),
      ...(quotation
        ? {
            quotation: {
              ...quotation,
              links: {
                quotedStatement: `${publicUrl}/api/v1/quoted-statements/${quotation.quotedStatementId}`,
                evidence: `${publicUrl}/api/v1/quoted-statements/${quotation.quotedStatementId}/evidence?quotation=${quotation.id}`,
              },
            },
          }
        : {}),
      links: { statement, evidence, page },
    },
  };
}

/** Whether the event is about one of these accounts: its own, or one whose list also found the web page. */
function concernsAny(event: Pick<OutboxEvent, 'accountId' | 'seenBy'>, accountIds: string[]): boolean {
  if (event.accountId && accountIds.includes(event.accountId)) return true;
  return (event.seenBy ?? []).some((id) => accountIds.includes(id));
}

/**
 * Whether a subscription's filters let an event through. A post that was only seen missing and is back was
 * never reported gone, so its `statement.restored` would be noise: it is not sent.
 */
export function subscriptionWants(
  subscription: { events: string[]; accountIds: string[] | null; keywords: string[] | null },
  event: Pick<OutboxEvent, 'type' | 'accountId' | 'seenBy' | 'text' | 'previousStatus'>,
  matchesKeywords: (text: string, keywords: string[]) => boolean,
): boolean {
  if (!subscription.events.includes(event.type)) return false;
  if (event.type === 'statement.restored' && event.previousStatus === 'missing') return false;
  if (subscription.accountIds && !concernsAny(event, subscription.accountIds)) return false;
  if (subscription.keywords && subscription.keywords.length > 0)
    return matchesKeywords(event.text ?? '', subscription.keywords);
  return true;
}
