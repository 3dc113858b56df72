export * from './jcs';
export * from './hash';
export * from './record';
export * from './html-text';
export * from './html-nesting';
export * from './errors';
export * from './version';
export * from './capture-decision';
