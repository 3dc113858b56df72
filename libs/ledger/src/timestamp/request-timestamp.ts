import { createTimestampRequest, type TimestampRequestOptions } from './timestamp-request';
import { TimestampResponseError } from './timestamp-errors';
import { parseTimestampResponse } from './timestamp-response';
import { type TimestampInfo, verifyTimestampToken } from './timestamp-token';

export interface TimestampHttpResponse {
  status: number;
  /** the Content-Type header, or null when absent */
  contentType: string | null;
  body: Uint8Array;
}

/** POSTs `body` to `url` with `contentType`: the app passes its guarded HTTP client, so the ledger does no I/O. */
export type TimestampPost = (
  url: string,
  body: Uint8Array,
  contentType: string,
) => Promise<TimestampHttpResponse>;

export interface RequestTimestampOptions extends TimestampRequestOptions {
  /** trust anchors for the TSA's chain (PEM or DER); without them only the embedded signer certificate is used */
  trustedCerts?: readonly (string | Uint8Array)[];
}

export interface RequestedTimestamp {
  /** the TimeStampToken DER (CMS ContentInfo), to store beside the checkpoint */
  token: Uint8Array;
  info: TimestampInfo;
}

/**
 * Asks an RFC 3161 TSA to stamp `digest` (SHA-256) and verifies its answer (digest, nonce, signature, EKU, ESS
 * binding, and the chain when trust anchors are given) before returning the token.
 */
export async function requestTimestamp(
  tsaUrl: string,
  digest: Uint8Array,
  post: TimestampPost,
  options: RequestTimestampOptions = {},
): Promise<RequestedTimestamp> {
  const { trustedCerts, ...requestOptions } = options;
  const request = createTimestampRequest(digest, requestOptions);
  const response = await post(tsaUrl, request.der, 'application/timestamp-query');
  if (response.status < 200 || response.status > 299) {
    throw new TimestampResponseError(`TSA ${tsaUrl} answered HTTP ${response.status}`);
  }
  const mediaType = (response.contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== 'application/timestamp-reply') {
    throw new TimestampResponseError(
      `TSA ${tsaUrl} answered ${response.contentType ?? 'no Content-Type'}, not application/timestamp-reply`,
    );
  }
  const token = parseTimestampResponse(response.body);
  const info = await verifyTimestampToken(token, { digest, nonce: request.nonce, trustedCerts });
  return { token, info };
}
