import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { ErrorCode, VerbatimError } from '@app/core';
import { isDataException } from '@app/persistence';
import { MESSAGES, type Messages } from './i18n';
import { startPage } from './page-response';
import { PageRenderer } from './renderer';

const STATUS_OF_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidInput]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
};

const HEADING: Record<number, keyof Messages> = {
  400: 'badRequestTitle',
  401: 'unauthorizedTitle',
  403: 'unauthorizedTitle',
  404: 'notFoundTitle',
};

/** Errors on reading-room routes become pages (400 with what to fix, 404, 500 without internals), not JSON. */
@Catch()
export class PageErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Pages');

  constructor(private readonly renderer: PageRenderer) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const { status, messages } = this.describe(error);
    const page = startPage(req, res);
    const t = MESSAGES[page.language];
    const heading = t[HEADING[status] ?? 'errorTitle'];
    res
      .status(status)
      .type('text/html; charset=utf-8')
      .send(
        this.renderer.render(
          'error',
          { language: page.language, nonce: page.nonce, title: heading, pathAndQuery: page.pathAndQuery },
          { heading, messages: status >= 500 ? [t.errorBody] : messages },
        ),
      );
  }

  private describe(error: unknown): { status: number; messages: string[] } {
    if (error instanceof VerbatimError) {
      return { status: STATUS_OF_CODE[error.code] ?? 502, messages: [error.message] };
    }
    if (error instanceof HttpException) {
      const body = error.getResponse();
      const message =
        typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? error.message);
      return {
        status: error.getStatus(),
        messages: Array.isArray(message) ? message.map(String) : [String(message)],
      };
    }
    if (isDataException(error)) {
      return { status: 400, messages: [`a value in the request cannot be used: ${error.message}`] };
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return { status: 500, messages: [] };
  }
}
