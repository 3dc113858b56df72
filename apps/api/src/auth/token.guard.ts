import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Request } from 'express';
import { AccessPolicy } from './access-policy';
import { PRIVATE_READS } from './private-reads';

/**
 * Every route of every process goes through this guard (the composition root registers it for all roles,
 * so a worker's /metrics is private when reads are); AccessPolicy says which need a token, and `@PrivateReads()`
 * on a controller or handler makes its reads need one in every mode.
 */
@Injectable()
export class TokenGuard implements CanActivate {
  constructor(
    private readonly access: AccessPolicy,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const privateReads =
      this.reflector.getAllAndOverride<boolean | undefined>(PRIVATE_READS, [
        context.getHandler(),
        context.getClass(),
      ]) === true;
    await this.access.authorize(context.switchToHttp().getRequest<Request>(), { privateReads });
    return true;
  }
}
