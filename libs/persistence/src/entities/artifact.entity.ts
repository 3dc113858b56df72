import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Where an artifact's bytes live: the `bytes` column, or the content-addressed blob store (media files). */
export type ArtifactStorage = 'database' | 'blobs';

/** Exact bytes we kept, addressed by their SHA-256. Insert-only (a trigger refuses UPDATE and DELETE). */
@Entity('artifacts')
export class ArtifactEntity {
  @PrimaryColumn({ type: 'text' }) sha256!: string;
  @Column({ name: 'media_type', type: 'text' }) mediaType!: string;
  @Column({ type: 'integer' }) size!: number;
  /** null when the bytes are in the blob store */
  @Column({ type: 'bytea', nullable: true }) bytes!: Buffer | null;
  @Column({ type: 'text', default: 'database' }) storage!: ArtifactStorage;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
