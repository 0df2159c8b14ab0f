/**
 * DataRow messages of a result read chunk by chunk (an Import of a whole fact table): each chunk is
 * encoded as it arrives and handed to the connection, which writes it and waits for the socket to
 * drain before asking for the next, so memory stays bounded by a few chunks whatever the row count.
 * Execute with a row limit takes rows from the current chunk and suspends the portal in between.
 */
import { encodeRows, type EncodedRows } from './encode-rows.ts';

/** Columnar chunks as the engine streams them. */
export type ColumnarChunks = AsyncIterable<{ readonly data: readonly (readonly unknown[])[]; readonly rowCount: number }>;

export class StreamedRows {
  private readonly iterator: AsyncIterator<{ readonly data: readonly (readonly unknown[])[]; readonly rowCount: number }>;
  private current?: EncodedRows;
  private position = 0;
  private done = false;
  /** Rows handed out so far (the command tag's count once `isDone`). */
  sent = 0;

  constructor(
    chunks: ColumnarChunks,
    private readonly oids: readonly number[],
    private readonly formats: readonly number[],
  ) {
    this.iterator = chunks[Symbol.asyncIterator]();
  }

  get isDone(): boolean {
    return this.done;
  }

  /**
   * The DataRow messages of up to `maxRows` further rows (0: all that are left of the next chunk);
   * an empty list once every row was handed out.
   */
  async next(maxRows = 0): Promise<readonly Buffer[]> {
    while (!this.current || this.position >= this.current.count) {
      if (this.done) return [];
      const step = await this.iterator.next();
      if (step.done) {
        this.done = true;
        this.current = undefined;
        return [];
      }
      this.current = encodeRows(step.value.data, this.oids, this.formats, step.value.rowCount);
      this.position = 0;
    }
    const end = maxRows > 0 ? Math.min(this.current.count, this.position + maxRows) : this.current.count;
    const parts = this.current.range(this.position, end);
    this.sent += end - this.position;
    this.position = end;
    return parts;
  }

  /** Whether rows remain (reads ahead to the next chunk when the current one is used up). */
  async hasMore(): Promise<boolean> {
    if (this.current && this.position < this.current.count) return true;
    if (this.done) return false;
    const step = await this.iterator.next();
    if (step.done) {
      this.done = true;
      return false;
    }
    this.current = encodeRows(step.value.data, this.oids, this.formats, step.value.rowCount);
    this.position = 0;
    return this.current.count > 0 || this.hasMore();
  }

  /** Ends the underlying query early (portal closed, transaction ended, client gone). */
  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.iterator.return?.();
  }
}
