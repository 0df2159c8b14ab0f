/**
 * One client connection: SSL negotiation, startup and authentication, then the simple and
 * extended query protocols. Messages are handled strictly one after another and every answer is
 * queued in order (Cube's issue #10013 came from answering out of order); output is flushed at
 * ReadyForQuery, Flush, or when it grows large.
 * https://www.postgresql.org/docs/current/protocol-flow.html
 *
 * Protocol errors follow postgres.c: a bad header (unknown type, length out of bounds) or any
 * malformed message before login ends the connection with a FATAL ErrorResponse; a malformed
 * message after login (truncated Bind, bad Describe target…) gets an ERROR and the session goes
 * on. The socket is read only as fast as the framer has room, and a connection that has not
 * authenticated within `authTimeoutMs` is closed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { AuthFailure, Authenticator } from './authenticate.ts';
import { isUserError } from '../../errors/user-error.ts';
import type { RequestContext, SecurityContext } from '../../engine/engine-types.ts';
import type { ConnectionDeps, SessionDeps } from './connection-deps.ts';
import { executeStatement } from './execute-statement.ts';
import { ExtendedProtocol } from './extended-protocol.ts';
import { errorFields } from './error-fields.ts';
import { displayName, REPORTED_SETTINGS, SessionState } from './session/session-state.ts';
import { classifyStatement, splitStatements } from './translate/classify-statement.ts';
import * as msg from './wire/backend-messages.ts';
import { rowCountOf, rowRange } from './wire/encode-rows.ts';
import { StreamedRows } from './wire/streamed-rows.ts';
import { PROTOCOL_3_0, readQuery, readStartupPacket } from './wire/frontend-messages.ts';
import { MessageFramer, type FrontendFrame } from './wire/message-framer.ts';
import { describeType, WireError } from './wire/wire-error.ts';

const FLUSH_BYTES = 256 * 1024;
/** Messages below this size are copied together into one write; larger ones are written as they are. */
const SMALL_BYTES = 8 * 1024;
/** How long a closing connection waits for the client to read its last error before dropping it. */
const CLOSE_GRACE_MS = 1000;

export class PgConnection {
  private socket: Socket;
  private readonly framer: MessageFramer;
  private authTimer?: NodeJS.Timeout;
  private authenticated = false;
  private output: Buffer[] = [];
  private outputBytes = 0;
  private busy = false;
  private closed = false;
  private encrypted = false;
  private auth?: Authenticator;
  private startupParams: Record<string, string> = {};
  session?: SessionState;
  private extended?: ExtendedProtocol;
  private readonly processId = randomBytes(4).readInt32BE(0) & 0x7fffffff;
  private readonly secretKey = randomBytes(4).readInt32BE(0);
  private current?: AbortController;

  private readonly deps: ConnectionDeps;
  /** Set once authenticated: the deps plus the catalog of this caller. */
  private sessionDeps?: SessionDeps;
  private releaseCatalog?: () => void;

  constructor(socket: Socket, deps: ConnectionDeps) {
    this.deps = { ...deps, processId: this.processId };
    this.socket = socket;
    this.framer = new MessageFramer(deps.maxMessageBytes);
    this.authTimer = setTimeout(() => this.authTimedOut(), deps.authTimeoutMs);
    this.authTimer.unref();
    this.attach(socket);
  }

  /** The most bytes this connection's framer ever held (at most one message of the largest allowed size). */
  get peakBufferedBytes(): number {
    return this.framer.peakBufferedBytes;
  }

  private attach(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(socket, chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  /**
   * Gives the framer what it has room for; the rest goes back to the socket, which stays paused
   * until the pending messages are handled (then TCP flow control holds the client back).
   */
  private receive(socket: Socket, chunk: Buffer): void {
    if (this.closed) return;
    const room = this.framer.room;
    if (chunk.length > room) {
      socket.pause();
      socket.unshift(chunk.subarray(room));
      chunk = chunk.subarray(0, room);
    }
    this.framer.push(chunk);
    void this.pump();
  }

  /** `graceful`: send what is queued (a FATAL error), then end the socket; otherwise drop it now. */
  private close(graceful = false): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.authTimer);
    this.current?.abort();
    this.deps.cancels.delete(this.processId);
    const socket = this.socket;
    if (graceful && !socket.destroyed) {
      socket.end(Buffer.concat(this.output));
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
    } else socket.destroy();
    this.output = [];
    this.outputBytes = 0;
    this.session?.dropPortals();
    this.releaseCatalog?.();
    this.deps.onClose?.();
  }

  private authTimedOut(): void {
    if (this.authenticated || this.closed) return;
    this.fatal('08P01', `canceling authentication due to timeout: the login did not complete within ${this.deps.authTimeoutMs / 1000} s`);
  }

