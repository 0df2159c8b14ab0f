import { Command } from 'commander';
import { streamConsumeCommand } from './stream-consume.ts';
import { streamProduceCommand } from './stream-produce.ts';

/** `stream`: the group of `stream produce` and `stream consume` (one file per command). */
export function streamCommand(): Command {
  return new Command('stream')
    .description('site/app events through Kinesis (kinesalite locally) into bronze.events and the real-time gold tables')
    .addCommand(streamProduceCommand().exitOverride())
    .addCommand(streamConsumeCommand().exitOverride());
}
