import { type OutboxEvent } from '@app/persistence';
import { subscriptionWants, webhookPayload } from './event-payload';

describe('subscriptionWants, filtered by account', () => {
  const holder = 'a1b2c3d4-0000-4000-8000-000000000001';
  const secondList = 'a1b2c3d4-0000-4000-8000-000000000002';
  const elsewhere = 'a1b2c3d4-0000-4000-8000-000000000003';
  const edited = { type: 'statement.edited', accountId: holder, text: 'Statement', previousStatus: null };
  const wants = (accountIds: string[], event: Parameters<typeof subscriptionWants>[1]) =>
    subscriptionWants({ events: ['statement.edited'], accountIds, keywords: null }, event, () => true);

  it("lets through an event of the statement's own account", () => {
    expect(wants([holder], edited)).toBe(true);
  });

  it('lets through a web page another list saw too, to that list', () => {
    expect(wants([secondList], { ...edited, seenBy: [secondList] })).toBe(true);
  });

  it('keeps out an event of no account the subscription names', () => {
    expect(wants([elsewhere], { ...edited, seenBy: [secondList] })).toBe(false);
    expect(wants([secondList], edited)).toBe(false);
  });
});

describe('webhookPayload', () => {
  const publicUrl = 'https://archive.example.org';
  const statementId = 'b1b2c3d4-0000-4000-8000-000000000001';
  const observationId = 'c1b2c3d4-0000-4000-8000-000000000001';
  const account = {
    id: 'a1b2c3d4-0000-4000-8000-000000000001',
    handle: 'mfa@gov.example',
    platform: 'mastodon',
  };
  const base: OutboxEvent = {
    id: '1',
    type: 'statement.created',
    createdAt: new Date('2026-03-01T12:00:05.000Z'),
    statementId,
    accountId: account.id,
    versionNumber: 1,
    statementUrl: 'https://gov.example/@mfa/1',
    statementStatus: 'active',
    text: 'Statement',
    previousText: null,
    recordSha256: 'ab'.repeat(32),
    leafIndex: '7',
    account,
    observationId: null,
    observedAt: new Date('2026-03-01T12:00:00.000Z'),
    previousStatus: null,
    statusReason: null,
    lastSeenAt: null,
    missingSince: null,
    platform: 'mastodon',
    detail: null,
    quotation: null,
  };
  const observed = (event: Partial<OutboxEvent>): OutboxEvent => ({
    ...base,
    versionNumber: null,
    recordSha256: null,
    leafIndex: '9',
    observationId,
    ...event,
  });

  it("links the statement's reading-room page beside its JSON, and leaves out what the event does not have", () => {
    const { data } = webhookPayload(base, publicUrl);
    expect(data.links).toEqual({
      statement: `${publicUrl}/api/v1/statements/${statementId}`,
      evidence: `${publicUrl}/api/v1/statements/${statementId}/evidence?version=1`,
      page: `${publicUrl}/statements/${statementId}`,
    });
    for (const field of ['reason', 'lastSeenAt', 'missingSince', 'previousStatus', 'platform'])
      expect(data).not.toHaveProperty(field);
  });

  it('says why an account became unavailable, from the observation that showed it', () => {
    const { data } = webhookPayload(
      observed({
        type: 'account.unavailable',
        statementStatus: 'unavailable',
        previousStatus: 'active',
        statusReason: 'login-wall',
      }),
      publicUrl,
    );
    expect(data).toMatchObject({ status: 'unavailable', previousStatus: 'active', reason: 'login-wall' });
    expect(data).not.toHaveProperty('platform');
    expect(data.links.evidence).toBe(
      `${publicUrl}/api/v1/statements/${statementId}/evidence?observation=${observationId}`,
    );
  });

  it('tells when a deleted post was last seen and first found missing, beside the confirmation', () => {
    const { data } = webhookPayload(
      observed({
        type: 'statement.deleted',
        statementStatus: 'deleted',
        previousStatus: 'missing',
        observedAt: new Date('2026-03-02T09:10:00.000Z'),
        lastSeenAt: new Date('2026-03-02T08:00:00.000Z'),
        missingSince: new Date('2026-03-02T09:00:00.000Z'),
      }),
      publicUrl,
    );
    expect(data).toMatchObject({
      status: 'deleted',
      previousStatus: 'missing',
      observedAt: '2026-03-02T09:10:00.000Z',
      lastSeenAt: '2026-03-02T08:00:00.000Z',
      missingSince: '2026-03-02T09:00:00.000Z',
      version: null,
      recordSha256: null,
      links: { page: `${publicUrl}/statements/${statementId}` },
    });
    expect(data).not.toHaveProperty('reason');
  });

  it("keeps a connector event's reason from its detail, and its platform", () => {
    const { data } = webhookPayload(
      {
        ...base,
        type: 'connector.degraded',
        statementId: null,
        accountId: null,
        account: null,
        versionNumber: null,
        statementUrl: null,
        statementStatus: null,
        text: null,
        recordSha256: null,
        leafIndex: null,
        platform: 'telegram',
        detail: 'login-wall',
        // a connector event has no observation; a reason there would not be the connector's
        statusReason: 'private',
      },
      publicUrl,
    );
    expect(data).toMatchObject({ platform: 'telegram', reason: 'login-wall' });
    expect(data.links).toEqual({ statement: null, evidence: null, page: null });
  });

  it('keeps every field it had: only additions', () => {
    const { data } = webhookPayload(base, publicUrl);
    expect(Object.keys(data)).toEqual(
      expect.arrayContaining([
        'statementId',
        'url',
        'account',
        'text',
        'version',
        'recordSha256',
        'status',
        'observedAt',
        'leafIndex',
        'links',
      ]),
    );
    expect(Object.keys(data.links)).toEqual(expect.arrayContaining(['statement', 'evidence']));
  });
});
