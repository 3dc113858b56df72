import { type XPlatformView, type XTweetRecord, type XUserRecord } from './x-records';

/** An in-memory X: users and every version of their posts, looked up as the router needs. */
export class XStore implements XPlatformView {
  private readonly users = new Map<string, XUserRecord>();
  private readonly tweets = new Map<string, XTweetRecord>();

  constructor(content: { users?: XUserRecord[]; tweets?: XTweetRecord[] } = {}) {
    for (const user of content.users ?? []) this.addUser(user);
    for (const tweet of content.tweets ?? []) this.addTweet(tweet);
  }

  addUser(user: XUserRecord): XUserRecord {
    this.users.set(user.id, user);
    return user;
  }

  addTweet(tweet: XTweetRecord): XTweetRecord {
    this.tweets.set(tweet.id, tweet);
    return tweet;
  }

  userById(id: string): XUserRecord | undefined {
    return this.users.get(id);
  }

  userByUsername(username: string): XUserRecord | undefined {
    const wanted = username.toLowerCase();
    return [...this.users.values()].find((u) => u.username.toLowerCase() === wanted);
  }

  tweet(id: string): XTweetRecord | undefined {
    return this.tweets.get(id);
  }

  tweetsOf(userId: string): XTweetRecord[] {
    return [...this.tweets.values()].filter((t) => t.authorId === userId);
  }
}
