export { TimestampVerificationError, TimestampResponseError } from './timestamp-errors';
export { type HashAlgorithmName, OID_KP_TIME_STAMPING, OID_TST_INFO } from './oids';
export {
  createTimestampRequest,
  type TimestampRequest,
  type TimestampRequestOptions,
} from './timestamp-request';
export { parseTimestampResponse } from './timestamp-response';
export {
  verifyTimestampToken,
  type TimestampInfo,
  type TimestampVerificationOptions,
} from './timestamp-token';
export {
  requestTimestamp,
  type RequestTimestampOptions,
  type RequestedTimestamp,
  type TimestampHttpResponse,
  type TimestampPost,
} from './request-timestamp';
