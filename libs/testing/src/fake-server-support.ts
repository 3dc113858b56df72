import { type Server, type ServerResponse } from 'node:http';

/** What Node wrote as the response head: `_header` is the exact string it put on the wire before the body. */
export function writtenHead(res: ServerResponse): Buffer {
  const written = (res as unknown as { _header?: string | null })._header;
  return Buffer.from(written ?? '', 'latin1');
}

/** Ends hanging requests and open connections, then the server. Safe to call twice. */
export async function closeFakeServer(server: Server, hanging: Set<ServerResponse>): Promise<void> {
  for (const res of hanging) res.destroy();
  hanging.clear();
  if (!server.listening) return;
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}
