/**
 * Where the event stream lives. Locally `endpoint` points at kinesalite; against AWS it is left
 * undefined and the SDK resolves the regional endpoint and credentials from the environment.
 */
export interface StreamConfig {
  readonly streamName: string;
  readonly region: string;
  readonly endpoint?: string;
}

/** Reads KINESIS_ENDPOINT, KINESIS_STREAM_NAME and AWS_REGION; the defaults suit the local stack. */
export function readStreamConfig(env: NodeJS.ProcessEnv = process.env): StreamConfig {
  return {
    streamName: env.KINESIS_STREAM_NAME || 'ecommerce-events',
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    endpoint: env.KINESIS_ENDPOINT || undefined,
  };
}
