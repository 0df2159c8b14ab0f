/**
 * Per-connection session state kept in our layer (never in the shared catalog database):
 * settings changed by SET/RESET, transaction status, prepared statements, portals and cursors.
 */
import { StreamedRows } from '../wire/streamed-rows.ts';
import type { SecurityContext } from '../../../engine/engine-types.ts';
import type { PreparedStatement, Portal } from './statement-types.ts';
import type { Cursor } from './cursor.ts';

/** Settings reported to the client at startup (ParameterStatus) and again whenever SET changes them. */
export const REPORTED_SETTINGS = new Set([
  'server_version',
  'server_encoding',
  'client_encoding',
  'application_name',
  'datestyle',
  'integer_datetimes',
  'standard_conforming_strings',
  'timezone',
  'is_superuser',
  'session_authorization',
  'intervalstyle',
  'default_transaction_read_only',
  'in_hot_standby',
  'scram_iterations',
]);

/** Display names of settings (SHOW and ParameterStatus use Postgres' spelling). */
const DISPLAY_NAMES: Readonly<Record<string, string>> = {
  datestyle: 'DateStyle',
  timezone: 'TimeZone',
  intervalstyle: 'IntervalStyle',
};

export function displayName(key: string): string {
  return DISPLAY_NAMES[key] ?? key;
}

export const SERVER_VERSION = '18.6';

export function defaultSettings(user: string, startup: Readonly<Record<string, string>>): Map<string, string> {
  const settings = new Map<string, string>([
    ['server_version', SERVER_VERSION],
    ['server_version_num', '180006'],
    ['server_encoding', 'UTF8'],
    ['client_encoding', 'UTF8'],
    ['application_name', ''],
    ['datestyle', 'ISO, MDY'],
    ['integer_datetimes', 'on'],
    ['standard_conforming_strings', 'on'],
    ['timezone', 'UTC'],
    ['is_superuser', 'off'],
    ['session_authorization', user],
    ['intervalstyle', 'postgres'],
    ['default_transaction_read_only', 'on'],
    ['transaction_read_only', 'on'],
    ['in_hot_standby', 'off'],
    ['search_path', '"$user", public'],
    ['extra_float_digits', '1'],
    ['transaction_isolation', 'read committed'],
    ['max_identifier_length', '63'],
    ['lc_collate', 'C.UTF-8'],
    ['lc_ctype', 'C.UTF-8'],
    ['statement_timeout', '0'],
  ]);
  for (const [key, value] of Object.entries(startup)) {
    const k = key.toLowerCase();
    if (k === 'user' || k === 'database' || k === 'options' || k === 'replication') continue;
    if (k === 'client_encoding' && value.toUpperCase().replace('-', '') !== 'UTF8') continue;
    settings.set(k, value);
  }
  return settings;
}

/** Everything one connection remembers between messages. */
export class SessionState {
  readonly statements = new Map<string, PreparedStatement>();
  readonly portals = new Map<string, Portal>();
  /** Cursors opened by DECLARE, by name. */
  readonly cursors = new Map<string, Cursor>();
  settings: Map<string, string>;
  /** 'I' idle, 'T' inside BEGIN…COMMIT, 'E' failed transaction waiting for ROLLBACK. */
  transactionStatus: 'I' | 'T' | 'E' = 'I';

  constructor(
    readonly user: string,
    readonly database: string,
    readonly securityContext: SecurityContext,
    private readonly startup: Readonly<Record<string, string>>,
  ) {
    this.settings = defaultSettings(user, startup);
  }

  /** Removes a portal; a result still streaming ends its query (and its lease on any rollup). */
  dropPortal(name: string): void {
    const rows = this.portals.get(name)?.result?.rows;
    if (rows instanceof StreamedRows) void rows.close();
    this.portals.delete(name);
  }

  /** Every portal dropped (DISCARD ALL, the connection ends). */
  dropPortals(): void {
    for (const name of [...this.portals.keys()]) this.dropPortal(name);
  }

  /** DISCARD ALL: back to the state right after login. */
  discardAll(): void {
    this.statements.clear();
    this.dropPortals();
    this.cursors.clear();
    this.settings = defaultSettings(this.user, this.startup);
  }

  /**
   * The transaction block ends: cursors without HOLD close; on a rollback, so do WITH HOLD cursors
   * opened inside it (a committed WITH HOLD cursor stays open until CLOSE or the end of the session).
   */
  endTransaction(committed: boolean): void {
    for (const [name, cursor] of this.cursors) {
      if (!cursor.holds || (!committed && cursor.openedInTransaction)) this.cursors.delete(name);
    }
  }

  resetSetting(key: string): void {
    const fresh = defaultSettings(this.user, this.startup).get(key);
    if (fresh === undefined) this.settings.delete(key);
    else this.settings.set(key, fresh);
  }
}
