import { AccountEntity } from './account.entity';
import { ApiTokenEntity } from './api-token.entity';
import { ArtifactEntity } from './artifact.entity';
import { CaptureRequestEntity } from './capture-request.entity';
import { CaptureRunEntity } from './capture-run.entity';
import { EventEntity } from './event.entity';
import { MediaFileEntity } from './media-file.entity';
import { ObservationArtifactEntity, ObservationEntity } from './observation.entity';
import { QuotationEntity, QuotedStatementEntity } from './quotation.entity';
import { StatementEntity } from './statement.entity';
import { VersionArtifactEntity } from './version-artifact.entity';
import { VersionEntity } from './version.entity';

export {
  AccountEntity,
  ApiTokenEntity,
  ArtifactEntity,
  CaptureRequestEntity,
  CaptureRunEntity,
  EventEntity,
  MediaFileEntity,
  ObservationArtifactEntity,
  ObservationEntity,
  QuotationEntity,
  QuotedStatementEntity,
  StatementEntity,
  VersionArtifactEntity,
  VersionEntity,
};

export const ENTITIES = [
  AccountEntity,
  ApiTokenEntity,
  ArtifactEntity,
  CaptureRequestEntity,
  CaptureRunEntity,
  EventEntity,
  MediaFileEntity,
  ObservationArtifactEntity,
  ObservationEntity,
  QuotationEntity,
  QuotedStatementEntity,
  StatementEntity,
  VersionArtifactEntity,
  VersionEntity,
];
