import { type Queue } from 'bullmq';
import { JobName, jobIds, type JobOf } from './queue-names';

/** One `download-media` job per version with media; the job id makes a repeated request a no-op while it waits. */
export async function scheduleMediaDownloads(
  queue: Queue,
  versions: { statementId: string; version: number }[],
): Promise<void> {
  if (versions.length === 0) return;
  await queue.addBulk(
    versions.map(({ statementId, version }) => ({
      name: JobName.DownloadMedia,
      data: { statementId, version } satisfies JobOf<typeof JobName.DownloadMedia>,
      opts: { jobId: jobIds.media(statementId, version) },
    })),
  );
}
