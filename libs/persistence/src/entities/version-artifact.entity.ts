import { Column, Entity, PrimaryColumn } from 'typeorm';
import { type ArtifactRole } from '@app/core';

/** Which artifacts a version was read from. */
@Entity('version_artifacts')
export class VersionArtifactEntity {
  @PrimaryColumn({ name: 'statement_id', type: 'uuid' }) statementId!: string;
  @PrimaryColumn({ name: 'version_number', type: 'integer' }) versionNumber!: number;
  @PrimaryColumn({ type: 'text' }) sha256!: string;
  @Column({ type: 'text' }) role!: ArtifactRole;
  /** the media type this capture saw; null on links made before it was kept per link */
  @Column({ name: 'media_type', type: 'text', nullable: true }) mediaType!: string | null;
  /** the URL that answered with these bytes (after redirects); null on links made before it was kept */
  @Column({ type: 'text', nullable: true }) url!: string | null;
}
