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
