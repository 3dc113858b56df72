import { CreateArchive1764072000000 } from './1764072000000-CreateArchive';
import { CreateLog1764072000001 } from './1764072000001-CreateLog';
import { ArtifactLinkMediaType1764500000000 } from './1764500000000-ArtifactLinkMediaType';
import { CreateRechecks1765000000000 } from './1765000000000-CreateRechecks';

/** Every migration, in order. Listed explicitly so builds and tests run the same set. */
export const MIGRATIONS = [
  CreateArchive1764072000000,
  CreateLog1764072000001,
  ArtifactLinkMediaType1764500000000,
  CreateRechecks1765000000000,
];
