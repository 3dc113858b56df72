import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `deferred`: the poll was refused for this process's own load (`local-overload`), not the source's doing */
export type CaptureOutcome = 'captured' | 'unchanged' | 'failed' | 'deferred';

/**
 * One poll of an account, or a run of identical quiet polls: consecutive `unchanged` polls update the
 * same row (`polls`, `finished_at`) so an idle account does not grow the table.
 */
@Entity('capture_runs')
@Index('capture_runs_account_latest', ['accountId', 'id'])
export class CaptureRunEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId!: string;
  @Column({ name: 'started_at', type: 'timestamptz' }) startedAt!: Date;
  @Column({ name: 'finished_at', type: 'timestamptz' }) finishedAt!: Date;
  @Column({ type: 'text' }) outcome!: CaptureOutcome;
  @Column({ name: 'http_status', type: 'integer', nullable: true }) httpStatus!: number | null;
  @Column({ name: 'posts_seen', type: 'integer', default: 0 }) postsSeen!: number;
  @Column({ name: 'posts_new', type: 'integer', default: 0 }) postsNew!: number;
  @Column({ name: 'versions_new', type: 'integer', default: 0 }) versionsNew!: number;
  @Column({ type: 'integer', default: 1 }) polls!: number;
  @Column({ name: 'error_code', type: 'text', nullable: true }) errorCode!: string | null;
  @Column({ type: 'text', nullable: true }) error!: string | null;
}
