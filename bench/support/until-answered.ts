/**
 * Cube's REST API answers a query that outlives its continue-wait time with `{"error":"Continue
 * wait"}` (HTTP 200); clients such as @cubejs-client/core ask again. The benches do the same over
 * their own transports, and report the time until the answer: every round trip added up.
 */
export async function untilAnswered<T extends { ms: number }>(roundTrip: () => Promise<T>, isContinueWait: (answer: T) => boolean): Promise<T> {
  let total = 0;
  for (;;) {
    const answer = await roundTrip();
    total += answer.ms;
    if (!isContinueWait(answer)) return { ...answer, ms: total };
  }
}

export const CONTINUE_WAIT_BODY = '{"error":"Continue wait"}';

/**
 * POSTs a Cube query to `/cubejs-api/v1/<endpoint>` (load, sql, …), asking again while the answer is
 * "Continue wait" (a query outliving the continue-wait time at large scales); throws on any error answer.
 */
export async function postCubeQuery(url: string, endpoint: string, query: unknown): Promise<{ text: string; ms: number }> {
  const answer = await untilAnswered(
    async () => {
      const started = performance.now();
      const res = await fetch(`${url}/cubejs-api/v1/${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      return { status: res.status, text: await res.text(), ms: performance.now() - started };
    },
    (a) => a.status === 200 && a.text === CONTINUE_WAIT_BODY,
  );
  if (answer.status !== 200 || answer.text.startsWith('{"error"')) throw new Error(`${endpoint} ${answer.status}: ${answer.text.slice(0, 300)}`);
  return answer;
}
