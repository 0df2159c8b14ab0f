/**
 * Polls the dev-only model status (compile errors with file and line, warnings, joins) every two
 * seconds, so an error shows while the modeler is still editing the file.
 */
import { useEffect, useState } from 'react';
import { modelStatus, type ModelStatus } from '../api/rest-client.ts';

export const MODEL_STATUS_POLL_MS = 2_000;

export function useModelStatus(token: string): { status?: ModelStatus; error?: string } {
  const [state, setState] = useState<{ status?: ModelStatus; error?: string }>({});
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async (): Promise<void> => {
      try {
        const status = await modelStatus();
        if (!cancelled) setState((old) => (JSON.stringify(old.status) === JSON.stringify(status) ? old : { status }));
      } catch (e) {
        if (!cancelled) setState({ error: (e as Error).message });
      }
      if (!cancelled) timer = setTimeout(poll, MODEL_STATUS_POLL_MS);
    };
    void poll();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [token]);
  return state;
}
