/**
 * The extended query protocol: Parse, Bind, Describe, Execute, Close, Sync, Flush.
 * Each message gets its own answer in order; after an error everything up to Sync is skipped,
 * then ReadyForQuery reports the transaction status.
 * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY
 */
import type { RequestContext } from '../../engine/engine-types.ts';
import { errorFields } from './error-fields.ts';
import { executeStatement } from './execute-statement.ts';
import type { SessionDeps } from './connection-deps.ts';
import { SqlStateError } from './session/session-commands.ts';
import type { SessionState } from './session/session-state.ts';
import type { Portal, PreparedStatement, StatementResult } from './session/statement-types.ts';
import { classifyStatement, splitStatements, type ClassifiedStatement } from './translate/classify-statement.ts';
import * as msg from './wire/backend-messages.ts';
import { decodeParam } from './wire/decode-param.ts';
import { rowCountOf, rowRange } from './wire/encode-rows.ts';
import { StreamedRows } from './wire/streamed-rows.ts';
import { readBind, readEmpty, readExecute, readParse, readTarget } from './wire/frontend-messages.ts';
import type { FrontendFrame } from './wire/message-framer.ts';
import { OID } from './wire/pg-types.ts';
import { protocolViolation } from './wire/wire-error.ts';

/** The part of a connection the extended protocol writes to. */
export interface ProtocolOutput {
  send(...messages: Buffer[]): void;
  flush(): Promise<void>;
  readonly session?: SessionState;
}

export class ExtendedProtocol {
  private skipUntilSync = false;

  constructor(
    private readonly out: ProtocolOutput,
    private readonly deps: SessionDeps,
    private readonly requestContext: () => RequestContext,
  ) {}

  private get session(): SessionState {
    return this.out.session!;
  }

  async handle(frame: FrontendFrame): Promise<void> {
    if (frame.type === 'S') {
      this.skipUntilSync = false;
      this.session.dropPortal('');
      // A Sync with a body is answered like Postgres: the error, then ReadyForQuery all the same.
      this.guard(() => readEmpty(frame.body, 'Sync'));
      this.out.send(msg.readyForQuery(this.session.transactionStatus));
      return;
    }
    if (frame.type === 'H') {
      // Flush sends what is queued even while skipping to Sync, so a client waiting on an error sees it.
      if (!this.skipUntilSync) this.guard(() => readEmpty(frame.body, 'Flush'), true);
      return this.out.flush();
    }
    if (this.skipUntilSync) return;
    try {
      switch (frame.type) {
        case 'P':
          return this.parse(frame.body);
        case 'B':
          return this.bind(frame.body);
        case 'D':
          return await this.describe(frame.body);
        case 'E':
          return await this.execute(frame.body);
        case 'C':
          return this.close(frame.body);
      }
    } catch (e) {
      this.fail(e);
      this.skipUntilSync = true;
    }
  }

  private fail(e: unknown): void {
    this.out.send(msg.errorResponse(errorFields(e, this.deps.onInternalError)));
    if (this.session.transactionStatus === 'T') this.session.transactionStatus = 'E';
  }

  /** Runs a check; its error is answered (and, inside an extended-protocol unit, skips to Sync). */
  private guard(step: () => void, skip = false): void {
    try {
      step();
    } catch (e) {
      this.fail(e);
      if (skip) this.skipUntilSync = true;
    }
  }

  private parse(body: Buffer): void {
    const m = readParse(body);
    if (m.name && this.session.statements.has(m.name)) throw new SqlStateError('42P05', `prepared statement "${m.name}" already exists`);
    const splits = splitStatements(m.sql);
    if (splits.length > 1) throw new SqlStateError('42601', 'cannot insert multiple commands into a prepared statement');
    const statement: ClassifiedStatement = splits.length === 0 ? { kind: 'empty' } : classifyStatement(splits[0]!, (schema, name) => this.deps.findTable(schema, name) !== undefined);
    const prepared: PreparedStatement = { name: m.name, sql: m.sql, declaredParamTypes: m.paramTypes, statement };
    this.session.statements.set(m.name, prepared);
    this.out.send(msg.parseComplete());
  }

  /** Parameter types: declared in Parse win; the rest come from the catalog's inference or are text. */
  private async paramTypes(prepared: PreparedStatement): Promise<readonly number[]> {
    if (prepared.paramTypes) return prepared.paramTypes;
    const st = prepared.statement;
    let inferred: readonly number[] = [];
    if (st.kind === 'catalog') inferred = (await this.deps.catalog.describe(st.sql, prepared.declaredParamTypes)).paramTypes;
    const count = Math.max(prepared.declaredParamTypes.length, inferred.length, st.kind === 'model' ? st.paramCount : 0);
    prepared.paramTypes = Array.from({ length: count }, (_, i) => prepared.declaredParamTypes[i] || inferred[i] || OID.text);
    return prepared.paramTypes;
  }

  private bind(body: Buffer): void {
    const m = readBind(body);
    const prepared = this.session.statements.get(m.statement);
    if (!prepared) throw new SqlStateError('26000', `prepared statement "${m.statement}" does not exist`);
    const required = requiredParamCount(prepared);
    if (required !== undefined && m.params.length !== required) {
      throw protocolViolation(`bind message supplies ${m.params.length} parameters, but prepared statement "${m.statement}" requires ${required}`);
    }
    const types = prepared.paramTypes ?? m.params.map((_, i) => prepared.declaredParamTypes[i] || OID.text);
    const params = m.params.map((raw, i) => {
      const format = m.paramFormats.length === 1 ? m.paramFormats[0]! : (m.paramFormats[i] ?? 0);
      return decodeParam(raw, types[i] ?? 0, format, i + 1);
    });
    if (m.portal && this.session.portals.has(m.portal)) throw new SqlStateError('42P03', `portal "${m.portal}" already exists`);
    const portal: Portal = { name: m.portal, prepared, rawParams: m.params, paramFormats: m.paramFormats, params, resultFormats: m.resultFormats, position: 0 };
    this.session.dropPortal(m.portal);
    this.session.portals.set(m.portal, portal);
    this.out.send(msg.bindComplete());
  }

