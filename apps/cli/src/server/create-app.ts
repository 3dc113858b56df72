import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Logger } from 'nestjs-pino';
import { setUpApiDocs } from '@app/api';
import { type VerbatimConfig } from '@app/config';
import { AppModule, type Roles } from './app.module';
import { refuseDeepJson } from './json-nesting';
import { requestLogging, ROOT_LOGGER } from './logging';

/** Body-parser failures happen before Nest's filters: answer them in the API's JSON error shape. */
/** Strict JSON takes objects and arrays only: a bare value (`null`, `42`) is valid JSON, but no request. */
function parseFailure(error: { message: string; body?: unknown }): string {
  if (typeof error.body === 'string' && /^\s*[^\s[{]/.test(error.body)) {
    try {
      JSON.parse(error.body);
      return 'request body must be a JSON object, not a bare value such as null or a number';
    } catch {
      // not JSON at all: as below
    }
  }
  return `request body is not valid JSON: ${error.message}`;
}

function bodyErrors(
  error: { type?: string; status?: number; message: string; body?: unknown },
  _req: Request,
  res: Response,
  next: NextFunction,
) {
  const fromBodyParser =
    error.type?.startsWith('entity.') ||
    error.type?.startsWith('request.') ||
    error.type === 'charset.unsupported' ||
    error.type === 'encoding.unsupported';
  if (!fromBodyParser && error.status !== 413) return next(error);
  const status = error.status !== undefined && error.status >= 400 && error.status < 500 ? error.status : 400;
  const message = error.type === 'entity.parse.failed' ? parseFailure(error) : error.message;
  res
    .status(status)
    .json({ statusCode: status, error: BODY_ERROR_CODES[status] ?? 'invalid-input', message });
}

const BODY_ERROR_CODES: Record<number, string> = { 413: 'payload-too-large', 415: 'unsupported-media-type' };

/** `shutdownHooks: false`: the caller closes the app on signals itself (the demo, which has more to stop). */
export async function createVerbatimApp(
  config: VerbatimConfig,
  roles: Roles,
  options: { shutdownHooks?: boolean } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, roles), {
    bufferLogs: true,
    bodyParser: false,
    // a module that fails to start throws to the caller, which says what failed in one line, rather than Nest
    // printing its buffered start-up log and the stack and exiting on its own
    abortOnError: false,
    autoFlushLogs: false,
  });
  return configureApp(app, roles, options);
}

/** What every Verbatim HTTP app gets, whether made by NestFactory or by a test module. */
export function configureApp(
  app: NestExpressApplication,
  roles: Roles,
  { shutdownHooks = true }: { shutdownHooks?: boolean } = {},
): NestExpressApplication {
  app.useLogger(app.get(Logger));
  // the start-up log, buffered until now (autoFlushLogs is off), goes out through the app's logger
  app.flushLogs();
  app.use(requestLogging(app.get(ROOT_LOGGER)));
  app.use(express.json({ limit: '256kb', verify: refuseDeepJson }));
  app.use(bodyErrors);
  app.disable('x-powered-by');
  if (shutdownHooks) app.enableShutdownHooks();
  if (roles.api) setUpApiDocs(app);
  return app;
}
