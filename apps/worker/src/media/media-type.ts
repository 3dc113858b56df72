/** `type/subtype` as RFC 9110 spells a media type, without parameters. */
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

/**
 * The media type a server gave a file, lower-cased and without parameters, for serving it back; anything
 * missing or malformed is `application/octet-stream` (served with nosniff, so a browser will not guess).
 */
export function mediaTypeOf(contentType: string | undefined): string {
  const essence = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return MEDIA_TYPE.test(essence) && essence.length <= 200 ? essence : 'application/octet-stream';
}
