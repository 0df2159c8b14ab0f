/**
 * `/load` ahead of express: the hot route of every dashboard is answered on node's own request
 * and response, before express's dispatch (which swaps both objects' prototypes and walks its
 * router: ≈ 35 µs of a request on the 2-core machines here). It does, in the same order, what the
 * express stack does for it — the request observer (request id, metrics, log line), the JSON body
 * parser, the per-client limits — then runs the load handler; a failure is written by the same
 * error mapping as the express routes'. Only `GET` and `POST` of the exact path (query string
 * aside) are taken; anything else (`HEAD`, a trailing slash, another case) goes on to express,
 * whose own `/load` routes answer it as they always did.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

type Next = (error?: unknown) => void;
/** A connect-style middleware (the JSON body parser, the client limits), on node's own request and response. */
type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => unknown;

/** The pieces the express stack runs for `/load`, in its order. */
export interface LoadRouteParts {
  /** The REST path of `/load`, e.g. `/cubejs-api/v1/load`. */
  readonly path: string;
  /** The request observer's work, given the route label express would have matched. */
  readonly observe: (req: IncomingMessage, res: ServerResponse, route: string) => void;
  /** The JSON body parser (the same instance the express stack uses). */
  readonly parseJson: Middleware;
  /** The REST per-client limits middleware. */
  readonly limits: Middleware;
  readonly load: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Writes a failure as the express stack's error handler does (server.ts). */
  readonly fail: (error: unknown, res: ServerResponse) => void;
}

/** Answers `GET`/`POST` of the `/load` path and returns true; returns false for every other request. */
export function loadRoute(parts: LoadRouteParts): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { path } = parts;
  return (req, res) => {
    const method = req.method;
    if ((method !== 'GET' && method !== 'POST') || !isPath(req.url ?? '', path)) return false;
    // Mounted under another express app, the label keeps the mount path as express's would.
    parts.observe(req, res, `${(req as { baseUrl?: string }).baseUrl ?? ''}${path}`);
    const fail = (error: unknown): void => parts.fail(error, res);
    const answer = (error?: unknown): void => {
      if (error) return fail(error);
      parts.load(req, res).catch(fail);
    };
    const limited = (error?: unknown): void => {
      if (error) return fail(error);
      Promise.resolve(parts.limits(req, res, answer)).catch(fail);
    };
    // The parser reads a body whenever one is announced, a GET's too (as the express stack would).
    if (method === 'POST' || req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) parts.parseJson(req, res, limited);
    else {
      if (!('body' in req)) (req as { body?: unknown }).body = undefined;
      limited();
    }
    return true;
  };
}

/** `url` is `path` itself, or `path` with a query string. */
function isPath(url: string, path: string): boolean {
  return url.startsWith(path) && (url.length === path.length || url.charCodeAt(path.length) === 63 /* ? */);
}
