import {
  Controller,
  Get,
  Logger,
  Param,
  ParseUUIDPipe,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { ErrorCode, VerbatimError } from '@app/core';
import {
  findAccountView,
  findWarcCaptures,
  findWarcObservations,
  pageAccountStatementIds,
  readArtifactBytes,
  statementExists,
  type CaptureArtifactLink,
} from '@app/persistence';
import { DownloadSlots } from '../artifacts/download-slots';
import { WarcRecordWriter, warcinfoRecord } from './warc-records';

/** Exports streaming at once per process (each reads the database for its whole length); more wait, then 503. */
const CONCURRENT_EXPORTS = 4;
const EXPORT_WAIT_SECONDS = 10;
/** Statements an account export reads ids for at a time. */
const STATEMENT_PAGE = 100;

/**
 * WARC 1.1 exports for archivists: each capture as the response we received (kept head and body, byte for
 * byte), its request, and a metadata record linking it to the version and the log; each observation (a
 * recheck's not-found answer, say) likewise. Streamed record by
 * record, gzip per record; only one capture's bytes are in memory at a time.
 */
@ApiTags('warc')
@Controller()
export class WarcController {
  private readonly logger = new Logger(WarcController.name);
  private readonly slots = new DownloadSlots(CONCURRENT_EXPORTS, EXPORT_WAIT_SECONDS * 1000);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get('statements/:id.warc.gz')
  @ApiProduces('application/gzip')
  async statement(
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 400 })) id: string,
    @Res() res: Response,
  ): Promise<void> {
    if (!(await statementExists(this.db.manager, id)))
      throw new VerbatimError(ErrorCode.NotFound, `no statement ${id}`);
    const filename = `verbatim-statement-${id}.warc.gz`;
    await this.stream(res, filename, `Every capture and observation of statement ${id}`, async function* () {
      yield [id];
    });
  }

  @Get('accounts/:id.warc.gz')
  @ApiProduces('application/gzip')
  async account(
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 400 })) id: string,
    @Res() res: Response,
  ): Promise<void> {
    const account = await findAccountView(this.db.manager, id);
    if (!account) throw new VerbatimError(ErrorCode.NotFound, `no account ${id}`);
    const db = this.db.manager;
    const filename = `verbatim-account-${id}.warc.gz`;
    await this.stream(
      res,
      filename,
      `Every capture and observation of every statement of @${account.handle}`,
      async function* () {
        let after: string | null = null;
        for (;;) {
          const page = await pageAccountStatementIds(db, id, after, STATEMENT_PAGE);
          if (page.ids.length > 0) yield page.ids;
          if (page.ids.length < STATEMENT_PAGE) return;
          after = page.last;
        }
      },
    );
  }

  /**
   * Streams the records of the statements `statementPages` yields, a page at a time: each statement's
   * captures, then its observations, reading each one's bytes just before writing it.
   */
  private async stream(
    res: Response,
    filename: string,
    description: string,
    statementPages: () => AsyncGenerator<string[]>,
  ): Promise<void> {
    const release = await this.slots.take();
    if (!release) {
      res.setHeader('Retry-After', String(EXPORT_WAIT_SECONDS));
      throw new ServiceUnavailableException(
        `too many WARC exports at once (${CONCURRENT_EXPORTS}); retry in ${EXPORT_WAIT_SECONDS} s`,
      );
    }
    const db = this.db.manager;
    try {
      res.status(200);
      res.setHeader('Content-Type', 'application/gzip');
      res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      const writer = new WarcRecordWriter();
      const bytesOf = (artifacts: readonly CaptureArtifactLink[]) =>
        readArtifactBytes(db, writer.bytesNeeded(artifacts));
      if (!(await send(res, await warcinfoRecord(filename, description)))) return;
      for await (const ids of statementPages()) {
        const captures = await findWarcCaptures(db, ids);
        const observations = await findWarcObservations(db, ids);
        for (const statementId of ids) {
          for (const capture of captures.filter((c) => c.statementId === statementId)) {
            const bytes = await bytesOf(capture.artifacts);
            for await (const record of writer.captureRecords(capture, bytes)) {
              if (!(await send(res, record))) return;
            }
          }
          for (const observation of observations.filter((o) => o.statementId === statementId)) {
            const bytes = await bytesOf(observation.artifacts);
            for await (const record of writer.observationRecords(observation, bytes)) {
              if (!(await send(res, record))) return;
            }
          }
        }
      }
      res.end();
    } catch (error) {
      // the status line is gone: cut the connection, so the client sees a broken download, not a short one
      this.logger.error(`WARC export ${filename} failed: ${(error as Error).message}`);
      res.destroy();
    } finally {
      release();
    }
  }
}

/** Writes a chunk, waiting for the client to drain when it is slow; false once the client has gone. */
async function send(res: Response, chunk: Uint8Array): Promise<boolean> {
  if (res.destroyed) return false;
  if (res.write(chunk)) return true;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
  return !res.destroyed;
}
