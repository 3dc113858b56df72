import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { ErrorCode, SourceError, VerbatimError } from '@app/core';
import { isDataException } from '@app/persistence';

const STATUS: Record<ErrorCode, number> = {
  [ErrorCode.InvalidInput]: 400,
  [ErrorCode.UnsupportedUrl]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.AlreadyExists]: 409,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.SourceNotFound]: 422,
  [ErrorCode.SourceGone]: 422,
  [ErrorCode.SourceAuthRequired]: 422,
  [ErrorCode.SourceInvalidResponse]: 422,
  [ErrorCode.SourceRefused]: 422,
  [ErrorCode.SourceInvalidCursor]: 422,
  [ErrorCode.SourceRateLimited]: 503,
  [ErrorCode.SourceUnavailable]: 502,
  [ErrorCode.SourceReadBudgetExhausted]: 429,
  [ErrorCode.LocalOverload]: 503,
};

/**
 * The one place errors become HTTP answers. Domain errors carry codes; anything unexpected is logged and
 * answered as a 500 without internals.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (error instanceof VerbatimError) {
      const status = STATUS[error.code];
      if (error instanceof SourceError && error.retryAt) {
        res.setHeader(
          'Retry-After',
          String(Math.max(1, Math.ceil((error.retryAt.getTime() - Date.now()) / 1000))),
        );
      }
      res.status(status).json({ statusCode: status, error: error.code, message: error.message });
      return;
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse();
      const message =
        typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? error.message);
      res.status(status).json({ statusCode: status, error: codeFor(status), message });
      return;
    }
    if (isDataException(error)) {
      // class 22 (data exception): a value the database cannot hold, such as a NUL character or an out-of-range number
      res.status(400).json({
        statusCode: 400,
        error: ErrorCode.InvalidInput,
        message: `a value in the request cannot be used: ${error.message}`,
      });
      return;
    }
    // the request, so that the stack can be matched with pino-http's line for it (same `reqId`)
    const req = host.switchToHttp().getRequest<Request & { id?: unknown }>();
    const where = `${req.method} ${req.originalUrl ?? req.url} (reqId ${String(req.id)})`;
    this.logger.error(`${where}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    res.status(500).json({
      statusCode: 500,
      error: 'internal',
      message: 'internal error; the server log has the details',
    });
  }
}

function codeFor(status: number): string {
  if (status === 400) return ErrorCode.InvalidInput;
  if (status === 401) return ErrorCode.Unauthorized;
  if (status === 403) return ErrorCode.Forbidden;
  if (status === 404) return ErrorCode.NotFound;
  if (status === 413) return 'payload-too-large';
  if (status === 503) return 'unavailable';
  return 'http-error';
}
