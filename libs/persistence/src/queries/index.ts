// The read side: the views the JSON API (and next the pages, feeds, Memento and alert payloads) are built from.
export * from './account.queries';
export * from './archive.queries';
export * from './artifact.queries';
export * from './capture-request.queries';
export * from './statement.queries';
export * from './subscription.queries';
export * from './quotation.queries';
export * from './search-plan';
