// Memento (RFC 7089) for the archive: reusable by every representation of a statement.
export * from './link-format';
export * from './memento-datetime';
export * from './memento-links';
