/**
 * Per-client limits shared by every API: at most `maxRequests` requests per `windowMs` (a fixed
 * window per client, reset when it ends) and at most `maxConcurrent` requests running at once.
 * A refused request gets a 429-class `UserError` (SQLSTATE 53400 on the SQL API) saying which
 * limit, its value and when to retry. Limits left undefined or 0 are off.
 */
import { UserError } from '../errors/user-error.ts';

/** `CUBEJS_CLIENT_RATE_LIMIT`, `CUBEJS_CLIENT_RATE_WINDOW`, `CUBEJS_CLIENT_MAX_CONCURRENT_QUERIES`. */
export interface ClientLimits {
  readonly maxRequests?: number;
  readonly windowMs: number;
  readonly maxConcurrent?: number;
}

interface ClientState {
  windowStart: number;
  requests: number;
  running: number;
}

/** Above this many tracked clients, idle ones are swept so the map cannot grow without bound. */
const SWEEP_THRESHOLD = 10_000;

export class ClientLimiter {
  private readonly clients = new Map<string, ClientState>();

  constructor(
    readonly limits: ClientLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return Boolean(this.limits.maxRequests) || Boolean(this.limits.maxConcurrent);
  }

  /** Admits one request of `client` or throws; the returned function releases it (idempotent). */
  admit(client: string): () => void {
    if (!this.enabled) return () => {};
    const state = this.stateOf(client);
    const { maxRequests, maxConcurrent, windowMs } = this.limits;
    if (maxRequests && state.requests >= maxRequests) {
      const retryIn = Math.max(1, Math.ceil((state.windowStart + windowMs - this.now()) / 1000));
      throw new UserError('TOO_MANY_REQUESTS', `Too many requests: client ${client} reached ${maxRequests} requests per ${windowMs / 1000} s (CUBEJS_CLIENT_RATE_LIMIT); retry in ${retryIn} s`, {
        hint: `retry after ${retryIn} s`,
      });
    }
    if (maxConcurrent && state.running >= maxConcurrent) {
      throw new UserError('TOO_MANY_CONCURRENT_QUERIES', `Too many concurrent queries: client ${client} already runs ${state.running} (CUBEJS_CLIENT_MAX_CONCURRENT_QUERIES=${maxConcurrent}); retry when one finishes`);
    }
    state.requests += 1;
    state.running += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.running -= 1;
    };
  }

  private stateOf(client: string): ClientState {
    const now = this.now();
    let state = this.clients.get(client);
    if (!state) {
      if (this.clients.size >= SWEEP_THRESHOLD) this.sweep(now);
      state = { windowStart: now, requests: 0, running: 0 };
      this.clients.set(client, state);
    } else if (now - state.windowStart >= this.limits.windowMs) {
      state.windowStart = now;
      state.requests = 0;
    }
    return state;
  }

  private sweep(now: number): void {
    for (const [client, state] of this.clients) {
      if (state.running === 0 && now - state.windowStart >= this.limits.windowMs) this.clients.delete(client);
    }
  }
}