  private async describe(body: Buffer): Promise<void> {
    const { target, name } = readTarget(body, 'Describe');
    if (target === 'S') {
      const prepared = this.session.statements.get(name);
      if (!prepared) throw new SqlStateError('26000', `prepared statement "${name}" does not exist`);
      const types = await this.paramTypes(prepared);
      this.out.send(msg.parameterDescription(types));
      const fields = await this.statementFields(prepared, types);
      this.out.send(fields ? msg.rowDescription(fields) : msg.noData());
      return;
    }
    const portal = this.session.portals.get(name);
    if (!portal) {
      // A DECLAREd cursor is a portal too: psycopg describes it by name to learn its columns.
      const cursor = this.session.cursors.get(name);
      if (!cursor) throw new SqlStateError('34000', `portal "${name}" does not exist`);
      this.out.send(msg.rowDescription(cursor.fields));
      return;
    }
    const st = portal.prepared.statement;
    // Commands without rows run at Execute only (DISCARD ALL must not run twice, or at Describe).
    if (st.kind === 'empty' || (st.kind === 'session' && st.type !== 'VariableShowStmt')) {
      this.out.send(msg.noData());
      return;
    }
    const result = await this.resultOf(portal);
    this.out.send(result.fields ? msg.rowDescription(result.fields) : msg.noData());
  }

  /** Result columns of a statement before it is bound (Describe S). */
  private async statementFields(prepared: PreparedStatement, types: readonly number[]): Promise<readonly msg.FieldDescription[] | undefined> {
    const st = prepared.statement;
    if (st.kind === 'catalog') return (await this.deps.catalog.describe(st.sql, types)).fields;
    if (st.kind === 'model' || (st.kind === 'session' && st.type === 'VariableShowStmt')) {
      // Types of a model query depend on its plan: run it once with NULL parameters.
      const result = await executeStatement(this.deps, this.session, { statement: st, paramTypes: types, rawParams: types.map(() => null), paramFormats: [], params: types.map(() => null), resultFormats: [] }, this.requestContext());
      if (result.rows instanceof StreamedRows) await result.rows.close();
      return result.fields;
    }
    return undefined;
  }

  private async resultOf(portal: Portal): Promise<StatementResult> {
    if (portal.result) return portal.result;
    const prepared = portal.prepared;
    const types = await this.paramTypes(prepared);
    portal.result = await executeStatement(
      this.deps,
      this.session,
      { statement: prepared.statement, paramTypes: types, rawParams: portal.rawParams, paramFormats: portal.paramFormats, params: portal.params, resultFormats: portal.resultFormats },
      this.requestContext(),
    );
    return portal.result;
  }

  private async execute(body: Buffer): Promise<void> {
    const { portal: name, maxRows } = readExecute(body);
    const portal = this.session.portals.get(name);
    if (!portal) throw new SqlStateError('34000', `portal "${name}" does not exist`);
    if (portal.prepared.statement.kind === 'empty') {
      this.out.send(msg.emptyQueryResponse());
      return;
    }
    const result = await this.resultOf(portal);
    if (result.rows instanceof StreamedRows) return this.executeStreamed(result.rows, maxRows);
    const count = rowCountOf(result.rows);
    const end = maxRows > 0 ? Math.min(count, portal.position + maxRows) : count;
    for (const part of rowRange(result.rows, portal.position, end)) this.out.send(part);
    portal.position = end;
    if (end < count) {
      this.out.send(msg.portalSuspended());
      return;
    }
    this.out.send(msg.commandComplete(result.tag), ...(result.after ?? []));
  }

  /** Execute over a streamed result: chunks written as they are encoded, the socket drained in between. */
  private async executeStreamed(rows: StreamedRows, maxRows: number): Promise<void> {
    const start = rows.sent;
    for (;;) {
      const left = maxRows > 0 ? maxRows - (rows.sent - start) : 0;
      if (maxRows > 0 && left <= 0) break;
      const parts = await rows.next(left);
      if (parts.length === 0) break;
      for (const part of parts) this.out.send(part);
      await this.out.flush();
    }
    if (maxRows > 0 && rows.sent - start >= maxRows && (await rows.hasMore())) {
      this.out.send(msg.portalSuspended());
      return;
    }
    this.out.send(msg.commandComplete(`SELECT ${rows.sent}`));
  }

  private close(body: Buffer): void {
    const { target, name } = readTarget(body, 'Close');
    if (target === 'S') this.session.statements.delete(name);
    else this.session.dropPortal(name);
    this.out.send(msg.closeComplete());
  }
}

/**
 * How many values a Bind must carry, when known before running anything: the types already
 * described, else the declared types and the highest `$n` of a model statement. Catalog
 * statements are checked by the catalog database itself.
 */
function requiredParamCount(prepared: PreparedStatement): number | undefined {
  if (prepared.paramTypes) return prepared.paramTypes.length;
  const st = prepared.statement;
  if (st.kind === 'model') return Math.max(st.paramCount, prepared.declaredParamTypes.length);
  if (st.kind === 'empty') return prepared.declaredParamTypes.length;
  return undefined;
}
