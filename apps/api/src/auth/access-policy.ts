import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Request } from 'express';
import { DataSource } from 'typeorm';
import { ErrorCode, VerbatimError } from '@app/core';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { isTokenValid } from '@app/persistence';

/**
 * Public in every mode. /health: load balancers and orchestrators probe it without credentials (it says up
 * or down, nothing else when reads are private). Witness endpoints (C2SP tlog-witness): logs submit
 * checkpoints without credentials; the log's signature authenticates them.
 */
const ALWAYS_PUBLIC = new Set(['/health', '/witness/add-checkpoint', '/witness/key']);

/** The browser verifier script (the same code as `verbatim verify`): public like the key it checks against. */
const VERIFIER_SCRIPT = '/assets/verify.js';

/**
 * Readable without a token even when VERBATIM_PUBLIC_READ=false: what a verifier needs to check evidence it
 * already holds. The key and the signed checkpoints exist to be published (a bundle is checked against the
 * key, checkpoints are gossiped and compared by witnesses and auditors), and hash tiles hold Merkle hashes
 * only. Entry tiles hold the entries themselves (statement ids, capture times, digests): LogController asks
 * for a token for those.
 */
const VERIFICATION_PATHS = new Set(['/log/checkpoint', '/log/key', VERIFIER_SCRIPT]);
const VERIFICATION_PREFIX = '/log/tile/';

/** Who may do what: writes need `Authorization: Bearer <token>`, and reads too when VERBATIM_PUBLIC_READ=false. */
@Injectable()
export class AccessPolicy {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
  ) {}

  get publicRead(): boolean {
    return this.config.auth.publicRead;
  }

  /**
   * Throws Unauthorized unless the request may go on. `privateReads`: its route's reads need a token in every mode
   * (`@PrivateReads()`). The public paths are matched exactly, so a path in another letter case (which Express
   * routes alike) can only need a token where the exact one does not.
   */
  async authorize(req: Request, route: { privateReads: boolean }): Promise<void> {
    if (ALWAYS_PUBLIC.has(req.path)) return;
    if (isRead(req) && !route.privateReads && this.isPublicRead(req.path)) return;
    await this.requireToken(req, route.privateReads ? 'private' : isRead(req) ? 'read' : 'write');
  }

  /** For reads outside the route guard (the API docs, entry tiles): a token unless reads are public. */
  async authorizeRead(req: Request): Promise<void> {
    if (!this.publicRead) await this.requireToken(req, 'read');
  }

  private isPublicRead(path: string): boolean {
    return this.publicRead || VERIFICATION_PATHS.has(path) || path.startsWith(VERIFICATION_PREFIX);
  }

  private async requireToken(req: Request, why: keyof typeof TOKEN_NEEDED): Promise<void> {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) {
      throw new VerbatimError(
        ErrorCode.Unauthorized,
        `${TOKEN_NEEDED[why]}: send Authorization: Bearer <token> (make one with \`verbatim tokens create\`)`,
      );
    }
    if (!(await isTokenValid(this.db, match[1])))
      throw new VerbatimError(ErrorCode.Unauthorized, 'the bearer token is unknown or revoked');
  }
}

const TOKEN_NEEDED = {
  read: 'this archive is not public',
  write: 'writes need a token',
  private: 'subscriptions are private',
};

function isRead(req: Request): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}
