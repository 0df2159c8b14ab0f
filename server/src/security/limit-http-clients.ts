/**
 * Per-client limits for the HTTP APIs (REST and GraphQL), as middleware in front of their routers
 * so a refusal is a real HTTP 429 (GraphQL would otherwise answer 200 with an error entry).
 * The client is the verified identity of its token; a request whose token does not verify (or
 * has none) counts against its network address — so a forged token naming someone else cannot
 * spend that user's budget. The concurrency slot is held until the response is sent.
 */
import type { NextFunction, Request, Response } from 'express';
import { isUserError, type UserError } from '../errors/user-error.ts';
import type { Authenticator } from './create-authenticator.ts';
import type { ClientLimiter } from './client-limiter.ts';
import { clientIdentity } from './client-identity.ts';

/** How a refusal is written: REST `{ error }`, GraphQL `{ errors: [...] }`. */
export type LimitResponseFormat = 'rest' | 'graphql';

export function limitHttpClients(limiter: ClientLimiter, authenticator: Authenticator, format: LimitResponseFormat) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
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

async function identify(req: Request, authenticator: Authenticator): Promise<string> {
  const address = `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
  const authorization = req.get('authorization');
  if (!authorization) return address;
  try {
    return clientIdentity(await authenticator.authenticate(authorization)) ?? address;
  } catch {
    // The router answers the bad token with its own 403; here it only decides the bucket.
    return address;
  }
}

function refuse(res: Response, error: UserError, format: LimitResponseFormat): void {
  const retryAfter = /retry in (\d+) s/.exec(error.message)?.[1];
  if (retryAfter) res.set('Retry-After', retryAfter);
  res.status(error.httpStatus);
  if (format === 'graphql') res.json({ errors: [{ message: error.message, extensions: { code: error.code } }] });
  else res.json({ error: error.message, code: error.code });
}
