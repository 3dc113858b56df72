import { type CaptureArtifactLink } from '@app/persistence';
import { pairResponses } from './pair-responses';

const link = (
  role: string,
  sha: string,
  url: string | null = 'https://m.example/api',
): CaptureArtifactLink => ({
  role,
  sha256: sha.repeat(64).slice(0, 64),
  mediaType: 'application/octet-stream',
  size: 1,
  url,
});

describe('pairResponses', () => {
  it('pairs the response head with its body and an edit-history head with the history', () => {
    const response = link('response', 'a');
    const head = link('response-head', 'b');
    const history = link('edit-history', 'c', 'https://m.example/api/history');
    const historyHead = link('edit-history-head', 'd', 'https://m.example/api/history');
    const paired = pairResponses([history, historyHead, response, head]);
    expect(paired.responses).toEqual([
      { head: historyHead, body: history },
      { head, body: response },
    ]);
    expect(paired.resources).toEqual([]);
  });

  it('pairs a feed or page body with the response head beside it', () => {
    const feed = link('feed', 'a');
    const head = link('response-head', 'b');
    expect(pairResponses([feed, head]).responses).toEqual([{ head, body: feed }]);
  });

  it('does not pair a head with a body another URL answered', () => {
    const body = link('response', 'a', 'https://m.example/one');
    const head = link('response-head', 'b', 'https://m.example/two');
    expect(pairResponses([body, head])).toEqual({ responses: [], resources: [body] });
  });

  it('pairs by role alone on links kept before URLs were', () => {
    const body = link('response', 'a', null);
    const head = link('response-head', 'b', null);
    expect(pairResponses([body, head]).responses).toEqual([{ head, body }]);
  });

  it('leaves bodies without a head, such as media, as resources', () => {
    const media = link('media', 'e', 'https://m.example/photo.jpg');
    const body = link('response', 'a');
    const head = link('response-head', 'b');
    expect(pairResponses([media, body, head])).toEqual({ responses: [{ head, body }], resources: [media] });
  });
});
