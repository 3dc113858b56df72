import { Module } from '@nestjs/common';
import { join } from 'node:path';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { FileBlobStore } from './file-blob-store';

/** Injection token of the BlobStore every role shares. */
export const BLOB_STORE = Symbol('BLOB_STORE');

/** The directory blobs live in: VERBATIM_DATA_DIR/blobs. */
export function blobDirectory(config: VerbatimConfig): string {
  return join(config.dataDir, 'blobs');
}

/** The blob store on the local file system, under the data directory. */
@Module({
  providers: [
    {
      provide: BLOB_STORE,
      inject: [VERBATIM_CONFIG],
      useFactory: (config: VerbatimConfig) => new FileBlobStore(blobDirectory(config)),
    },
  ],
  exports: [BLOB_STORE],
})
export class BlobsModule {}
