import { describe, expect, it } from 'vitest';
import { checkpointMismatch } from './checkpoint-lineage.ts';

const identity = { streamName: 's', createdAt: '2026-01-10T10:00:00.000Z' };
const shard = { shardId: 'shardId-000000000000', startingSequence: '49000000000000000000000000000000000000000000000000000000' };
const inside = '49000000000000000000000000000000000000000000000000000123';
const checkpoint = (fields: Partial<Parameters<typeof checkpointMismatch>[0]> = {}) => ({
  sequenceNumber: inside, finished: false, streamCreatedAt: identity.createdAt, shardStart: shard.startingSequence, ...fields,
});

describe('checkpointMismatch', () => {
  it('accepts a checkpoint of this stream and shard', () => {
    expect(checkpointMismatch(checkpoint(), shard, identity)).toBeUndefined();
  });

  it('refuses a checkpoint saved on an earlier stream of the same name', () => {
    expect(checkpointMismatch(checkpoint({ streamCreatedAt: '2026-01-09T08:00:00.000Z' }), shard, identity)).toMatch(/stream created at 2026-01-09T08:00:00.000Z/);
  });

  it('refuses a checkpoint of an earlier shard with the same id (lineage), even with the same creation second', () => {
    expect(checkpointMismatch(checkpoint({ shardStart: '48000000000000000000000000000000000000000000000000000000' }), shard, identity)).toMatch(/earlier shardId-000000000000/);
  });

  it('checks checkpoints saved before identities were recorded by the shard range', () => {
    const legacy = { streamCreatedAt: null, shardStart: null };
    expect(checkpointMismatch(checkpoint(legacy), shard, identity)).toBeUndefined();
    expect(checkpointMismatch(checkpoint({ ...legacy, sequenceNumber: '48999999999999999999999999999999999999999999999999999999' }), shard, identity)).toMatch(/outside/);
    const closed = { ...shard, endingSequence: '49000000000000000000000000000000000000000000000000000100' };
    expect(checkpointMismatch(checkpoint(legacy), closed, identity)).toMatch(/outside/);
    expect(checkpointMismatch(checkpoint({ ...legacy, sequenceNumber: 'not-a-number' }), shard, identity)).toMatch(/cannot be compared/);
  });

  it('accepts a shard checkpointed before any record was read', () => {
    expect(checkpointMismatch(checkpoint({ sequenceNumber: null, finished: true }), shard, identity)).toBeUndefined();
  });
});
