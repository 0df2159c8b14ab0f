/**
 * Starts the real server over the gold fixture (streaming tables included) and the repository's model, with JWT
 * authentication, for out-of-process API testers (schemathesis), and writes
 * `{ url, token }` to the file named by argv[2]. Runs until SIGTERM/SIGINT.
 */
import { writeFile } from 'node:fs/promises';
import { SignJWT } from 'jose';
import { startStack } from './start-stack.ts';
import { prepareCompleteGoldFiles } from './complete-gold-files.ts';

const out = process.argv[2];
if (!out) throw new Error('usage: serve-rest-fixture.ts <info.json>');
const secret = 'schemathesis-secret-0123456789abcdef';
const files = await prepareCompleteGoldFiles();
const stack = await startStack({ duckdbPath: files.duckdbPath, modelDir: files.modelDir, env: { CUBEJS_API_SECRET: secret }, listen: true });
const token = await new SignJWT({ user: 'schemathesis' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('2h').sign(new TextEncoder().encode(secret));
await writeFile(out, JSON.stringify({ url: stack.url, token }));
const stop = async () => {
  await stack.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
