import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { listPlatformHealth } from '@app/persistence';
import { ConnectorRegistry } from '@app/sources';

@ApiTags('platforms')
@Controller('api/v1/platforms')
export class PlatformsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly connectors: ConnectorRegistry,
  ) {}

  /**
   * Every platform this build reads, with its canary's verdict where one is configured: `degraded` means its
   * polling is paused until the canary reads again; `unchecked` means no canary watches it.
   */
  @Get()
  async list() {
    const health = new Map((await listPlatformHealth(this.db.manager)).map((h) => [h.platform, h]));
    return {
      items: this.connectors.platforms.map((platform) => {
        const checked = health.get(platform);
        return checked ? { ...checked } : { platform, state: 'unchecked' as const };
      }),
    };
  }
}
