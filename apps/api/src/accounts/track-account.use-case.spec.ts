import { ErrorCode, SourceError } from '@app/core';
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
});
