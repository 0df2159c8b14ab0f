import cliProgress from 'cli-progress';

/** Reports progress of long steps: a bar per step on a terminal, one line per update otherwise. */
export interface ProgressReporter {
  update(step: string, detail: string, done: number, total: number): void;
  stop(): void;
}

/** Bars go to stderr so stdout stays clean for reports and pipes. */
export function createProgressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (!stream.isTTY) {
    let last = '';
    return {
      update(step, detail) {
        const line = `${step}: ${detail}`;
        if (line !== last) stream.write(`${line}\n`);
        last = line;
      },
      stop() {},
    };
  }
  let bar: cliProgress.SingleBar | null = null;
  let current = '';
  return {
    update(step, detail, done, total) {
      if (step !== current) {
        bar?.stop();
        bar = new cliProgress.SingleBar({ stream, format: `${step.padEnd(10)} [{bar}] {value}/{total} {detail}`, hideCursor: true },
          cliProgress.Presets.shades_classic);
        bar.start(total, done, { detail });
        current = step;
      } else {
        bar?.setTotal(total);
        bar?.update(done, { detail });
      }
    },
    stop() {
      bar?.stop();
      bar = null;
      current = '';
    },
  };
}
