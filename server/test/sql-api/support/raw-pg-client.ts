/**
 * A minimal protocol-level client for tests that must control every message (driver replays):
 * startup, SCRAM-SHA-256 (client side), then raw frontend messages and the backend frames read
 * back up to ReadyForQuery.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { splitBackendMessages, type BackendFrame } from '../../../src/api/sql/wire/frontend-builders.ts';

export class RawPgClient {
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  /** ParameterStatus values received at startup. */
  readonly parameters: Record<string, string> = {};

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  static async connect(port: number, user: string, password: string, database = 'db'): Promise<RawPgClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new RawPgClient(socket);
    const params = Buffer.from(`user\0${user}\0database\0${database}\0client_encoding\0UTF8\0\0`);
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8 + params.length, 0);
    startup.writeInt32BE(196608, 4);
    socket.write(Buffer.concat([startup, params]));
    await client.scram(password);
    return client;
  }

  private async scram(password: string): Promise<void> {
    const sasl = await this.nextFrame();
    if (sasl.type !== 'R' || sasl.body.readInt32BE(0) !== 10) throw new Error('expected AuthenticationSASL');
    const nonce = randomBytes(18).toString('base64');
    const clientFirstBare = `n=*,r=${nonce}`;
    const first = Buffer.from(`n,,${clientFirstBare}`);
    const mech = Buffer.from('SCRAM-SHA-256\0');
    const len = Buffer.alloc(4);
    len.writeInt32BE(first.length);
    this.write('p', Buffer.concat([mech, len, first]));
    const cont = await this.nextFrame();
    const serverFirst = cont.body.subarray(4).toString();
    const attrs = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
    const salted = pbkdf2Sync(password, Buffer.from(attrs.s!, 'base64'), Number(attrs.i), 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    const withoutProof = `c=biws,r=${attrs.r}`;
    const signature = createHmac('sha256', storedKey).update(`${clientFirstBare},${serverFirst},${withoutProof}`).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
    this.write('p', Buffer.from(`${withoutProof},p=${proof.toString('base64')}`));
    const frames = await this.readUntilReady();
    for (const f of frames) {
      if (f.type === 'E') throw new Error(`auth failed: ${f.body.toString()}`);
      if (f.type === 'S') {
        const [k, v] = f.body.toString('utf8').split('\0');
        this.parameters[k!] = v!;
      }
    }
  }

  private write(type: string, body: Buffer): void {
    const header = Buffer.alloc(5);
    header[0] = type.charCodeAt(0);
    header.writeInt32BE(4 + body.length, 1);
    this.socket.write(Buffer.concat([header, body]));
  }

  send(...messages: Buffer[]): void {
    this.socket.write(Buffer.concat(messages));
  }

  private async nextFrame(): Promise<BackendFrame> {
    for (;;) {
      if (this.buffer.length >= 5) {
        const len = this.buffer.readInt32BE(1);
        if (this.buffer.length >= 1 + len) {
          const [frame] = splitBackendMessages(this.buffer.subarray(0, 1 + len));
          this.buffer = this.buffer.subarray(1 + len);
          return { type: frame!.type, body: Buffer.from(frame!.body), raw: Buffer.from(frame!.raw) };
        }
      }
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for the server')), 20_000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Frames up to and including the next ReadyForQuery. */
  async readUntilReady(): Promise<BackendFrame[]> {
    const frames: BackendFrame[] = [];
    for (;;) {
      const f = await this.nextFrame();
      frames.push(f);
      if (f.type === 'Z') return frames;
    }
  }

  /** Waits for `n` frames (for Flush-driven exchanges without ReadyForQuery). */
  async readFrames(n: number): Promise<BackendFrame[]> {
    const frames: BackendFrame[] = [];
    while (frames.length < n) frames.push(await this.nextFrame());
    return frames;
  }

  /**
   * Frames until `stop` says enough, the server closes the connection, or `timeoutMs` passes
   * (for exchanges where the server may legitimately end the session or stay silent).
   */
  async readUntil(stop: (frames: readonly BackendFrame[]) => boolean, timeoutMs: number): Promise<{ frames: BackendFrame[]; closed: boolean }> {
    const frames: BackendFrame[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.buffer.length >= 5 && this.buffer.length >= 1 + this.buffer.readInt32BE(1)) {
        const len = this.buffer.readInt32BE(1);
        frames.push({ type: String.fromCharCode(this.buffer[0]!), body: Buffer.from(this.buffer.subarray(5, 1 + len)), raw: Buffer.from(this.buffer.subarray(0, 1 + len)) });
        this.buffer = this.buffer.subarray(1 + len);
        if (stop(frames)) return { frames, closed: false };
      }
      if (this.socket.destroyed || this.socket.readableEnded) return { frames, closed: true };
      const left = deadline - Date.now();
      if (left <= 0) return { frames, closed: false };
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.socket.off('close', done).off('end', done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.waiters.push(done);
        this.socket.once('close', done).once('end', done);
      });
    }
  }

  close(): void {
    this.socket.end(Buffer.from([0x58, 0, 0, 0, 4]));
  }

  /** Drops the connection without a Terminate message. */
  destroy(): void {
    this.socket.destroy();
  }
}
