import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type CaptureRequestState = 'queued' | 'completed' | 'failed';

/** A "capture this URL now" request. Kept in Postgres so a flushed Redis only delays it. */
@Entity('capture_requests')
@Index('capture_requests_pending', ['createdAt'], { where: "state = 'queued'" })
export class CaptureRequestEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text' }) url!: string;
  @Column({ type: 'text', default: 'queued' }) state!: CaptureRequestState;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ name: 'statement_ids', type: 'uuid', array: true, default: () => "'{}'" })
  statementIds!: string[];
  @Column({ name: 'error_code', type: 'text', nullable: true }) errorCode!: string | null;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  /** since when its tries have been deferred for our own load (`local-overload`); cleared by one that is not */
  @Column({ name: 'deferred_since', type: 'timestamptz', nullable: true }) deferredSince!: Date | null;
  /** not tried again before this (the end of a backoff or a deferral): the scheduler re-queues a lost job only then */
  @Column({ name: 'retry_at', type: 'timestamptz', nullable: true }) retryAt!: Date | null;
  /** when the scheduler last offered its job to Redis, and under which queue epoch (see `offerQueuedCaptureRequests`) */
  @Column({ name: 'offered_at', type: 'timestamptz', nullable: true }) offeredAt!: Date | null;
  @Column({ name: 'offered_epoch', type: 'text', nullable: true }) offeredEpoch!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}
