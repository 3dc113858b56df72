export * from './blob-store';
export * from './file-blob-store';
export * from './rehash-blob';
export * from './blobs.module';
