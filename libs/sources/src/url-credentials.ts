import { ErrorCode, VerbatimError } from '@app/core';

/** Why a URL with `user:password@` is refused, wherever it is refused. */
export const CREDENTIALS_REFUSAL =
  'URLs with a user name or password are not accepted (remove user:password@ from the URL)';

export function hasCredentials(url: URL): boolean {
  return url.username !== '' || url.password !== '';
}

/** The URL as it may be shown: user name and password removed. */
export function withoutCredentials(url: URL): string {
  const shown = new URL(url.href);
  shown.username = '';
  shown.password = '';
  return shown.href;
}

/**
 * For the API: refuses a source URL that carries a user name or password, which would otherwise be stored
 * and shown to anonymous readers. The message names the URL without its secret.
 */
export function refuseCredentialsInUrl(url: URL): void {
  if (!hasCredentials(url)) return;
  throw new VerbatimError(
    ErrorCode.InvalidInput,
    `URLs with a user name or password are not accepted: ${withoutCredentials(url)} ` +
      '(remove user:password@ from the URL)',
  );
}