  private async pump(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    try {
      while (!this.closed) {
        let frame = this.framer.next();
        if (!frame) {
          await this.flush();
          // Bytes may have arrived while flushing: look again before giving the socket back.
          frame = this.closed ? undefined : this.framer.next();
          if (!frame) break;
        }
        await this.handle(frame);
        if (this.outputBytes > FLUSH_BYTES) await this.flush();
      }
    } catch (error) {
      if (error instanceof WireError) this.fatal(error.sqlState, error.message);
      else {
        this.deps.onInternalError(error);
        this.fatal('XX000', 'internal error in the SQL API (logged on the server)');
      }
    } finally {
      this.busy = false;
      if (!this.closed && this.socket.isPaused()) this.socket.resume();
    }
  }

  send(...messages: Buffer[]): void {
    for (const m of messages) {
      this.output.push(m);
      this.outputBytes += m.length;
    }
  }

  /**
   * Writes the queued messages: runs of small ones concatenated, large ones (chunks of encoded
   * rows) as they are, all under one cork so they leave in as few syscalls as possible; waits
   * for 'drain' when the socket's buffer is over its high-water mark.
   */
  async flush(): Promise<void> {
    if (this.output.length === 0 || this.closed) return;
    const parts = this.output;
    this.output = [];
    this.outputBytes = 0;
    const socket = this.socket;
    if (parts.length === 1) socket.write(parts[0]!);
    else {
      socket.cork();
      for (let i = 0; i < parts.length; ) {
        if (parts[i]!.length >= SMALL_BYTES) {
          socket.write(parts[i++]!);
          continue;
        }
        let j = i;
        let bytes = 0;
        while (j < parts.length && parts[j]!.length < SMALL_BYTES) bytes += parts[j++]!.length;
        socket.write(j - i === 1 ? parts[i]! : Buffer.concat(parts.slice(i, j), bytes));
        i = j;
      }
      socket.uncork();
    }
    if (socket.writableNeedDrain && !this.closed) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          socket.off('drain', done).off('close', done);
          resolve();
        };
        socket.on('drain', done).on('close', done);
      });
    }
  }

  private fatal(code: string, message: string): void {
    if (this.closed) return;
    this.send(msg.errorResponse({ severity: 'FATAL', code, message }));
    this.close(true);
  }

  private async handle(frame: FrontendFrame): Promise<void> {
    if (this.framer.phase === 'startup') return this.handleStartup(frame);
    if (this.auth) return this.handleAuth(frame);
    switch (frame.type) {
      case 'Q': {
        let text: string;
        try {
          text = readQuery(frame.body);
        } catch (e) {
          this.send(msg.errorResponse(errorFields(e, this.deps.onInternalError)), msg.readyForQuery(this.session!.transactionStatus));
          return;
        }
        return this.simpleQuery(text);
      }
      case 'X':
        await this.flush();
        return this.close();
      case 'P':
      case 'B':
      case 'D':
      case 'E':
      case 'C':
      case 'S':
      case 'H':
        return this.extended!.handle(frame);
      case 'F':
        this.send(msg.errorResponse({ severity: 'ERROR', code: '0A000', message: 'the function call protocol (FunctionCall message) is not supported' }));
        this.send(msg.readyForQuery(this.session!.transactionStatus));
        return;
      case 'd':
      case 'c':
      case 'f':
        // CopyData/CopyDone/CopyFail outside COPY: ignored, as Postgres does (a COPY that failed earlier).
        return;
      default:
        // The framer admits only the types above; anything else means the stream is out of sync.
        throw new WireError('08P01', `invalid frontend message type ${describeType(frame.type.charCodeAt(0))}`);
    }
  }

  private async handleStartup(frame: FrontendFrame): Promise<void> {
    const packet = readStartupPacket(frame.body);
    if (packet.kind === 'ssl') {
      if (!this.deps.tls || this.encrypted) return void this.socket.write(msg.sslRefused());
      // Bytes sent after SSLRequest but before the handshake would be read as if encrypted (CVE-2021-23214).
      if (this.framer.bufferedBytes > 0) return this.fatal('08P01', 'received unencrypted data after SSL request');
      this.socket.write(msg.sslAccepted());
      this.socket.removeAllListeners('data');
      this.socket.removeAllListeners('close');
      this.socket.removeAllListeners('error');
      const secure = new TLSSocket(this.socket, { isServer: true, secureContext: this.deps.tls });
      this.socket = secure;
      this.encrypted = true;
      this.attach(secure);
      return;
    }
    if (packet.kind === 'gssenc') return void this.socket.write(msg.sslRefused());
    if (packet.kind === 'cancel') {
      const target = this.deps.cancels.get(packet.processId);
      if (target && target.secretKey === packet.secretKey) target.cancel();
      return this.close();
    }
    if (packet.version !== PROTOCOL_3_0) return this.fatal('0A000', `unsupported frontend protocol ${packet.version >> 16}.${packet.version & 0xffff}`);
    const user = packet.parameters.user;
    if (!user) return this.fatal('28000', 'no PostgreSQL user name specified in startup packet');
    this.startupParams = { ...packet.parameters };
    this.framer.phase = 'auth';
    try {
      const auth = new Authenticator(this.deps.authMethod, this.deps.checkSqlAuth, user, packet.parameters.database ?? user, this.encrypted);
      this.auth = auth;
      if (this.deps.authMethod === 'trust') return await this.finishAuth(() => auth.trust());
      this.send(auth.start());
    } catch (e) {
      if (e instanceof AuthFailure) return this.fatal(e.sqlState, e.message);
      throw e;
    }
  }

  private async handleAuth(frame: FrontendFrame): Promise<void> {
    if (frame.type !== 'p') return this.fatal('08P01', `expected password response, got message type '${frame.type}'`);
    const auth = this.auth!;
    return this.finishAuth(() => auth.onMessage(frame.body));
  }

  /** Runs one authentication step; when it yields a security context, completes the startup. */
  private async finishAuth(step: () => Promise<{ reply: Buffer[]; securityContext?: SecurityContext }>): Promise<void> {
    try {
      const { reply, securityContext } = await step();
      this.send(...reply);
      if (!securityContext) return;
      this.auth = undefined;
      this.authenticated = true;
      clearTimeout(this.authTimer);
      this.deps.onAuthenticated?.();
      const lease = await this.deps.acquireCatalog({ securityContext, requestId: randomUUID(), api: 'sql' });
      if (this.closed) return lease.release();
      this.releaseCatalog = lease.release;
      const deps: SessionDeps = { ...this.deps, catalog: lease.catalog.catalog, findTable: lease.catalog.findTable };
      this.sessionDeps = deps;
      const user = this.startupParams.user!;
      this.session = new SessionState(user, this.startupParams.database ?? user, securityContext, this.startupParams);
      this.extended = new ExtendedProtocol(this, deps, () => this.requestContext());
      this.deps.cancels.set(this.processId, { secretKey: this.secretKey, cancel: () => this.current?.abort() });
      this.send(msg.authenticationOk());
      for (const key of REPORTED_SETTINGS) this.send(msg.parameterStatus(displayName(key), this.session.settings.get(key) ?? ''));
      this.send(msg.backendKeyData(this.processId, this.secretKey), msg.readyForQuery('I'));
      this.framer.phase = 'query';
    } catch (e) {
      if (e instanceof AuthFailure) return this.fatal(e.sqlState, e.message);
      if (e instanceof WireError) return this.fatal(e.sqlState, e.message);
      // e.g. contextToGroups refusing the security context: its UserError keeps its SQLSTATE.
      if (isUserError(e)) return this.fatal(e.sqlState, e.message);
      this.deps.onInternalError(e);
      return this.fatal('XX000', 'authentication failed: internal error');
    }
  }

  /** A RequestContext for one statement, with an AbortController a CancelRequest can trip. */
  requestContext() {
    this.current = new AbortController();
    return { securityContext: this.session!.securityContext, requestId: randomUUID(), api: 'sql' as const, signal: this.current.signal };
  }

  /** Writes a streamed result chunk by chunk, waiting for the socket to drain, then its CommandComplete. */
  private async sendStreamed(rows: StreamedRows): Promise<void> {
    try {
      for (let parts = await rows.next(); parts.length > 0 && !this.closed; parts = await rows.next()) {
        for (const part of parts) this.send(part);
        if (this.outputBytes > FLUSH_BYTES) await this.flush();
      }
    } finally {
      await rows.close();
    }
    this.send(msg.commandComplete(`SELECT ${rows.sent}`));
  }

  private async simpleQuery(text: string): Promise<void> {
    const session = this.session!;
    let statements;
    try {
      statements = splitStatements(text);
    } catch (e) {
      this.send(msg.errorResponse(errorFields(e, this.deps.onInternalError)), msg.readyForQuery(session.transactionStatus));
      return;
    }
    if (statements.length === 0) this.send(msg.emptyQueryResponse());
    for (const split of statements) {
      try {
        const deps = this.sessionDeps!;
        const statement = classifyStatement(split, (schema, name) => deps.findTable(schema, name) !== undefined);
        const result = await executeStatement(deps, session, { statement, paramTypes: [], rawParams: [], paramFormats: [], params: [], resultFormats: [] }, this.requestContext());
        if (statement.kind === 'empty') {
          this.send(msg.emptyQueryResponse());
          continue;
        }
        if (result.fields) this.send(msg.rowDescription(result.fields));
        if (result.rows instanceof StreamedRows) {
          await this.sendStreamed(result.rows);
          continue;
        }
        for (const part of rowRange(result.rows, 0, rowCountOf(result.rows))) {
          this.send(part);
          if (this.outputBytes > FLUSH_BYTES) await this.flush();
        }
        this.send(msg.commandComplete(result.tag), ...(result.after ?? []));
      } catch (e) {
        this.send(msg.errorResponse(errorFields(e, this.deps.onInternalError)));
        if (session.transactionStatus === 'T') session.transactionStatus = 'E';
        break;
      }
    }
    this.send(msg.readyForQuery(session.transactionStatus));
  }
}
