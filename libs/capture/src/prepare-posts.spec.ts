import { statementContent } from '@app/testing/statement-content';
import { preparePosts, type FoundPost } from './prepare-posts';

const content = statementContent('1001', {
  editedAt: '2022-02-27T09:00:00.000Z',
  html: '<p>The talks are postponed.</p>',
});

function found(history: FoundPost['history']): FoundPost {
  return { content, artifacts: [], evidenceLevel: 'captured', history };
}

const earlier = { content: { ...content, text: 'The talks will start on Tuesday.' }, artifacts: [] };

describe('preparePosts: an incomplete edit history is noted on the post', () => {
  it('notes a history that was not read, and keeps the post', async () => {
    const { posts, histories } = await preparePosts([
      found({ kind: 'failed', detail: 'diplo.example answered 500 Internal Server Error' }),
    ]);
    expect(posts).toHaveLength(1);
    expect(posts[0].historyGap).toEqual({
      kind: 'not-read',
      detail: 'diplo.example answered 500 Internal Server Error',
    });
    expect(histories.unread).toHaveLength(1);
  });

  it('notes a history whose versions cannot be prepared as not read, and keeps the post without them', async () => {
    // a lone surrogate cannot be canonicalized
    const broken = { content: { ...content, text: 'half \uD800 a pair' }, artifacts: [] };
    const { posts } = await preparePosts([found({ kind: 'read', versions: [broken] })]);
    expect(posts[0].history).toBeUndefined();
    expect(posts[0].historyGap?.kind).toBe('not-read');
  });

  it('notes a history cut short, its message made storable (a NUL from the platform escaped) and bounded', async () => {
    const truncated = `9 of 59 missed edits left out (made from 2022-02-27\u0000 to ${'x'.repeat(2000)})`;
    const { posts } = await preparePosts([found({ kind: 'read', versions: [earlier], truncated })]);
    expect(posts[0].history).toHaveLength(1);
    const gap = posts[0].historyGap!;
    expect(gap.kind).toBe('cut-short');
    expect(gap.detail).toContain('9 of 59 missed edits left out (made from 2022-02-27\\u0000 to ');
    expect(gap.detail).not.toContain('\u0000');
    // cut at 500 characters and an ellipsis, then the one NUL written as six
    expect(gap.detail).toHaveLength(500 + 1 + 5);
    expect(gap.detail.endsWith('…')).toBe(true);
  });

  it('notes a history cut short on the first version after the edits left out', async () => {
    const newest = { content: { ...content, text: 'The talks will start on Friday.' }, artifacts: [] };
    const { posts } = await preparePosts([
      found({
        kind: 'read',
        versions: [earlier, newest],
        truncated: '3 of 5 missed edits left out',
        truncatedAfter: 0,
      }),
    ]);
    expect(posts[0].historyGap).toBeUndefined();
    expect(posts[0].history?.map((v) => v.historyGap?.kind)).toEqual([undefined, 'cut-short']);
  });

  it('notes nothing for a history read whole, or none', async () => {
    const { posts } = await preparePosts([
      found({ kind: 'read', versions: [earlier] }),
      { ...found(undefined), content: { ...content, postId: '1002' } },
    ]);
    expect(posts.map((p) => p.historyGap)).toEqual([undefined, undefined]);
  });
});
