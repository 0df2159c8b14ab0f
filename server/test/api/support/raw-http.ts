/**
 * Sends one HTTP request exactly as written (method, path, headers, body bytes) over a real socket
 * with node:http, so tests can send what fetch would refuse or fix up: any Content-Encoding, a
 * body that does not match its headers, a path with malformed percent-escapes.
 */
import http from 'node:http';

/** A request as the test wants it on the wire. */
export interface RawRequest {
  readonly method: string;
  /** Path and query string, already encoded (e.g. `/cubejs-api/v1/load?query=%7B`). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/** What came back; `json` is the parsed body when it parses. */
export interface RawResponse {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

export function sendRaw(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = { ...request.headers };
  if (request.body) headers['content-length'] = String(request.body.length);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method: request.method, path: request.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(request.body);
  });
}

/** Closes the kept-alive sockets (call once the suite is done). */
export function closeRawHttp(): void {
  agent.destroy();
}
