/**
 * Kubernetes probes with Cube's answers: `/livez` (the process serves requests) and `/readyz`
 * (the data source answers a trivial query), `{"health": "HEALTH"}` or `{"health": "DOWN"}`.
 */
import { Router } from 'express';
import type { Driver } from '../../drivers/driver-types.ts';
import { locals } from '../../observability/request-observer.ts';

const READY_TIMEOUT_MS = 5_000;

export function createHealthRoutes(driver: Driver): Router {
  const router = Router();
  router.get('/livez', (_req, res) => {
    res.json({ health: 'HEALTH' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await withTimeout(driver.testConnection(), READY_TIMEOUT_MS);
      res.json({ health: 'HEALTH' });
    } catch (error) {
      locals(res).log.warn({ err: error }, 'readiness check failed');
      res.status(500).json({ health: 'DOWN', error: `data source ${driver.name} is not reachable` });
    }
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
