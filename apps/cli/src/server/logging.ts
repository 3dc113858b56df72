import { type RequestHandler } from 'express';
import pino, { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { type VerbatimConfig } from '@app/config';

/** The process's one pino logger: Nest's logs and the request log both write through it. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

export function createRootLogger(config: VerbatimConfig, roles: { api: boolean; worker: boolean }): Logger {
  return pino({
    level: config.logLevel,
    name: roles.api && roles.worker ? 'verbatim' : roles.api ? 'verbatim-api' : 'verbatim-worker',
    redact: ['req.headers.authorization', 'req.headers.cookie'],
  });
}

/**
 * One line per HTTP request, from plain pino-http. Not nestjs-pino's middleware: that one runs each request
 * inside an AsyncLocalStorage, which turns promise hooks on for the whole process, and the workers sharing the
 * process then pay for them on every promise (about a tenth of a poll's CPU). Service logs therefore carry no
 * request id; the request line has it.
 */
export function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
  });
}
