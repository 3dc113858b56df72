import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type EventType = 'statement.created' | 'statement.edited';

/** What subscribers hear about. Appended in the same transaction as the change it reports. */
@Entity('events')
@Index('events_statement', ['statementId'])
export class EventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) type!: EventType;
  @Column({ name: 'statement_id', type: 'uuid' }) statementId!: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId!: string;
  @Column({ name: 'version_number', type: 'integer', nullable: true }) versionNumber!: number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
