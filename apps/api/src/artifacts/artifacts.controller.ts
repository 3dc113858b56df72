import { type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  Controller,
  Get,
  Inject,
  InternalServerErrorException,
  Logger,
  Param,
  Req,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Request, type Response } from 'express';
import { DataSource } from 'typeorm';
import { BLOB_STORE, type BlobStore } from '@app/blobs';
import { ErrorCode, SHA256_HEX, VerbatimError } from '@app/core';
import { findArtifactHead, readArtifactSlice, type ArtifactHead } from '@app/persistence';
import { byteRange, type ByteRange } from './byte-range';
import { DownloadSlots } from './download-slots';
import { streamSlices } from './stream-slices';

/** Media types a browser would run or render as a document: served as downloads, never inline. */
const ACTIVE = /(html|xml|svg|javascript|ecmascript|pdf)/i;

/** Bytes read from PostgreSQL per query: what one download holds in memory at a time. */
export const ARTIFACT_SLICE_BYTES = 1024 * 1024;
/** Downloads streaming at once per process; more wait up to DOWNLOAD_WAIT_SECONDS, then get a 503. */
export const CONCURRENT_DOWNLOADS = 16;
export const DOWNLOAD_WAIT_SECONDS = 10;

@ApiTags('artifacts')
@Controller('api/v1/artifacts')
export class ArtifactsController {
  private readonly logger = new Logger(ArtifactsController.name);
  private readonly slots = new DownloadSlots(CONCURRENT_DOWNLOADS, DOWNLOAD_WAIT_SECONDS * 1000);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  /**
   * The exact bytes as captured, streamed from the database a slice at a time (bodies can be megabytes and
   * readers slow). They are untrusted content: the sandbox CSP, nosniff and attachment for active types
   * keep captured HTML or SVG from running in our origin. One `Range: bytes=a-b` is honoured. Media files
   * are streamed from the blob store instead of the database, with the same headers.
   */
  @Get(':sha256')
  async get(@Param('sha256') sha256: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!SHA256_HEX.test(sha256))
      throw new VerbatimError(ErrorCode.InvalidInput, 'sha256: must be 64 lowercase hex digits');
    const artifact = await findArtifactHead(this.db.manager, sha256);
    if (!artifact) throw new VerbatimError(ErrorCode.NotFound, `no artifact ${sha256}`);
    const range = byteRange(req.headers.range, artifact.size);
    if (range === 'unsatisfiable') {
      res.status(416).setHeader('Content-Range', `bytes */${artifact.size}`).end();
      return;
    }
    const notModified = matchesETag(req.headers['if-none-match'], sha256);
    const part = range ?? { start: 0, end: artifact.size - 1 };
    const length = part.end - part.start + 1;
    const sendsBody = req.method !== 'HEAD' && !notModified && length > 0;

    const release = sendsBody ? await this.slots.take() : () => undefined;
    if (!release) {
      // taken before any header is set, so the error is answered as JSON
      res.setHeader('Retry-After', String(DOWNLOAD_WAIT_SECONDS));
      throw new ServiceUnavailableException(
        `too many artifact downloads at once (${CONCURRENT_DOWNLOADS}); retry in ${DOWNLOAD_WAIT_SECONDS} s`,
      );
    }
    let blob: Readable | null = null;
    try {
      if (artifact.storage === 'blobs' && sendsBody) {
        // opened before any header is set, so a missing file is answered as JSON
        blob = await this.blobs.get(sha256, part);
        if (blob === null) {
          throw new InternalServerErrorException(
            `artifact ${sha256}: its bytes are missing from the blob store (\`verbatim audit\` lists such damage)`,
          );
        }
      }
      setArtifactHeaders(res, sha256, artifact);
      if (notModified) {
        res.status(304).end();
        return;
      }
      if (range) {
        res.status(206).setHeader('Content-Range', `bytes ${part.start}-${part.end}/${artifact.size}`);
      }
      res.setHeader('Content-Length', String(length));
      if (!sendsBody) {
        res.end();
        return;
      }
      if (blob) await this.sendBlob(res, sha256, blob);
      else await this.send(res, sha256, part, length);
    } finally {
      release();
    }
  }

  private async sendBlob(res: Response, sha256: string, blob: Readable): Promise<void> {
    try {
      await pipeline(blob, res);
    } catch (error) {
      this.logger.error(`artifact ${sha256}: ${(error as Error).message}`);
      res.destroy();
    }
  }

  private async send(res: Response, sha256: string, part: ByteRange, length: number): Promise<void> {
    const read = (offset: number, size: number) =>
      readArtifactSlice(this.db.manager, sha256, part.start + offset, size);
    try {
      if (await streamSlices(res, length, read, ARTIFACT_SLICE_BYTES)) res.end();
    } catch (error) {
      // the status line is gone: all that is left is to cut the response short, so the client sees it failed
      this.logger.error(`artifact ${sha256}: ${(error as Error).message}`);
      res.destroy();
    }
  }
}

function setArtifactHeaders(res: Response, sha256: string, artifact: ArtifactHead): void {
  res.setHeader('Content-Type', artifact.mediaType);
  res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  res.setHeader('ETag', `"${sha256}"`);
  // the digest of the whole artifact (RFC 3230), also on a partial response
  res.setHeader('Digest', `sha-256=${Buffer.from(sha256, 'hex').toString('base64')}`);
  res.setHeader('Accept-Ranges', 'bytes');
  if (ACTIVE.test(artifact.mediaType))
    res.setHeader('Content-Disposition', `attachment; filename="${sha256}"`);
}

/** If-None-Match against our one strong ETag (the content never changes under its hash). */
function matchesETag(header: string | undefined, sha256: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === `"${sha256}"` || t === `W/"${sha256}"`;
  });
}
