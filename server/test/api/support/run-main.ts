/**
 * Runs the composition root (`server/src/main.ts`) in a child process, as `npm start` does, with
 * an environment free of the test runner's CUBEJS_* variables, and reads its startup lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const MAIN = path.resolve(import.meta.dirname, '../../../src/main.ts');
// Absolute, so the child resolves tsx even from a temp working directory.
const TSX_LOADER = pathToFileURL(path.resolve(import.meta.dirname, '../../../../node_modules/tsx/dist/loader.mjs')).href;

/** The environment without any CUBEJS_* variable (or PORT) of the test runner, plus `extra`. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('CUBEJS_') && key !== 'PORT') env[key] = value;
  return { ...env, ...extra };
}

export interface MainProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
  /** Waits until the output matches `pattern` (or the process exits, or the timeout passes). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

export function runMain(cwd: string, env: NodeJS.ProcessEnv): MainProcess {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, MAIN], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exitCode: number | null | undefined;
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  return {
    child,
    exited,
    output: () => output,
    async waitFor(pattern, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match;
        if (exitCode !== undefined || Date.now() > deadline) throw new Error(`no ${pattern} in the output of main.ts:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
