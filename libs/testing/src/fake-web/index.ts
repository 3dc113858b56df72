export * from './ministry-site';
