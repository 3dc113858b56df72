import { subscriptionWants } from './event-payload';

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
