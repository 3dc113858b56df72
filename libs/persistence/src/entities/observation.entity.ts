import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { type StatementStatus } from '@app/core';

/**
 * A recorded fact without new content: a statement seen missing, confirmed deleted, restored, or its account
 * unavailable. Written with its evidence, its event and its log entry in one transaction; never changed.
 */
@Entity('observations')
@Index('observations_statement', ['statementId', 'observedAt'])
export class ObservationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'statement_id', type: 'uuid' }) statementId!: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId!: string;
  /** the status observed (the statement's new status) */
  @Column({ type: 'text' }) status!: StatementStatus;
  @Column({ name: 'previous_status', type: 'text' }) previousStatus!: StatementStatus;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'text', nullable: true }) detail!: string | null;
  @Column({ name: 'http_status', type: 'integer', nullable: true }) httpStatus!: number | null;
  @Column({ name: 'observed_at', type: 'timestamptz' }) observedAt!: Date;
}

/** The platform's answers that showed an observation (response bodies and heads). */
@Entity('observation_artifacts')
export class ObservationArtifactEntity {
  @PrimaryColumn({ name: 'observation_id', type: 'uuid' }) observationId!: string;
  @PrimaryColumn({ type: 'text' }) sha256!: string;
  @Column({ type: 'text' }) role!: string;
  @Column({ name: 'media_type', type: 'text' }) mediaType!: string;
  /** the URL that answered with these bytes (after redirects); null on links made before it was kept */
  @Column({ type: 'text', nullable: true }) url!: string | null;
}
