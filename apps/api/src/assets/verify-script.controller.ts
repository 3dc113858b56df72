import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { ErrorCode, VerbatimError } from '@app/core';

/**
 * Where scripts/build.mjs writes the browser verifier: <build>/assets/verify.js. Running the built app,
 * this file is <build>/apps/api/src/assets/; running from the TypeScript sources (jest), the bundle is the
 * one the last `node scripts/build.mjs` wrote into dist/ (the e2e global setup runs it first).
 */
function bundlePath(): string {
  const fourUp = resolve(__dirname, '..', '..', '..', '..');
  return __filename.endsWith('.ts')
    ? join(fourUp, 'dist', 'assets', 'verify.js')
    : join(fourUp, 'assets', 'verify.js');
}

interface Script {
  readonly body: Buffer;
  readonly etag: string;
}

/** GET /assets/verify.js: "Verify in this browser", the statement page's one script (CSP: by nonce, same origin). */
@ApiExcludeController()
@Controller('assets')
export class VerifyScriptController {
  private script: Promise<Script> | undefined;

  @Get('verify.js')
  async verifyScript(@Res() res: Response): Promise<void> {
    const { body, etag } = await this.load();
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // the name carries no version: revalidate often, the ETag makes that a 304
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader('ETag', etag);
    res.send(body);
  }

  private load(): Promise<Script> {
    this.script ??= readFile(bundlePath()).then(
      (body) => ({ body, etag: `"${createHash('sha256').update(body).digest('base64url')}"` }),
      () => {
        this.script = undefined; // built later: try again on the next request
        throw new VerbatimError(
          ErrorCode.NotFound,
          'the browser verifier is not built: run `node scripts/build.mjs` (it writes assets/verify.js)',
        );
      },
    );
    return this.script;
  }
}
