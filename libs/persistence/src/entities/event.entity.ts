import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * `statement.missing` is internal (a deletion not yet confirmed); the others are what subscribers hear.
 * Account events name the statement whose recheck showed the change, and its observation. Connector events
 * (a platform's canary check failed the way a format change does, or read again) name only the platform.
 * `statement.quoted` names the quotation recorded, and the captured original (statement and account) when known.
 */
export type EventType =
  | 'statement.created'
  | 'statement.edited'
  | 'statement.missing'
  | 'statement.deleted'
  | 'statement.restored'
  | 'statement.quoted'
  | 'account.unavailable'
  | 'account.restored'
  | 'connector.degraded'
  | 'connector.recovered';

/** What subscribers hear about. Appended in the same transaction as the change it reports. */
@Entity('events')
@Index('events_statement', ['statementId'])
export class EventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) type!: EventType;
  @Column({ name: 'statement_id', type: 'uuid', nullable: true }) statementId!: string | null;
  @Column({ name: 'account_id', type: 'uuid', nullable: true }) accountId!: string | null;
  @Column({ name: 'version_number', type: 'integer', nullable: true }) versionNumber!: number | null;
  /** the observation a status event reports (its evidence bundle: /statements/:id/evidence?observation=) */
  @Column({ name: 'observation_id', type: 'uuid', nullable: true }) observationId!: string | null;
  @Column({ type: 'text', nullable: true }) platform!: string | null;
  @Column({ type: 'text', nullable: true }) detail!: string | null;
  /** `statement.quoted`: the quotation recorded (its statement, when set, is the captured original) */
  @Column({ name: 'quotation_id', type: 'uuid', nullable: true }) quotationId!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
