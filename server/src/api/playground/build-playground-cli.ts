/**
 * `npm run build:playground`: builds the playground bundle now (even when fresh), for images or
 * machines that serve the playground from an install without dev dependencies.
 */
import { ensurePlaygroundBundle } from './playground-bundle.ts';

const outcome = await ensurePlaygroundBundle({ log: (line) => console.log(line), force: true });
if (outcome.state === 'unavailable') process.exitCode = 1;
