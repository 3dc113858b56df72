import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What downloading a media item gave (see the MediaFiles migration). */
export type MediaFileState = 'pending' | 'stored' | 'skipped' | 'failed';

/** One media item of a version's record and the outcome of downloading it into the blob store. */
@Entity('media_files')
export class MediaFileEntity {
  @PrimaryColumn({ name: 'statement_id', type: 'uuid' }) statementId!: string;
  @PrimaryColumn({ name: 'version_number', type: 'integer' }) versionNumber!: number;
  /** the item's index in the record's `media` list */
  @PrimaryColumn({ type: 'integer' }) position!: number;
  @Column({ type: 'text' }) url!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text', default: 'pending' }) state!: MediaFileState;
  @Column({ type: 'text', nullable: true }) sha256!: string | null;
  @Column({ type: 'bigint', nullable: true }) size!: string | null;
  @Column({ name: 'media_type', type: 'text', nullable: true }) mediaType!: string | null;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
