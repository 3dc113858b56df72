import { ARTIFACT_ROLES } from '@app/core';
import { type HttpResponse } from './http-client';

/** The media type of a kept response head: a message/http of status line and headers, with no body. */
export const RESPONSE_HEAD_MEDIA_TYPE = 'message/http';

/**
 * A response as artifacts: its body under `role`, and its status line and headers as a `response-head`, so
 * that an archivist's WARC response record can be rebuilt byte for byte from what we kept.
 */
export function responseArtifacts(
  response: HttpResponse,
  role: string,
  mediaType: string,
): { role: string; mediaType: string; bytes: Buffer; url: string }[] {
  return [
    { role, mediaType, bytes: response.body, url: response.url },
    {
      role: ARTIFACT_ROLES.responseHead,
      mediaType: RESPONSE_HEAD_MEDIA_TYPE,
      bytes: response.head,
      url: response.url,
    },
  ];
}
