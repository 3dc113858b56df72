import { CreateArchive1764072000000 } from './1764072000000-CreateArchive';
import { CreateLog1764072000001 } from './1764072000001-CreateLog';
import { ArtifactLinkMediaType1764500000000 } from './1764500000000-ArtifactLinkMediaType';
import { CreateAlerts1764600000200 } from './1764600000200-CreateAlerts';
import { CreateRechecks1765000000000 } from './1765000000000-CreateRechecks';
import { AccountReads1766000000000 } from './1766000000000-AccountReads';
import { MediaFiles1767100000000 } from './1767100000000-MediaFiles';
import { PlatformHealth1767600000000 } from './1767600000000-PlatformHealth';
import { QuotedStatements1767000000000 } from './1767000000000-QuotedStatements';
import { ArtifactLinkUrl1767500000000 } from './1767500000000-ArtifactLinkUrl';
import { SearchLanguages1767300000000 } from './1767300000000-SearchLanguages';
import { QuotedEmbeds1767720000000 } from './1767720000000-QuotedEmbeds';
import { CaptureRequestUrl1767800000000 } from './1767800000000-CaptureRequestUrl';
import { PollQueuedMarks1767900000000 } from './1767900000000-PollQueuedMarks';
import { CaptureRunsLatest1768000000000 } from './1768000000000-CaptureRunsLatest';
import { DuePollsByHost1768100000000 } from './1768100000000-DuePollsByHost';
import { SearchPendingList1768200000000 } from './1768200000000-SearchPendingList';
import { SearchCaptureBlocks1768300000000 } from './1768300000000-SearchCaptureBlocks';
import { SearchFilterWords1768400000000 } from './1768400000000-SearchFilterWords';
import { PollDeferrals1768500000000 } from './1768500000000-PollDeferrals';
import { CaptureRequestRetries1768600000000 } from './1768600000000-CaptureRequestRetries';
import { RecheckDeferrals1768700000000 } from './1768700000000-RecheckDeferrals';
import { CaptureRequestOffers1768800000000 } from './1768800000000-CaptureRequestOffers';
import { RoomForHotUpdates1768900000000 } from './1768900000000-RoomForHotUpdates';
import { VersionHistoryGaps1769000000000 } from './1769000000000-VersionHistoryGaps';
import { WebPageIdentity1769100000000 } from './1769100000000-WebPageIdentity';
import { AccountsByCreation1769200000000 } from './1769200000000-AccountsByCreation';
import { PageSightings1769300000000 } from './1769300000000-PageSightings';
import { AccountLookups1769400000000 } from './1769400000000-AccountLookups';
import { Restorations1769500000000 } from './1769500000000-Restorations';

/** Every migration, in order. Listed explicitly so builds and tests run the same set. */
export const MIGRATIONS = [
  CreateArchive1764072000000,
  CreateLog1764072000001,
  ArtifactLinkMediaType1764500000000,
  CreateAlerts1764600000200,
  CreateRechecks1765000000000,
  AccountReads1766000000000,
  QuotedStatements1767000000000,
  MediaFiles1767100000000,
  SearchLanguages1767300000000,
  ArtifactLinkUrl1767500000000,
  PlatformHealth1767600000000,
  QuotedEmbeds1767720000000,
  CaptureRequestUrl1767800000000,
  PollQueuedMarks1767900000000,
  CaptureRunsLatest1768000000000,
  DuePollsByHost1768100000000,
  SearchPendingList1768200000000,
  SearchCaptureBlocks1768300000000,
  SearchFilterWords1768400000000,
  PollDeferrals1768500000000,
  CaptureRequestRetries1768600000000,
  RecheckDeferrals1768700000000,
  CaptureRequestOffers1768800000000,
  RoomForHotUpdates1768900000000,
  VersionHistoryGaps1769000000000,
  WebPageIdentity1769100000000,
  AccountsByCreation1769200000000,
  PageSightings1769300000000,
  AccountLookups1769400000000,
  Restorations1769500000000,
];
