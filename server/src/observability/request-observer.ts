/**
 * Express middleware: assigns the request id (client's `x-request-id` or a new UUID), a child
 * logger, and records count + latency per route pattern (not per URL, to keep label cardinality
 * bounded) when the response finishes.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** A request as the observer reads it: node's own, or express's (which adds the routing fields). */
type ObservedRequest = IncomingMessage & { readonly originalUrl?: string; readonly baseUrl?: string; readonly route?: { path?: unknown } };
/** A response that carries the per-request values (express makes `locals`; the observer does when it is absent). */
type ObservedResponse = ServerResponse & { locals?: Record<string, unknown> };

/**
 * What the observer does for one request, also for the route that answers without express
 * (api/rest/load-route.ts): `route` is its label (the pattern express would have matched);
 * without it the label is read from the route express matched, when the response finishes.
 */
export function observeRequest(req: ObservedRequest, res: ObservedResponse, logger: Logger, metrics: ServerMetrics, route?: string): void {
  // Checked per request (the level may change at run time); when `info` is off, neither the
  // request's child logger nor the log line's fields are built unless something logs.
  const started = process.hrtime.bigint();
  const header = req.headers['x-request-id'];
  const requestId = typeof header === 'string' && header.length > 0 && header.length <= 200 ? header : randomUUID();
  const values = (res.locals ??= Object.create(null) as Record<string, unknown>);
  values.requestId = requestId;
  // The child logger is made on first use: most requests never log.
  let log: Logger | undefined;
  Object.defineProperty(values, 'log', { get: () => (log ??= logger.child({ requestId })), enumerable: true, configurable: true });
  res.setHeader('x-request-id', requestId);
  res.on('finish', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const label = route ?? routeLabel(req);
    const labels = { method: req.method, route: label, status: String(res.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, seconds);
    if (logger.isLevelEnabled('info')) {
      locals(res).log.info({ method: req.method, url: (req.originalUrl ?? req.url ?? '').slice(0, 500), route: label, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 }, 'request');
    }
  });
}

function routeLabel(req: ObservedRequest): string {
  const route = req.route;
  if (route && typeof route.path === 'string') return `${req.baseUrl ?? ''}${route.path}`;
  return 'unmatched';
}

/** The observer's per-request values (set before any route runs). */
export function locals(res: ObservedResponse): RequestLocals {
  return res.locals as unknown as RequestLocals;
}
