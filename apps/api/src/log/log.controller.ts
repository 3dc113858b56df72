import { Controller, Get, Header, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Request, type Response } from 'express';
import { DataSource } from 'typeorm';
import { ErrorCode, VerbatimError } from '@app/core';
import { parseTilePath, type TileAddress } from '@app/ledger';
import {
  checkpointWithCosignatures,
  latestCheckpoint,
  LOG_KEY,
  proveConsistency,
  proveInclusion,
  readEntries,
  readTile,
  type LogKey,
} from '@app/log';
import { AccessPolicy } from '../auth/access-policy';
import { ConsistencyQuery, EntriesQuery, InclusionQuery } from './log.query';

/** The transparency log, in the C2SP formats existing tlog clients read. */
@ApiTags('log')
@Controller()
export class LogController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(LOG_KEY) private readonly key: LogKey,
    private readonly access: AccessPolicy,
  ) {}

  /** The latest signed checkpoint, byte-exact, with the witnesses' cosignatures. */
  @Get('log/checkpoint')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  async checkpoint(): Promise<string> {
    const checkpoint = await latestCheckpoint(this.db.manager);
    if (!checkpoint)
      throw new VerbatimError(
        ErrorCode.NotFound,
        'the log has no checkpoint yet; a worker signs the first one at start',
      );
    return (await checkpointWithCosignatures(this.db.manager, checkpoint)).note;
  }

  @Get('log/key')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  key_(): string {
    return `${this.key.verifierKey}\n`;
  }

  /**
   * C2SP tlog-tiles: /log/tile/<L>/<N>[.p/<W>] and /log/tile/entries/<N>[.p/<W>]. Hash tiles are public in
   * every mode (AccessPolicy); entry tiles hold the entries, so they are read like the rest of the archive.
   */
  @Get('log/tile/*path')
  async tile(
    @Param('path') path: string | string[],
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    let address: TileAddress;
    try {
      address = parseTilePath(`tile/${Array.isArray(path) ? path.join('/') : path}`);
    } catch (error) {
      throw new VerbatimError(ErrorCode.InvalidInput, `not a tile path: ${(error as Error).message}`);
    }
    if (address.level === 'entries') await this.access.authorizeRead(req);
    const tile = await readTile(this.db.manager, address);
    if (!tile) throw new VerbatimError(ErrorCode.NotFound, 'that tile is not in the log yet');
    res.setHeader('Content-Type', 'application/octet-stream');
    // full tiles never change; partial ones are superseded as the log grows
    res.setHeader(
      'Cache-Control',
      address.width === 256 ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    res.end(tile);
  }

  @Get('api/v1/log/proof/inclusion')
  inclusion(@Query() query: InclusionQuery) {
    return proveInclusion(this.db.manager, query.index, query.size);
  }

  @Get('api/v1/log/proof/consistency')
  consistency(@Query() query: ConsistencyQuery) {
    return proveConsistency(this.db.manager, query.from, query.to);
  }

  @Get('api/v1/log/entries')
  entries(@Query() query: EntriesQuery) {
    return readEntries(this.db.manager, query.start, query.end);
  }
}
