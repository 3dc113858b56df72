/** The URL an artifact's bytes are served at. */
export function artifactUrl(sha256: string): string {
  return `/api/v1/artifacts/${sha256}`;
}
