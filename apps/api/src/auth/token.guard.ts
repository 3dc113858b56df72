import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { type Request } from 'express';
import { AccessPolicy } from './access-policy';

/**
 * Every route of every process goes through this guard (the composition root registers it for all roles,
 * so a worker's /metrics is private when reads are); AccessPolicy says which need a token.
 */
@Injectable()
export class TokenGuard implements CanActivate {
  constructor(private readonly access: AccessPolicy) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.access.authorize(context.switchToHttp().getRequest<Request>());
    return true;
  }
}
