import { Controller, Get, Inject, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { ErrorCode, VerbatimError } from '@app/core';
import { fromBase64, parseLogEntry, serializeEvidenceBundle, type EvidenceBundle } from '@app/ledger';
import { evidenceFor, evidenceForObservation, LOG_KEY, type LogKey } from '@app/log';
import { decimalInteger } from '../common/whole-number-query';

export class EvidenceQuery {
  @ApiPropertyOptional({ description: 'version number; the latest when absent (not with observation)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => decimalInteger(value))
  @IsInt({ message: 'version: a version number such as 1' })
  @Min(1, { message: 'version: a version number such as 1' })
  // versions are integers in the database: a larger number names no version
  @Max(2_147_483_647, { message: 'version: a version number such as 1' })
  version?: number;

  @ApiPropertyOptional({
    description: 'an observation id (statement seen missing, deleted, restored…); not with version',
  })
  @IsOptional()
  @IsUUID()
  observation?: string;
}

@ApiTags('statements')
@Controller('api/v1/statements')
export class EvidenceController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(LOG_KEY) private readonly key: LogKey,
  ) {}

  /** The evidence bundle of a version or an observation (docs/evidence.md); 202 with Retry-After until a signed checkpoint covers it. */
  @Get(':id/evidence')
  async evidence(
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 400 })) id: string,
    @Query() query: EvidenceQuery,
    @Res() res: Response,
  ): Promise<void> {
    if (query.observation !== undefined && query.version !== undefined)
      throw new VerbatimError(
        ErrorCode.InvalidInput,
        'version and observation: ask for one bundle, of a version or of an observation, not both',
      );
    const outcome =
      query.observation !== undefined
        ? await evidenceForObservation(this.db.manager, this.key, id, query.observation)
        : await evidenceFor(this.db.manager, this.key, id, query.version ?? null);
    if (outcome.kind === 'pending') {
      res.status(202).setHeader('Retry-After', '1');
      res.json({ statusCode: 202, message: 'captured; waiting for the next signed checkpoint' });
      return;
    }
    res.setHeader('Content-Type', 'application/json');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="${evidenceFileName(id, query, outcome.bundle)}"`,
    );
    res.end(serializeEvidenceBundle(outcome.bundle));
  }
}

/**
 * `<id>.v2.evidence.json`, `<id>.observation-<observationId>.evidence.json`: each bundle of a statement downloads
 * under its own name, so saving a second one never overwrites or passes for the first.
 */
export function evidenceFileName(id: string, query: EvidenceQuery, bundle: EvidenceBundle): string {
  if (query.observation !== undefined) return `${id}.observation-${query.observation}.evidence.json`;
  // named by the version its log entry records: without ?version= that is the latest, whichever it was then
  return `${id}.v${parseLogEntry(fromBase64(bundle.leaf)).version}.evidence.json`;
}
