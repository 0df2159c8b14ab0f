import { UserError } from '../errors/user-error.ts';
import { readStreamConfig } from '../lakehouse/stream/stream-config.ts';
import { runningServerFor, type RunningServerClient } from './running-server-client.ts';

/** Where `stream produce|consume` talk to Kinesis, and how messages name it. */
export interface StreamTarget {
  readonly streamName: string;
  readonly region: string;
  /** A kinesalite (or other Kinesis-compatible) URL; undefined means AWS Kinesis itself. */
  readonly endpoint?: string;
  readonly description: string;
  /** The running server whose local stream this is, when it is one. */
  readonly server?: RunningServerClient;
}

/** The stream options `stream produce` and `stream consume` share. */
export interface StreamTargetOptions {
  stream?: string;
  endpoint?: string;
  aws?: boolean;
}

/**
 * Picks the stream, in this order: `--endpoint`; `--aws` (AWS Kinesis in AWS_REGION, with the
 * SDK's credentials); KINESIS_ENDPOINT; the local stream of `npm start` running on this lakehouse
 * (its kinesalite, announced in <lakehouse-dir>/server.json). With none of them there is no stream
 * to talk to, which is said plainly (never a silent call to AWS).
 */
export function resolveStreamTarget(options: StreamTargetOptions, paths: { dir: string; duckdbPath: string }, purpose: 'produce' | 'consume' = 'produce'): StreamTarget {
  const env = readStreamConfig();
  if (options.endpoint && options.aws) throw new UserError('PIPELINE_INPUT', '--endpoint and --aws name two different streams; give one');
  const streamName = options.stream ?? env.streamName;
  if (options.endpoint) return { streamName, region: env.region, endpoint: options.endpoint, description: `Kinesis at ${options.endpoint}` };
  if (options.aws) return { streamName, region: env.region, description: `AWS Kinesis in ${env.region}` };
  if (env.endpoint) return { streamName, region: env.region, endpoint: env.endpoint, description: `Kinesis at ${env.endpoint} (KINESIS_ENDPOINT)` };
  const server = runningServerFor(paths.dir, paths.duckdbPath);
  if (server?.server.stream) {
    const { endpoint, streamName: serverStream } = server.server.stream;
    return { streamName: options.stream ?? serverStream, region: env.region, endpoint, server, description: `the local stream of ${server.description} at ${endpoint}` };
  }
  throw new UserError('SOURCE_UNREACHABLE', server
    ? `${server.description} runs without its local stream (LAKEHOUSE_STREAMING=false or KINESIS_ENDPOINT set there), so there is no local stream to use`
    : `No local stream: no server runs on ${paths.dir} (npm start runs the local Kinesis and announces it in ${paths.dir}/server.json)`, {
    hint: purpose === 'produce'
      ? 'Start `npm start` on this lakehouse folder, or pass --endpoint <kinesalite URL>, or --aws for the AWS Kinesis stream (credentials from the environment).'
      : 'Pass --endpoint <kinesalite URL>, or --aws for the AWS Kinesis stream (credentials from the environment); the local stream of `npm start` is consumed by the server itself.',
  });
}
