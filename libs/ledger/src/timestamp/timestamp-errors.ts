/** A timestamp token that fails one of the RFC 3161 checks; the message names the check. */
export class TimestampVerificationError extends Error {
  override readonly name = 'TimestampVerificationError';
}

/** A TimeStampResp that is malformed, or in which the TSA did not grant a token. */
export class TimestampResponseError extends Error {
  override readonly name = 'TimestampResponseError';

  constructor(
    message: string,
    /** PKIStatus name ("rejection", "waiting"...), or null when the response could not be read */
    readonly status: string | null = null,
    /** PKIFailureInfo names set in the response */
    readonly failInfo: readonly string[] = [],
  ) {
    super(message);
  }
}
