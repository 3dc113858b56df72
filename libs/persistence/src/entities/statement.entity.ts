import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { type Platform } from '@app/core';

export type StatementStatus = 'active' | 'deleted';

/** One post on one platform. Its content lives in versions; `latest_text` feeds full-text search. */
@Entity('statements')
@Index('statements_identity', ['accountId', 'externalId'], { unique: true })
export class StatementEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text' }) platform!: Platform;
  @Column({ name: 'external_id', type: 'text' }) externalId!: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId!: string;
  @Column({ type: 'text' }) url!: string;
  @Column({ name: 'authored_at', type: 'timestamptz', nullable: true }) authoredAt!: Date | null;
  @Column({ name: 'first_captured_at', type: 'timestamptz' }) firstCapturedAt!: Date;
  @Column({ name: 'last_seen_at', type: 'timestamptz' }) lastSeenAt!: Date;
  @Column({ type: 'text', default: 'active' }) status!: StatementStatus;
  @Column({ name: 'latest_version', type: 'integer' }) latestVersion!: number;
  @Column({ name: 'latest_text', type: 'text' }) latestText!: string;
  /** insertion order, for stable cursor pagination */
  @Column({ type: 'bigint', generated: 'increment' }) seq!: string;
}
