import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { ErrorCode, SHA256_HEX, VerbatimError } from '@app/core';
import { findArtifact } from '@app/persistence';

/** Media types a browser would run or render as a document: served as downloads, never inline. */
const ACTIVE = /(html|xml|svg|javascript|ecmascript|pdf)/i;

@ApiTags('artifacts')
@Controller('api/v1/artifacts')
export class ArtifactsController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The exact bytes as captured. They are untrusted content: the sandbox CSP, nosniff and attachment for
   * active types keep captured HTML or SVG from running in our origin.
   */
  @Get(':sha256')
  async get(@Param('sha256') sha256: string, @Res() res: Response): Promise<void> {
    if (!SHA256_HEX.test(sha256))
      throw new VerbatimError(ErrorCode.InvalidInput, 'sha256: must be 64 lowercase hex digits');
    const artifact = await findArtifact(this.db.manager, sha256);
    if (!artifact) throw new VerbatimError(ErrorCode.NotFound, `no artifact ${sha256}`);
    res.setHeader('Content-Type', artifact.mediaType);
    res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('ETag', `"${sha256}"`);
    res.setHeader('Digest', `sha-256=${Buffer.from(sha256, 'hex').toString('base64')}`);
    if (ACTIVE.test(artifact.mediaType))
      res.setHeader('Content-Disposition', `attachment; filename="${sha256}"`);
    res.end(artifact.bytes);
  }
}
