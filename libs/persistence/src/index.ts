export * from './entities';
export * from './migrations';
export * from './data-source';
export * from './repositories';
export * from './persistence.module';
export * from './data-exception';
export * from './queries';
export * from './tokens';
