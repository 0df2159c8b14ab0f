import fs from 'node:fs';
import { UserError } from '../errors/user-error.ts';
import { isProcessAlive } from './process-alive.ts';

/**
 * A lock file held by one process: created exclusively with the holder's PID inside, removed by the
 * returned release function. A process that dies holding it leaves the file behind; the next
 * caller sees the PID is gone and takes the lock over. A live holder (this process included: two
 * openers in one process collide just as two processes do) makes it a LAKEHOUSE_BUSY UserError
 * naming the holder's PID.
 */
export function acquireProcessLock(file: string, what: string): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(file);
      if (holder === 'unreadable' || isProcessAlive(holder)) throw busy(file, what, holder);
      fs.rmSync(file, { force: true });
      continue;
    }
    fs.writeSync(fd, `${process.pid}\n`);
    fs.closeSync(fd);
    return () => {
      if (readHolder(file) === process.pid) fs.rmSync(file, { force: true });
    };
  }
  throw busy(file, what, 'unreadable');
}

/** The holder's PID; 'unreadable' while the holder is still writing it (or the file is not ours). */
function readHolder(file: string): number | 'unreadable' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return 'unreadable';
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : 'unreadable';
}

function busy(file: string, what: string, holder: number | 'unreadable'): UserError {
  const who = holder === 'unreadable' ? 'another process' : holder === process.pid ? `this process (PID ${holder})` : `process ${holder}`;
  return new UserError('LAKEHOUSE_BUSY', `${what} is in use by ${who} (lock ${file})`, {
    hint: 'Wait for that process to finish (or stop it), then run the command again; a lock left by a process that is gone is taken over.',
  });
}
