export * from './fake-telegram-server';
export { escapeHtml, formatViews } from './telegram-markup';
