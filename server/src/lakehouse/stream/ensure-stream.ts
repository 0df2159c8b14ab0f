import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { setTimeout as sleep } from 'node:timers/promises';

/** Creates the stream when it does not exist and waits until it is ACTIVE. */
export async function ensureStream(client: KinesisClient, streamName: string, shardCount = 2): Promise<void> {
  try {
    await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitForStreamActive(client, streamName);
}

/** Polls until the stream is ACTIVE (after creation or a reshard). */
export async function waitForStreamActive(client: KinesisClient, streamName: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
      if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    if (Date.now() > deadline) throw new Error(`Kinesis stream ${streamName} did not become ACTIVE within ${timeoutMs} ms`);
    await sleep(20);
  }
}
