import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { type EvidenceLevel, type StatementRecord } from '@app/core';

export type VersionSource = 'capture' | 'platform-history';

/** One captured state of a statement. Written once; a new one only when the content hash changes. */
@Entity('versions')
@Index('versions_record_sha256', ['recordSha256'])
export class VersionEntity {
  @PrimaryColumn({ name: 'statement_id', type: 'uuid' }) statementId!: string;
  @PrimaryColumn({ type: 'integer' }) number!: number;
  @Column({ name: 'captured_at', type: 'timestamptz' }) capturedAt!: Date;
  @Column({ type: 'jsonb' }) record!: StatementRecord;
  @Column({ name: 'record_sha256', type: 'text' }) recordSha256!: string;
  @Column({ name: 'content_sha256', type: 'text' }) contentSha256!: string;
  @Column({ name: 'evidence_level', type: 'text' }) evidenceLevel!: EvidenceLevel;
  /** `capture`: read by us from the post itself; `platform-history`: a missed edit read from the platform's edit history */
  @Column({ type: 'text', default: 'capture' }) source!: VersionSource;
}
