import { ErrorCode, SourceError, VerbatimError } from '@app/core';
import { loadConfig } from '@app/config';
import { ConnectorRegistry, type Connector } from '@app/sources';
import { type DataSource } from 'typeorm';
import { TrackAccountUseCase } from './track-account.use-case';

/** A feed connector whose lookup fails as a parser overflowing its stack would. */
function breakingConnector(): Connector {
  const refuse = (): never => {
    throw new Error('not used');
  };
  return {
    platform: 'feed',
    describes: 'an RSS or Atom feed URL',
    canTrack: () => true,
    canCapture: () => false,
    resolve: () => Promise.reject(new RangeError('Maximum call stack size exceeded')),
    readCursor: (stored) => stored,
    capture: refuse,
    fetchMany: refuse,
    poll: refuse,
  };
}

describe('TrackAccountUseCase', () => {
  it('answers a lookup that broke on what the source sent as the source being unreadable, not as a 500', async () => {
    // the lookup fails before anything is written: no database is reached
    const noDatabase = null as unknown as DataSource;
    const useCase = new TrackAccountUseCase(
      noDatabase,
      new ConnectorRegistry([breakingConnector()]),
      loadConfig({}),
    );
    const error = await useCase.execute({ url: 'https://mfa.example/news.xml' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe(ErrorCode.SourceInvalidResponse);
    expect((error as SourceError).message).toBe(
      'could not read what mfa.example answered for https://mfa.example/news.xml (RangeError); the server log has the details',
    );
  });

  it.each([-1, 0, 1, 29])(
    'refuses an interval of %d naming the configured minimum, before looking the account up',
    async (pollIntervalSeconds) => {
      const noDatabase = null as unknown as DataSource;
      // the default minimum, 30; the connector would fail were it reached
      const useCase = new TrackAccountUseCase(
        noDatabase,
        new ConnectorRegistry([breakingConnector()]),
        loadConfig({}),
      );
      const error = await useCase
        .execute({ url: 'https://mfa.example/news.xml', pollIntervalSeconds })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VerbatimError);
      expect((error as VerbatimError).code).toBe(ErrorCode.InvalidInput);
      expect((error as VerbatimError).message).toBe(
        'pollIntervalSeconds: must be at least 30 (VERBATIM_MIN_POLL_INTERVAL_SECONDS)',
      );
    },
  );
});
