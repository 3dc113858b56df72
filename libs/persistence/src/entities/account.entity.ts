import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { type Platform } from '@app/core';

export type PollStatus = 'never' | 'ok' | 'unchanged' | 'failed';

/** An account on a platform. `tracking` accounts are polled; the others exist because a post of theirs was captured. */
@Entity('accounts')
@Index('accounts_identity', ['platform', 'sourceUrl', 'externalId'], { unique: true })
@Index('accounts_due', ['nextPollAt'], { where: 'tracking AND NOT paused' })
@Index('accounts_created', ['createdAt', 'id'])
// many due polls are read through accounts_due_by_host, an index on an expression (migration DuePollsByHost)
export class AccountEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text' }) platform!: Platform;
  @Column({ type: 'text' }) handle!: string;
  @Column({ name: 'external_id', type: 'text' }) externalId!: string;
  @Column({ name: 'display_name', type: 'text', nullable: true }) displayName!: string | null;
  @Column({ name: 'profile_url', type: 'text' }) profileUrl!: string;
  @Column({ name: 'source_url', type: 'text' }) sourceUrl!: string;
  @Column({ type: 'boolean', default: false }) tracking!: boolean;
  @Column({ type: 'boolean', default: false }) paused!: boolean;
  @Column({ name: 'poll_interval_seconds', type: 'integer' }) pollIntervalSeconds!: number;
  @Column({ name: 'next_poll_at', type: 'timestamptz', precision: 3 }) nextPollAt!: Date;
  @Column({ type: 'jsonb', default: {} }) cursor!: Record<string, string>;
  @Column({ name: 'last_polled_at', type: 'timestamptz', nullable: true }) lastPolledAt!: Date | null;
  @Column({ name: 'last_poll_status', type: 'text', default: 'never' }) lastPollStatus!: PollStatus;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @Column({ name: 'last_error_code', type: 'text', nullable: true }) lastErrorCode!: string | null;
  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 }) consecutiveFailures!: number;
  /**
   * set while polls are deferred for this process's own load (`local-overload`); cleared by a poll that is not, and
   * by a pause, a resume or a stop. /metrics counts these accounts through accounts_deferred, a partial index
   * (migration PollDeferrals)
   */
  @Column({ name: 'deferred_since', type: 'timestamptz', nullable: true }) deferredSince!: Date | null;
  /** set while rechecks find the account itself gone (suspended, deleted, private, behind a login) */
  @Column({ name: 'unavailable_since', type: 'timestamptz', nullable: true }) unavailableSince!: Date | null;
  @Column({ name: 'unavailable_reason', type: 'text', nullable: true }) unavailableReason!: string | null;
  /** the calendar month (UTC, '2026-05') `readsThisMonth` counts, for platforms paid per read */
  @Column({ name: 'reads_month', type: 'text', nullable: true }) readsMonth!: string | null;
  @Column({ name: 'reads_this_month', type: 'integer', default: 0 }) readsThisMonth!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
