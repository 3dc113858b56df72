import { type IncomingMessage, type ServerResponse } from 'node:http';

/** How a fake file host answers one path. */
type FileRoute =
  | { kind: 'bytes'; bytes: Buffer; contentType: string }
  | { kind: 'endless'; contentType: string; declaredLength: number | null };

/**
 * Files a fake platform serves (media attachments), mounted into its server. Besides plain files it serves
 * hostile ones: a body that never ends, announced with a huge Content-Length or with none at all. Every byte
 * handed to the socket is counted per path, so a test can prove how little a client let the server send.
 */
export interface FakeFiles {
  /** serves exactly these bytes at `path`, with Content-Length */
  serve(path: string, bytes: Buffer, contentType: string): void;
  /**
   * serves zero bytes at `path` for as long as the client keeps reading (written only when the socket drains,
   * so the client's reading sets the pace), announcing `declaredLength`, or no length at all when null
   */
  serveEndless(path: string, contentType: string, declaredLength: number | null): void;
  /** body bytes written for requests to `path` so far */
  bytesSent(path: string): number;
  /** requests made for `path` */
  requests(path: string): number;
  /** answers a request for the file store: the file, or 404 for a path nothing is served at */
  handle(req: IncomingMessage, res: ServerResponse): void;
}

const CHUNK = 64 * 1024;

export function fakeFiles(): FakeFiles {
  const routes = new Map<string, FileRoute>();
  const sent = new Map<string, number>();
  const asked = new Map<string, number>();
  const count = (path: string, n: number) => sent.set(path, (sent.get(path) ?? 0) + n);

  function streamEndless(path: string, res: ServerResponse): void {
    const chunk = Buffer.alloc(CHUNK);
    let open = true;
    res.on('close', () => (open = false));
    const pump = () => {
      while (open) {
        count(path, chunk.length);
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }

  return {
    serve(path, bytes, contentType) {
      routes.set(path, { kind: 'bytes', bytes, contentType });
    },
    serveEndless(path, contentType, declaredLength) {
      routes.set(path, { kind: 'endless', contentType, declaredLength });
    },
    bytesSent: (path) => sent.get(path) ?? 0,
    requests: (path) => asked.get(path) ?? 0,
    handle(req, res) {
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      const route = routes.get(path);
      asked.set(path, (asked.get(path) ?? 0) + 1);
      if (!route) {
        res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': '9' });
        res.end('Not Found');
        return;
      }
      if (route.kind === 'bytes') {
        res.writeHead(200, {
          'Content-Type': route.contentType,
          'Content-Length': String(route.bytes.length),
        });
        if (req.method === 'HEAD') res.end();
        else {
          count(path, route.bytes.length);
          res.end(route.bytes);
        }
        return;
      }
      const headers: Record<string, string> = { 'Content-Type': route.contentType };
      if (route.declaredLength !== null) headers['Content-Length'] = String(route.declaredLength);
      res.writeHead(200, headers);
      // no Content-Length: Node sends the body chunked, and it never ends
      streamEndless(path, res);
    },
  };
}
