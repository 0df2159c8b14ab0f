import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamEvent } from './event-types.ts';

// PutRecords limits: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
const MAX_RECORDS_PER_CALL = 500;
const MAX_BYTES_PER_CALL = 5 * 1024 * 1024;
const MAX_BYTES_PER_RECORD = 1024 * 1024;

/** One record to put: raw bytes (normally an event's JSON), its partition key and a label for tracking. */
export interface OutgoingRecord {
  readonly id: string;
  readonly data: Uint8Array;
  readonly partitionKey: string;
}

/** What one `send` achieved: ids acknowledged by Kinesis and ids given up after the retries. */
export interface SendResult {
  readonly acknowledged: readonly string[];
  readonly failed: readonly { readonly id: string; readonly errorCode: string }[];
}

/** Producer settings; the backoff doubles from `baseBackoffMs` up to `maxBackoffMs`, with jitter. */
export interface EventProducerOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  readonly maxAttempts?: number;
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Keep every acknowledged id in `acknowledged` (tests compare it with bronze). */
  readonly recordAcknowledged?: boolean;
  /** Called after a call that stored records (an in-process consumer wakes up on it). */
  readonly onAcknowledged?: () => void;
}

/**
 * Writes events with PutRecords in calls of at most 500 records / 5 MB, partition key = session id
 * (so a session's events stay ordered on one shard). Records the service rejects one by one
 * (ErrorCode ProvisionedThroughputExceededException or InternalFailure) are retried alone with
 * exponential backoff; a call that fails as a whole is retried the same way.
 */
export class EventProducer {
  readonly acknowledged = new Set<string>();
  private readonly options: Required<Omit<EventProducerOptions, 'client' | 'streamName' | 'onAcknowledged'>> & EventProducerOptions;

  constructor(options: EventProducerOptions) {
    this.options = { maxAttempts: 8, baseBackoffMs: 50, maxBackoffMs: 2_000, recordAcknowledged: true, ...options };
  }

  /** Sends events encoded as JSON lines keyed by session id. */
  send(events: readonly StreamEvent[]): Promise<SendResult> {
    return this.sendRecords(events.map(encodeEvent));
  }

  /** Sends raw records (also used to inject malformed data in tests). */
  async sendRecords(records: readonly OutgoingRecord[]): Promise<SendResult> {
    const acknowledged: string[] = [];
    const failed: { id: string; errorCode: string }[] = [];
    for (const chunk of chunkRecords(records)) {
      const result = await this.putWithRetry(chunk);
      acknowledged.push(...result.acknowledged);
      failed.push(...result.failed);
    }
    if (this.options.recordAcknowledged) for (const id of acknowledged) this.acknowledged.add(id);
    if (acknowledged.length > 0) this.options.onAcknowledged?.();
    return { acknowledged, failed };
  }

  private async putWithRetry(chunk: readonly OutgoingRecord[]): Promise<SendResult> {
    const acknowledged: string[] = [];
    let pending = chunk;
    let lastErrors = new Map<string, string>();
    for (let attempt = 0; attempt < this.options.maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(this.backoff(attempt));
      const entries: PutRecordsRequestEntry[] = pending.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey }));
      let response;
      try {
        response = await this.options.client.send(new PutRecordsCommand({ StreamName: this.options.streamName, Records: entries }));
      } catch (error) {
        lastErrors = new Map(pending.map((r) => [r.id, errorName(error)]));
        continue;
      }
      const retry: OutgoingRecord[] = [];
      lastErrors = new Map();
      (response.Records ?? []).forEach((result, i) => {
        const record = pending[i]!;
        if (result.ErrorCode) {
          retry.push(record);
          lastErrors.set(record.id, result.ErrorCode);
        } else acknowledged.push(record.id);
      });
      pending = retry;
    }
    return { acknowledged, failed: pending.map((r) => ({ id: r.id, errorCode: lastErrors.get(r.id) ?? 'Unknown' })) };
  }

  private backoff(attempt: number): number {
    const cap = Math.min(this.options.maxBackoffMs, this.options.baseBackoffMs * 2 ** (attempt - 1));
    return cap / 2 + Math.random() * (cap / 2);
  }
}

/** The wire form of an event: compact JSON, partitioned by session. */
export function encodeEvent(event: StreamEvent): OutgoingRecord {
  return { id: event.event_id, data: Buffer.from(JSON.stringify(event)), partitionKey: event.session_id };
}

/** Splits records into PutRecords calls that respect the count and size limits. */
export function chunkRecords(records: readonly OutgoingRecord[]): OutgoingRecord[][] {
  const chunks: OutgoingRecord[][] = [];
  let current: OutgoingRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.data.byteLength + Buffer.byteLength(record.partitionKey);
    if (size > MAX_BYTES_PER_RECORD) throw new RangeError(`record ${record.id} is ${size} bytes; Kinesis accepts at most 1 MiB`);
    if (current.length === MAX_RECORDS_PER_CALL || bytes + size > MAX_BYTES_PER_CALL) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}
