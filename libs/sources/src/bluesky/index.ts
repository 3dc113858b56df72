export * from './bluesky-connector';
export * from './bluesky-urls';
export { verifyRecordProof, RecordProofError, type RecordProofFailure } from './record-proof';
