import { z } from 'zod';
import { parseVerifierKey, SIGNATURE_TYPE_COSIGNATURE_V1 } from '@app/ledger';
import { commaSeparated, isUrlOf } from './url-check';

export interface WitnessSetting {
  /** the witness's add-checkpoint URL */
  url: string;
  /** its cosignature/v1 verifier key */
  key: string;
}

const FORMAT =
  'each entry must be "URL VERIFIER_KEY", entries separated by commas, e.g. ' +
  '"https://witness.example.org/add-checkpoint witness.example.org+1a2b3c4d+BASE64KEY"';

/**
 * VERBATIM_WITNESSES: comma-separated `URL VERIFIER_KEY` of the witnesses asked to cosign each checkpoint. A key
 * that cannot check a cosignature is refused here, at start, not reported as a failed anchor every checkpoint.
 */
export const witnessList = z
  .string()
  .default('')
  .transform((value, ctx): WitnessSetting[] => {
    const witnesses: WitnessSetting[] = [];
    for (const entry of commaSeparated(value)) {
      const problem = witnessProblem(entry);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
      else {
        const [url, key] = entry.split(/\s+/);
        witnesses.push({ url, key });
      }
    }
    return witnesses;
  });

/** What is wrong with one `URL VERIFIER_KEY` entry; null when nothing is. */
function witnessProblem(entry: string): string | null {
  const [url, key, ...rest] = entry.split(/\s+/);
  if (!key || rest.length > 0 || !isUrlOf(url, ['http:', 'https:']))
    return `${JSON.stringify(entry)} is not "URL VERIFIER_KEY"; ${FORMAT}`;
  let type: number;
  try {
    type = parseVerifierKey(key).type;
  } catch (error) {
    return `${JSON.stringify(key)} is not a verifier key (${(error as Error).message}); ${FORMAT}`;
  }
  if (type !== SIGNATURE_TYPE_COSIGNATURE_V1)
    return `${JSON.stringify(key)} is not a witness's cosignature/v1 key (type 0x04); ${FORMAT}`;
  return null;
}
