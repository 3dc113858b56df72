import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A statement we know only because others quoted it: one claimed handle and text (white space aside). */
@Entity('quoted_statements')
@Index('quoted_statements_identity', ['platform', 'handleKey', 'textSha256'], { unique: true })
export class QuotedStatementEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'bigint', generated: 'increment' }) seq!: string;
  @Column({ type: 'text' }) platform!: string;
  /** as the first source printed it */
  @Column({ type: 'text' }) handle!: string;
  @Column({ name: 'handle_key', type: 'text' }) handleKey!: string;
  /** as the first source printed it; null for a link-only quote (its sources named the post, no words) */
  @Column({ type: 'text', nullable: true }) text!: string | null;
  @Column({ name: 'normalized_text', type: 'text', nullable: true }) normalizedText!: string | null;
  @Column({ name: 'text_sha256', type: 'text', nullable: true }) textSha256!: string | null;
  /** a link-only quote's identity: `<account, lower-cased>/<post id>` */
  @Column({ name: 'post_key', type: 'text', nullable: true }) postKey!: string | null;
  /** the quoted text's words, for the quoted-statement search (generated) */
  @Column({ type: 'tsvector', nullable: true, select: false, insert: false, update: false }) search!:
    string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** One document's claim about a quoted statement: who, when, the exact text, where it was read. */
@Entity('quotations')
@Index('quotations_document', ['quotedStatementId', 'documentSha256'], { unique: true })
export class QuotationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'bigint', generated: 'increment' }) seq!: string;
  @Column({ name: 'quoted_statement_id', type: 'uuid' }) quotedStatementId!: string;
  /** the document as given, an artifact */
  @Column({ name: 'document_sha256', type: 'text' }) documentSha256!: string;
  @Column({ name: 'source_url', type: 'text', nullable: true }) sourceUrl!: string | null;
  @Column({ name: 'found_in', type: 'text' }) foundIn!: 'text' | 'embed' | 'link';
  /** null when the document named the post and printed none of its words */
  @Column({ name: 'quoted_text', type: 'text', nullable: true }) quotedText!: string | null;
  @Column({ name: 'claimed_handle', type: 'text' }) claimedHandle!: string;
  @Column({ name: 'claimed_name', type: 'text', nullable: true }) claimedName!: string | null;
  @Column({ name: 'claimed_date', type: 'date', nullable: true }) claimedDate!: string | null;
  @Column({ name: 'post_id', type: 'text', nullable: true }) postId!: string | null;
  @Column({ name: 'post_url', type: 'text', nullable: true }) postUrl!: string | null;
  /** the account the post's address names (a Bluesky DID, `user@host`, a channel) */
  @Column({ name: 'post_account', type: 'text', nullable: true }) postAccount!: string | null;
  /** the claim as hashed into its `quotation` log entry */
  @Column({ type: 'jsonb' }) record!: Record<string, unknown>;
  @Column({ name: 'record_sha256', type: 'text' }) recordSha256!: string;
  @Column({ name: 'extracted_at', type: 'timestamptz' }) extractedAt!: Date;
}
