import { Controller, Get, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Request, type Response } from 'express';
import { DataSource } from 'typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import {
  addCheckpoint,
  followedLogs,
  loadInstanceWitnessKey,
  type FollowedLogs,
  type WitnessKey,
} from '@app/log';

/** 63 proof lines and a checkpoint with a hundred signatures fit well within this. */
const MAX_BODY_BYTES = 64 * 1024;

const TEXT = 'text/plain; charset=utf-8';

const NOT_A_WITNESS = 'this instance witnesses no log (VERBATIM_WITNESS_FOR is empty)\n';

class BodyTooLarge extends Error {}

/** Written as is: express's send would append a charset to text/x.tlog.size, which the spec names exactly. */
function reply(res: Response, status: number, contentType: string, text: string): void {
  res.status(status).setHeader('Content-Type', contentType);
  res.end(Buffer.from(text, 'utf8'));
}

/** The raw request body (the app parses only JSON, so a text/plain stream is still unread). */
function readBody(req: Request): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * This instance as a C2SP tlog-witness for the logs in VERBATIM_WITNESS_FOR. No bearer token: the log's
 * signature on the checkpoint is the authentication (the token guard exempts this path).
 */
@ApiTags('witness')
@Controller('witness')
export class WitnessController {
  private readonly logger = new Logger('Witness');
  /** null when this instance witnesses no log: no witness key is made until one is configured */
  private readonly key: WitnessKey | null;
  private readonly logs: FollowedLogs;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(VERBATIM_CONFIG) config: VerbatimConfig,
  ) {
    this.logs = followedLogs(config.log.witnessFor);
    this.key =
      this.logs.size > 0
        ? loadInstanceWitnessKey({
            origin: config.log.origin,
            witnessKeyFile: config.log.witnessKeyFile,
            dataDir: config.dataDir,
          })
        : null;
    if (this.key) this.logger.log(`witness ${this.key.verifierKey} for ${[...this.logs.keys()].join(', ')}`);
  }

  @Get('key')
  key_(@Res() res: Response): void {
    if (!this.key) return reply(res, 404, TEXT, NOT_A_WITNESS);
    reply(res, 200, TEXT, `${this.key.verifierKey}\n`);
  }

  @Post('add-checkpoint')
  async addCheckpoint(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.key) return reply(res, 404, TEXT, NOT_A_WITNESS);
    let body: Buffer;
    try {
      // express.json may have consumed a JSON-typed body: that is not a witness request either way
      body = req.readable ? await readBody(req) : Buffer.alloc(0);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      return reply(res, 413, TEXT, `request body is larger than ${MAX_BODY_BYTES} bytes\n`);
    }
    const result = await addCheckpoint(this.db, this.key, this.logs, new Uint8Array(body));
    if (result.status === 200) return reply(res, 200, TEXT, result.cosignatures);
    if (result.status === 409) reply(res, 409, 'text/x.tlog.size', `${result.size}\n`);
    else reply(res, result.status, TEXT, `${result.message}\n`);
    // A signed checkpoint that does not extend what we cosigned may be evidence of a forked log.
    if (result.status === 422 || (result.status === 409 && result.message.includes('different root'))) {
      this.logger.warn(`add-checkpoint refused (${result.status}): ${result.message}`);
    }
  }
}
