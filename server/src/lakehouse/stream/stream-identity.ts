import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';

/**
 * Which stream a checkpoint belongs to. A stream deleted and created again under the same name is
 * another stream: its shards reuse the old shard ids but start new sequence numbers, so a saved
 * sequence number means nothing there (Kinesis refuses it: "did not come from this stream").
 * The name and the creation time tell the two apart; each shard's starting sequence number (its
 * lineage, checkpoint-lineage.ts) tells them apart even when the creation times round to the same
 * second.
 */
export interface StreamIdentity {
  readonly streamName: string;
  /** StreamCreationTimestamp as an ISO string. */
  readonly createdAt: string;
  readonly arn?: string;
}

/** The identity of the stream as it exists now (DescribeStreamSummary). */
export async function describeStreamIdentity(client: KinesisClient, streamName: string): Promise<StreamIdentity> {
  const summary = (await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary;
  const created = summary?.StreamCreationTimestamp;
  return {
    streamName,
    createdAt: created ? new Date(created).toISOString() : '',
    ...(summary?.StreamARN ? { arn: summary.StreamARN } : {}),
  };
}
