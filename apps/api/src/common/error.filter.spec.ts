import { Logger, type ArgumentsHost } from '@nestjs/common';
import { ErrorCode, SourceError } from '@app/core';
import { ErrorFilter } from './error.filter';

/** An HTTP context holding a request and a response that records what was sent. */
function httpHost(req: Record<string, unknown>) {
  const sent: { status?: number; body?: unknown; headers?: Record<string, string> } = {};
  const res = {
    setHeader(name: string, value: string) {
      sent.headers = { ...sent.headers, [name]: value };
      return res;
    },
    status(code: number) {
      sent.status = code;
      return res;
    },
    json(body: unknown) {
      sent.body = body;
      return res;
    },
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ArgumentsHost;
  return { host, sent };
}

describe('ErrorFilter', () => {
  it('answers an unexpected error with a bare 500 and logs the stack with the request it belongs to', () => {
    const logged: string[] = [];
    const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => {
      logged.push(String(message));
    });
    try {
      const { host, sent } = httpHost({ method: 'GET', originalUrl: '/api/v1/statements?q=x', id: 42 });
      new ErrorFilter().catch(new Error('the disk is on fire'), host);
      expect(sent).toEqual({
        status: 500,
        body: {
          statusCode: 500,
          error: 'internal',
          message: 'internal error; the server log has the details',
        },
      });
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(/^GET \/api\/v1\/statements\?q=x \(reqId 42\): Error: the disk is on fire\n/);
    } finally {
      spy.mockRestore();
    }
  });

  it('answers our own overload with 503 and a Retry-After, not as the source’s failure', () => {
    const { host, sent } = httpHost({ method: 'POST', originalUrl: '/api/v1/accounts' });
    const overload = new SourceError(
      ErrorCode.LocalOverload,
      'example.org: response not read: this process would be receiving too much',
      null,
      new Date(Date.now() + 4900),
    );
    new ErrorFilter().catch(overload, host);
    expect(sent).toEqual({
      status: 503,
      headers: { 'Retry-After': '5' },
      body: { statusCode: 503, error: 'local-overload', message: overload.message },
    });
  });
});
