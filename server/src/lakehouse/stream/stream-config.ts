import { UserError } from '../../errors/user-error.ts';

/** Where a consumer starts reading a shard it holds no valid checkpoint for (Kinesis iterator types). */
export type InitialPosition = 'TRIM_HORIZON' | 'LATEST';

/**
 * Where the event stream lives. Locally `endpoint` points at kinesalite; against AWS it is left
 * undefined and the SDK resolves the regional endpoint and credentials from the environment.
 */
export interface StreamConfig {
  readonly streamName: string;
  readonly region: string;
  readonly endpoint?: string;
  /**
   * Start of a shard without a checkpoint (a new stream, or one recreated since the checkpoint
   * was saved): TRIM_HORIZON (default: everything the stream still retains, nothing lost) or
   * LATEST (only what arrives from now on). Children of a split or merge always start at
   * TRIM_HORIZON once their parents are read, whatever this says.
   */
  readonly initialPosition: InitialPosition;
}

const POSITIONS: readonly InitialPosition[] = ['TRIM_HORIZON', 'LATEST'];

/**
 * Reads KINESIS_ENDPOINT, KINESIS_STREAM_NAME, KINESIS_INITIAL_POSITION and AWS_REGION; the
 * defaults suit the local stack.
 */
export function readStreamConfig(env: NodeJS.ProcessEnv = process.env): StreamConfig {
  const position = (env.KINESIS_INITIAL_POSITION || 'TRIM_HORIZON').toUpperCase();
  if (!POSITIONS.includes(position as InitialPosition)) {
    throw new UserError('CONFIG_INVALID', `KINESIS_INITIAL_POSITION must be TRIM_HORIZON or LATEST, got "${env.KINESIS_INITIAL_POSITION}"`);
  }
  return {
    streamName: env.KINESIS_STREAM_NAME || 'ecommerce-events',
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    endpoint: env.KINESIS_ENDPOINT || undefined,
    initialPosition: position as InitialPosition,
  };
}

/** Settings of the in-process streaming stack of `npm start` (lakehouse/stream/start-local-streaming.ts). */
export interface LocalStreamingSettings {
  /** LAKEHOUSE_STREAMING=false turns the real-time path off. */
  readonly enabled: boolean;
  /** LAKEHOUSE_STREAM_RATE: events per second of the synthetic producer (default 5); 0 turns it off. */
  readonly ratePerSecond: number;
  /** LAKEHOUSE_STREAM_MAX_LAG_SECONDS: /readyz reports not ready past this consumer lag (default 60). */
  readonly maxLagMs: number;
}

/** Reads the LAKEHOUSE_STREAM* variables; a malformed value is a configuration error, not a default. */
export function readLocalStreamingSettings(env: NodeJS.ProcessEnv = process.env): LocalStreamingSettings {
  return {
    enabled: env.LAKEHOUSE_STREAMING !== 'false',
    ratePerSecond: nonNegative(env, 'LAKEHOUSE_STREAM_RATE', 5, 'a number of events per second (0 turns the producer off)'),
    maxLagMs: nonNegative(env, 'LAKEHOUSE_STREAM_MAX_LAG_SECONDS', 60, 'a number of seconds') * 1000,
  };
}

function nonNegative(env: NodeJS.ProcessEnv, name: string, fallback: number, what: string): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new UserError('CONFIG_INVALID', `${name} must be ${what}, got "${raw}"`);
  return value;
}
