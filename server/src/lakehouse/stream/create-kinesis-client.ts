import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { StreamConfig } from './stream-config.ts';

/**
 * A Kinesis client on the HTTP/1.1 handler: kinesalite speaks HTTP/1.1 only, and the same handler
 * works against AWS. A local endpoint gets dummy credentials (kinesalite does not check them);
 * without an endpoint the SDK's default credential chain applies.
 */
export function createKinesisClient(config: Pick<StreamConfig, 'region' | 'endpoint'>): KinesisClient {
  const local = config.endpoint !== undefined;
  return new KinesisClient({
    region: config.region,
    endpoint: config.endpoint,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }),
    maxAttempts: 5,
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}
