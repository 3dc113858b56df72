import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { type Request } from 'express';
import { ErrorCode, VerbatimError } from '@app/core';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { TokenService } from './token.service';

/** C2SP tlog-witness: logs submit checkpoints without credentials; the log's signature authenticates them. */
const WITNESS_PATHS = ['/witness/add-checkpoint', '/witness/key'];
const ALWAYS_PUBLIC = ['/health', '/metrics', ...WITNESS_PATHS];
/** Reads that need a token even in a public archive: subscribers' endpoints and delivery history. */
const ALWAYS_PRIVATE = ['/api/v1/subscriptions'];

/** Writes need `Authorization: Bearer <token>`; reads too when VERBATIM_PUBLIC_READ=false. */
@Injectable()
export class TokenGuard implements CanActivate {
  constructor(
    private readonly tokens: TokenService,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const isRead = req.method === 'GET' || req.method === 'HEAD';
    const alwaysPrivate = ALWAYS_PRIVATE.some(
      (prefix) => req.path === prefix || req.path.startsWith(`${prefix}/`),
    );
    if (ALWAYS_PUBLIC.includes(req.path) || (isRead && this.config.auth.publicRead && !alwaysPrivate))
      return true;
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      throw new VerbatimError(
        ErrorCode.Unauthorized,
        isRead && !alwaysPrivate
          ? 'this archive is not public: send Authorization: Bearer <token> (make one with `verbatim tokens create`)'
          : alwaysPrivate && isRead
            ? 'subscriptions are private: send Authorization: Bearer <token> (make one with `verbatim tokens create`)'
            : 'writes need Authorization: Bearer <token> (make one with `verbatim tokens create`)',
      );
    }
    if (!(await this.tokens.isValid(match[1])))
      throw new VerbatimError(ErrorCode.Unauthorized, 'the bearer token is unknown or revoked');
    return true;
  }
}
