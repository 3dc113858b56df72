import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { seedAdminToken } from '@app/persistence';

/** Seeds VERBATIM_ADMIN_TOKEN at boot (tokens are stored and looked up in @app/persistence). */
@Injectable()
export class TokenService implements OnApplicationBootstrap {
  private readonly logger = new Logger(TokenService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.auth.adminToken) return;
    const seeded = await seedAdminToken(this.db, this.config.auth.adminToken);
    if (seeded.revoked > 0) this.logger.log(`VERBATIM_ADMIN_TOKEN changed: revoked the previous admin token`);
    if (!seeded.active)
      this.logger.warn(`VERBATIM_ADMIN_TOKEN was revoked (verbatim tokens revoke) and is not accepted`);
  }
}
