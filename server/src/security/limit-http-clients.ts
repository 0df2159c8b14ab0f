/**
 * Per-client limits for the HTTP APIs (REST and GraphQL), as middleware in front of their routers
 * so a refusal is a real HTTP 429 (GraphQL would otherwise answer 200 with an error entry).
 * The client is the verified identity of its token; a request whose token does not verify (or
 * has none) counts against its network address — so a forged token naming someone else cannot
 * spend that user's budget. The concurrency slot is held until the response is sent. Written with
 * node's own request and response API, so the `/load` hot route (api/rest/load-route.ts), which
 * answers without express, runs the same middleware as the express routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeJson } from '../util/write-json.ts';
import { isUserError, type UserError } from '../errors/user-error.ts';
import type { Authenticator } from './create-authenticator.ts';
import type { ClientLimiter } from './client-limiter.ts';
import { clientIdentity } from './client-identity.ts';

/** How a refusal is written: REST `{ error }`, GraphQL `{ errors: [...] }`. */
export type LimitResponseFormat = 'rest' | 'graphql';

export function limitHttpClients(limiter: ClientLimiter, authenticator: Authenticator, format: LimitResponseFormat) {
  return async (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): Promise<void> => {
    if (!limiter.enabled) return next();
    const client = await identify(req, authenticator);
    let release: () => void;
    try {
      release = limiter.admit(client);
    } catch (error) {
      if (!isUserError(error)) return next(error);
      return refuse(res, error, format);
    }
    res.once('close', release);
    next();
  };
}

async function identify(req: IncomingMessage, authenticator: Authenticator): Promise<string> {
  // The peer's address, as express's `req.ip` gives it while 'trust proxy' is off (this server's setting).
  const address = `ip:${req.socket.remoteAddress ?? 'unknown'}`;
  const authorization = req.headers.authorization;
  if (!authorization) return address;
  try {
    return clientIdentity(await authenticator.authenticate(authorization)) ?? address;
  } catch {
    // The router answers the bad token with its own 403; here it only decides the bucket.
    return address;
  }
}

function refuse(res: ServerResponse, error: UserError, format: LimitResponseFormat): void {
  const retryAfter = /retry in (\d+) s/.exec(error.message)?.[1];
  if (retryAfter) res.setHeader('Retry-After', retryAfter);
  if (format === 'graphql') writeJson(res, error.httpStatus, { errors: [{ message: error.message, extensions: { code: error.code } }] });
  else writeJson(res, error.httpStatus, { error: error.message, code: error.code });
}
