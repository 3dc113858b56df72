import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Exact bytes we kept, addressed by their SHA-256. Insert-only (a trigger refuses UPDATE and DELETE). */
@Entity('artifacts')
export class ArtifactEntity {
  @PrimaryColumn({ type: 'text' }) sha256!: string;
  @Column({ name: 'media_type', type: 'text' }) mediaType!: string;
  @Column({ type: 'integer' }) size!: number;
  @Column({ type: 'bytea' }) bytes!: Buffer;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
