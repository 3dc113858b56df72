import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sha256Hex } from '@app/core';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';

/** API tokens: only their SHA-256 is stored; VERBATIM_ADMIN_TOKEN is seeded at boot. */
@Injectable()
export class TokenService implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.auth.adminToken)
      await insertToken(this.db, 'admin (VERBATIM_ADMIN_TOKEN)', this.config.auth.adminToken);
  }

  async isValid(token: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `SELECT 1 FROM api_tokens WHERE token_sha256 = $1 AND revoked_at IS NULL`,
      [sha256Hex(token)],
    );
    return rows.length > 0;
  }
}

/** A new random token: shown once to whoever made it, stored only as its hash. */
export function generateToken(): string {
  return `vbt_${randomBytes(24).toString('base64url')}`;
}

export async function insertToken(db: DataSource, name: string, token: string): Promise<void> {
  await db.query(
    `INSERT INTO api_tokens (name, token_sha256) VALUES ($1, $2) ON CONFLICT (token_sha256) DO NOTHING`,
    [name, sha256Hex(token)],
  );
}
