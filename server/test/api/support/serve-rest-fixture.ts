/**
 * Starts the real server over the gold fixture (streaming tables included) and the repository's model, with JWT
 * authentication, for out-of-process API testers (schemathesis), and writes
 * `{ url, token }` to the file named by argv[2]. Runs until SIGTERM/SIGINT.
 */
import { writeFile } from 'node:fs/promises';
import { SignJWT } from 'jose';
import { GOLD_EXTRA_FILES, goldWithStreamingSql, REPO_MODEL_DIR, startStack } from '../../support/stack.ts';

const out = process.argv[2];
if (!out) throw new Error('usage: serve-rest-fixture.ts <info.json>');
const secret = 'schemathesis-secret-0123456789abcdef';
const stack = await startStack({
  data: { sql: await goldWithStreamingSql() }, model: { dir: REPO_MODEL_DIR, files: GOLD_EXTRA_FILES }, security: { secret }, serve: { http: true },
});
const sign = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('2h').sign(new TextEncoder().encode(secret));
// The token that sees the most cubes: no groups (granted everything by the model's policies) or
// the `internal` group (what deny-by-default policies grant in full).
let best = { token: '', cubes: -1 };
for (const claims of [{ user: 'schemathesis' }, { user: 'schemathesis', groups: ['internal'] }]) {
  const token = await sign(claims);
  const meta = await fetch(`${stack.url}/cubejs-api/v1/meta`, { headers: { authorization: token } });
  const cubes = meta.ok ? ((await meta.json()) as { cubes: unknown[] }).cubes.length : -1;
  if (cubes > best.cubes) best = { token, cubes };
}
await writeFile(out, JSON.stringify({ url: stack.url, token: best.token }));
const stop = async () => {
  await stack.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
