/**
 * One client connection: SSL negotiation, startup and authentication, then the simple and
 * extended query protocols. Messages are handled strictly one after another and every answer is
 * queued in order (Cube's issue #10013 came from answering out of order); output is flushed at
 * ReadyForQuery, Flush, or when it grows large.
 * https://www.postgresql.org/docs/current/protocol-flow.html
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { AuthFailure, Authenticator } from './authenticate.ts';
import { isUserError } from '../../errors/user-error.ts';
import type { CheckSqlAuth, SqlAuthMethod } from './auth/sql-auth-types.ts';
import type { RequestContext, SecurityContext } from '../../engine/engine-types.ts';
import type { CatalogLease } from './catalog/model-catalogs.ts';
import { executeStatement, type ExecutionDeps } from './execute-statement.ts';
import { ExtendedProtocol } from './extended-protocol.ts';
import { errorFields } from './error-fields.ts';
import { displayName, REPORTED_SETTINGS, SessionState } from './session/session-state.ts';
import { classifyStatement, splitStatements } from './translate/classify-statement.ts';
import * as msg from './wire/backend-messages.ts';
import { rowCountOf, rowRange } from './wire/encode-rows.ts';
import { PROTOCOL_3_0, readQuery, readStartupPacket } from './wire/frontend-messages.ts';
import { MessageFramer, type FrontendFrame } from './wire/message-framer.ts';

/** Everything a connection needs from its server. */
export interface ConnectionDeps extends Omit<ExecutionDeps, 'catalog' | 'findTable'> {
  readonly checkSqlAuth: CheckSqlAuth;
  /** The tables and catalog this caller may see, chosen once authentication gives a security context. */
  readonly acquireCatalog: (ctx: RequestContext) => Promise<CatalogLease>;
  readonly authMethod: SqlAuthMethod;
  readonly tls?: SecureContext;
  readonly cancels: Map<number, { secretKey: number; cancel: () => void }>;
  readonly onInternalError: (error: unknown) => void;
  /** Called once when the connection ends, however it ends. */
  readonly onClose?: () => void;
}

/** What an authenticated connection runs statements with. */
export type SessionDeps = ConnectionDeps & ExecutionDeps;

const FLUSH_BYTES = 256 * 1024;
/** Messages below this size are copied together into one write; larger ones are written as they are. */
const SMALL_BYTES = 8 * 1024;

export class PgConnection {
  private socket: Socket;
  private readonly framer = new MessageFramer();
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
    this.attach(socket);
  }

  private attach(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.framer.push(chunk);
      void this.pump();
    });
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.current?.abort();
    this.deps.cancels.delete(this.processId);
    this.socket.destroy();
    this.releaseCatalog?.();
    this.deps.onClose?.();
  }

  private async pump(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    try {
      for (let frame = this.framer.next(); frame && !this.closed; frame = this.framer.next()) {
        await this.handle(frame);
        if (this.outputBytes > FLUSH_BYTES) await this.flush();
      }
      await this.flush();
    } catch (error) {
      this.fatal('08P01', error instanceof Error ? error.message : String(error));
    } finally {
      this.busy = false;
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
    this.send(msg.errorResponse({ severity: 'FATAL', code, message }));
    void this.flush().finally(() => this.close());
  }

  private async handle(frame: FrontendFrame): Promise<void> {
    if (this.framer.startupPhase) return this.handleStartup(frame);
    if (this.auth) return this.handleAuth(frame);
    switch (frame.type) {
      case 'Q':
        return this.simpleQuery(readQuery(frame.body));
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
      default:
        this.send(msg.errorResponse({ severity: 'ERROR', code: '08P01', message: `unsupported frontend message type '${frame.type}'` }));
        this.send(msg.readyForQuery(this.session!.transactionStatus));
    }
  }

  private async handleStartup(frame: FrontendFrame): Promise<void> {
    const packet = readStartupPacket(frame.body);
    if (packet.kind === 'ssl') {
      if (!this.deps.tls || this.encrypted) return void this.socket.write(msg.sslRefused());
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
    this.framer.startupPhase = false;
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
    } catch (e) {
      if (e instanceof AuthFailure) return this.fatal(e.sqlState, e.message);
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
