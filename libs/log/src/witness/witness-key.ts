import { loadWitnessKey, type WitnessKey } from '../log-keys';

/**
 * The name this instance cosigns under: the log's origin with "/witness" appended, so the witness is
 * recognisably run by the same operator as the log, yet its key can never be mistaken for the log's.
 */
export function witnessKeyName(origin: string): string {
  return `${origin}/witness`;
}

/** This instance's witness key (generated into the data directory on first use when no file is configured). */
export function loadInstanceWitnessKey(options: {
  origin: string;
  witnessKeyFile: string | null;
  dataDir: string;
}): WitnessKey {
  return loadWitnessKey({
    name: witnessKeyName(options.origin),
    keyFile: options.witnessKeyFile,
    dataDir: options.dataDir,
  });
}
