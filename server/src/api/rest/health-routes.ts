/**
 * Kubernetes probes with Cube's answers: `/livez` (the process serves requests) and `/readyz`
 * (the data source answers a trivial query, and every extra readiness check passes — e.g. the
 * real-time stream consumer keeps up), `{"health": "HEALTH"}` or `{"health": "DOWN", "error"}`.
 */
import { Router } from 'express';
import type { Driver } from '../../drivers/driver-types.ts';
import { locals } from '../../observability/request-observer.ts';

const READY_TIMEOUT_MS = 5_000;

/** A part of the server that can make it unready; undefined when it does not apply (e.g. streaming off). */
export type ReadinessCheck = () => { readonly ready: boolean; readonly reason?: string } | undefined;

export function createHealthRoutes(driver: Driver, checks: readonly ReadinessCheck[] = []): Router {
  const router = Router();
  router.get('/livez', (_req, res) => {
    res.json({ health: 'HEALTH' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await withTimeout(driver.testConnection(), READY_TIMEOUT_MS);
    } catch (error) {
      locals(res).log.warn({ err: error }, 'readiness check failed');
      res.status(500).json({ health: 'DOWN', error: `data source ${driver.name} is not reachable` });
      return;
    }
    const failing = checks.map((check) => check()).find((state) => state && !state.ready);
    if (failing) {
      res.status(500).json({ health: 'DOWN', error: failing.reason ?? 'not ready' });
      return;
    }
    res.json({ health: 'HEALTH' });
  });
  return router;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
