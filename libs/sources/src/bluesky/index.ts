export * from './bluesky-connector';
export * from './bluesky-urls';
export { verifyRecordProof, RecordProofError, type RecordProofFailure } from './record-proof';
export { JetstreamClient, type JetstreamClientOptions } from './jetstream-client';
export { type JetstreamSignal, readJetstreamMessage, jetstreamOptions } from './jetstream-messages';
