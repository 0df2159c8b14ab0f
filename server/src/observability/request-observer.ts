/**
 * Express middleware: assigns the request id (client's `x-request-id` or a new UUID), a child
 * logger, and records count + latency per route pattern (not per URL, to keep label cardinality
 * bounded) when the response finishes.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from './create-logger.ts';
import type { ServerMetrics } from './create-metrics.ts';

/** Per-request values the routes read from `res.locals`. */
export interface RequestLocals {
  requestId: string;
  log: Logger;
}

export function requestObserver(logger: Logger, metrics: ServerMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    observeRequest(req, res, logger, metrics);
    next();
  };
}

/**
 * What the observer does for one request, for a route that answers ahead of the middleware
 * (api/rest/load-route.ts): `route` is its label (the pattern express would have matched);
 * without it the label is read from the route express matched, when the response finishes.
 */
export function observeRequest(req: Request, res: Response, logger: Logger, metrics: ServerMetrics, route?: string): void {
  // Checked per request (the level may change at run time); when `info` is off, neither the
  // request's child logger nor the log line's fields are built unless something logs.
  const started = process.hrtime.bigint();
  const header = req.headers['x-request-id'];
  const requestId = typeof header === 'string' && header.length > 0 && header.length <= 200 ? header : randomUUID();
  res.locals.requestId = requestId;
  // The child logger is made on first use: most requests never log.
  let log: Logger | undefined;
  Object.defineProperty(res.locals, 'log', { get: () => (log ??= logger.child({ requestId })), enumerable: true, configurable: true });
  res.setHeader('x-request-id', requestId);
  res.on('finish', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const label = route ?? routeLabel(req);
    const labels = { method: req.method, route: label, status: String(res.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, seconds);
    if (logger.isLevelEnabled('info')) {
      locals(res).log.info({ method: req.method, url: req.originalUrl.slice(0, 500), route: label, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 }, 'request');
    }
  });
}

function routeLabel(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${req.baseUrl}${route.path}`;
  return 'unmatched';
}

export function locals(res: Response): RequestLocals {
  return res.locals as RequestLocals;
}
