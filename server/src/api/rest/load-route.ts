/**
 * `/load` as the first layer of the server's app: the hot route of every dashboard answers
 * without walking express's middleware stack and route matching. It does, in the same order,
 * what that stack does for it — the request observer (request id, metrics, log line), the JSON
 * body parser, the per-client limits — then runs the load handler; any failure goes to the app's
 * one error handler, as before. Only `GET` and `POST` of the exact path (query string aside) are
 * taken; anything else (`HEAD`, a trailing slash, another case) goes on to the stack, whose own
 * `/load` route answers it as it always did.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** The pieces the stack would have run for `/load`, in its order. */
export interface LoadRouteParts {
  /** The REST path of `/load`, e.g. `/cubejs-api/v1/load`. */
  readonly path: string;
  /** The request observer's work, given the route label express would have matched. */
  readonly observe: (req: Request, res: Response, route: string) => void;
  /** The app's JSON body parser (the same instance the stack uses). */
  readonly parseJson: RequestHandler;
  /** The REST per-client limits middleware. */
  readonly limits: RequestHandler;
  readonly load: (req: Request, res: Response) => Promise<void>;
}

export function loadRoute(parts: LoadRouteParts): RequestHandler {
  const { path } = parts;
  return (req: Request, res: Response, next: NextFunction): void => {
    const method = req.method;
    if ((method !== 'GET' && method !== 'POST') || !isPath(req.url, path)) return next();
    parts.observe(req, res, `${req.baseUrl}${path}`);
    const answer = (error?: unknown): void => {
      if (error) return next(error);
      parts.load(req, res).catch(next);
    };
    const limited = (error?: unknown): void => {
      if (error) return next(error);
      parts.limits(req, res, answer);
    };
    // The parser reads a body whenever one is announced, a GET's too (as the stack would).
    if (method === 'POST' || req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) parts.parseJson(req, res, limited);
    else {
      if (!('body' in req)) (req as { body?: unknown }).body = undefined;
      limited();
    }
  };
}

/** `url` is `path` itself, or `path` with a query string. */
function isPath(url: string, path: string): boolean {
  return url.startsWith(path) && (url.length === path.length || url.charCodeAt(path.length) === 63 /* ? */);
}
