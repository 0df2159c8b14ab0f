/**
 * Session commands answered per connection: SET/RESET/SHOW, BEGIN/COMMIT/ROLLBACK (and
 * savepoints), DISCARD, DEALLOCATE, CLOSE (cursors; DECLARE and FETCH are in cursor-commands.ts).
 * Nothing here reaches the shared catalog database.
 * https://www.postgresql.org/docs/current/sql-commands.html
 */
import { UserError } from '../../../errors/user-error.ts';
import * as msg from '../wire/backend-messages.ts';
import { encodeValue } from '../wire/encode-value.ts';
import { OID } from '../wire/pg-types.ts';
import { displayName, REPORTED_SETTINGS, type SessionState } from './session-state.ts';
import type { StatementResult } from './statement-types.ts';
import { formatFor } from './statement-types.ts';
import type { AstNode } from '../translate/walk-ast.ts';
import { SqlStateError } from './sql-state-error.ts';
import { statementTimeoutMs } from './statement-timeout.ts';
import { checkTimeZoneSetting } from './session-clock.ts';

export { SqlStateError };

export function runSessionCommand(session: SessionState, type: string, node: AstNode, resultFormats: readonly number[]): StatementResult {
  switch (type) {
    case 'VariableSetStmt':
      return setVariable(session, node);
    case 'VariableShowStmt':
      return show(session, String(node.name ?? '').toLowerCase(), resultFormats);
    case 'TransactionStmt':
      return transaction(session, node);
    case 'DiscardStmt': {
      const target = String(node.target ?? 'DISCARD_ALL');
      if (target === 'DISCARD_ALL') {
        if (session.transactionStatus !== 'I') throw new SqlStateError('25001', 'DISCARD ALL cannot run inside a transaction block');
        session.discardAll();
        return { rows: [], tag: 'DISCARD ALL' };
      }
      return { rows: [], tag: `DISCARD ${target.replace('DISCARD_', '')}` };
    }
    case 'DeallocateStmt': {
      if (node.isall || !node.name) {
        session.statements.clear();
        return { rows: [], tag: 'DEALLOCATE ALL' };
      }
      if (!session.statements.delete(node.name)) throw new SqlStateError('26000', `prepared statement "${node.name}" does not exist`);
      return { rows: [], tag: 'DEALLOCATE' };
    }
    case 'ClosePortalStmt':
      if (!node.portalname) {
        session.cursors.clear();
        return { rows: [], tag: 'CLOSE CURSOR ALL' };
      }
      if (!session.cursors.delete(node.portalname)) throw new SqlStateError('34000', `cursor "${node.portalname}" does not exist`);
      return { rows: [], tag: 'CLOSE CURSOR' };
    default:
      throw new UserError('UNSUPPORTED', `${type} is not supported`);
  }
}

function argText(arg: AstNode): string {
  const c = arg.A_Const;
  if (c) {
    if (c.sval) return String(c.sval.sval ?? '');
    if (c.ival) return String(c.ival.ival ?? 0);
    if ('ival' in c) return '0';
    if (c.fval) return String(c.fval.fval);
    if (c.boolval) return c.boolval.boolval ? 'on' : 'off';
  }
  if (arg.TypeCast) return argText(arg.TypeCast.arg);
  return '';
}

function setVariable(session: SessionState, node: AstNode): StatementResult {
  const name = String(node.name ?? '').toLowerCase();
  const kind = String(node.kind ?? 'VAR_SET_VALUE');
  if (kind === 'VAR_RESET_ALL') {
    for (const key of [...session.settings.keys()]) session.resetSetting(key);
    return { rows: [], tag: 'RESET' };
  }
  if (kind === 'VAR_SET_MULTI') return { rows: [], tag: 'SET' }; // SET TRANSACTION / SESSION CHARACTERISTICS
  if (kind === 'VAR_RESET' || kind === 'VAR_SET_DEFAULT') session.resetSetting(name);
  else if (kind === 'VAR_SET_VALUE') {
    const value = (node.args ?? []).map(argText).join(', ');
    if (name === 'client_encoding' && !/^utf-?8$/i.test(value) && value.toLowerCase() !== 'unicode') {
      throw new SqlStateError('22023', `client_encoding ${value} is not supported: the SQL API speaks UTF8 only`);
    }
    if (name === 'default_transaction_read_only' || name === 'transaction_read_only') {
      if (!/^(on|true|1)$/i.test(value)) throw new SqlStateError('25006', 'the SQL API is read-only');
    }
    if (name === 'statement_timeout') statementTimeoutMs(value);
    session.settings.set(name, name === 'client_encoding' ? 'UTF8' : name === 'timezone' ? checkTimeZoneSetting(value) : value);
  }
  const tag = kind === 'VAR_RESET' ? 'RESET' : 'SET';
  const after = REPORTED_SETTINGS.has(name) ? [msg.parameterStatus(displayName(name), session.settings.get(name) ?? '')] : [];
  return { rows: [], tag, after };
}

function show(session: SessionState, name: string, resultFormats: readonly number[]): StatementResult {
  const key = name === 'time zone' ? 'timezone' : name;
  const value = session.settings.get(key);
  if (value === undefined) throw new SqlStateError('42704', `unrecognized configuration parameter "${name}"`);
  const format = formatFor(resultFormats, 0);
  return {
    fields: [{ name: displayName(key), typeOid: OID.text, typeSize: -1, typeModifier: -1, format }],
    rows: [msg.dataRow([encodeValue(value, OID.text, format)])],
    tag: 'SHOW',
  };
}

function transaction(session: SessionState, node: AstNode): StatementResult {
  const kind = String(node.kind ?? '');
  switch (kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      if (session.transactionStatus === 'I') session.transactionStatus = 'T';
      return { rows: [], tag: 'BEGIN' };
    case 'TRANS_STMT_COMMIT': {
      const failed = session.transactionStatus === 'E';
      session.transactionStatus = 'I';
      session.endTransaction(!failed);
      return { rows: [], tag: failed ? 'ROLLBACK' : 'COMMIT' };
    }
    case 'TRANS_STMT_ROLLBACK':
      session.transactionStatus = 'I';
      session.endTransaction(false);
      return { rows: [], tag: 'ROLLBACK' };
    case 'TRANS_STMT_SAVEPOINT':
      return { rows: [], tag: 'SAVEPOINT' };
    case 'TRANS_STMT_RELEASE':
      return { rows: [], tag: 'RELEASE' };
    case 'TRANS_STMT_ROLLBACK_TO':
      if (session.transactionStatus === 'E') session.transactionStatus = 'T';
      return { rows: [], tag: 'ROLLBACK' };
    default:
      throw new SqlStateError('0A000', `${kind.replace('TRANS_STMT_', '')} TRANSACTION is not supported by the SQL API`);
  }
}
