/**
 * The authentication exchange after StartupMessage: SCRAM-SHA-256, md5, or cleartext (only over
 * TLS), each checked through the `checkSqlAuth` hook.
 * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecurityContext } from '../../engine/engine-types.ts';
import { isUserError } from '../../errors/user-error.ts';
import { finishScram, md5Response, startScram, type ScramExchange } from './auth/scram.ts';
import type { CheckSqlAuth, SqlAuthMethod } from './auth/sql-auth-types.ts';
import * as msg from './wire/backend-messages.ts';
import { readSaslInitial } from './wire/frontend-messages.ts';
import { BodyReader } from './wire/body-reader.ts';

/** Thrown to end the connection with a FATAL error. */
export class AuthFailure extends Error {
  constructor(
    readonly sqlState: string,
    message: string,
  ) {
    super(message);
  }
}

/** One authentication exchange: `start()` gives the first request, `onMessage()` each next step. */
export class Authenticator {
  private scram?: ScramExchange;
  private md5Salt?: Buffer;

  constructor(
    private readonly method: SqlAuthMethod,
    private readonly checkSqlAuth: CheckSqlAuth,
    private readonly user: string,
    private readonly database: string,
    private readonly encrypted: boolean,
  ) {}

  start(): Buffer {
    switch (this.method) {
      case 'scram-sha-256':
        return msg.authenticationSasl(['SCRAM-SHA-256']);
      case 'md5':
        this.md5Salt = randomBytes(4);
        return msg.authenticationMd5(this.md5Salt);
      case 'password':
        if (!this.encrypted) throw new AuthFailure('28000', 'cleartext password authentication requires an SSL connection');
        return msg.authenticationCleartext();
      case 'trust':
        throw new Error('trust authentication has no password request; call trust()');
    }
  }

  /** `trust`: no password exchange; the hook still maps the user to a security context (or refuses it). */
  async trust(): Promise<{ reply: Buffer[]; securityContext: SecurityContext }> {
    return { reply: [], securityContext: (await this.lookup(null)).securityContext };
  }

  /** Handles one 'p' message: returns the reply to send, or the security context when done. */
  async onMessage(body: Buffer): Promise<{ reply: Buffer[]; securityContext?: SecurityContext }> {
    if (this.method === 'scram-sha-256' && !this.scram) {
      const initial = readSaslInitial(body);
      if (initial.mechanism !== 'SCRAM-SHA-256') throw new AuthFailure('28000', `unsupported SASL mechanism ${initial.mechanism}`);
      try {
        this.scram = startScram(initial.data);
      } catch (e) {
        throw new AuthFailure('08P01', (e as Error).message);
      }
      return { reply: [msg.authenticationSaslContinue(this.scram.serverFirst)] };
    }
    if (this.method === 'scram-sha-256') {
      const auth = await this.lookup(null);
      const final = auth.password === undefined ? null : finishScram(this.scram!, body.toString('utf8'), auth.password);
      if (!final) throw this.failed();
      return { reply: [msg.authenticationSaslFinal(final)], securityContext: auth.securityContext };
    }
    const sent = new BodyReader(body).cstring();
    if (this.method === 'md5') {
      const auth = await this.lookup(null);
      if (auth.password === undefined || !safeEqual(sent, md5Response(this.user, auth.password, this.md5Salt!))) throw this.failed();
      return { reply: [], securityContext: auth.securityContext };
    }
    const auth = await this.lookup(sent);
    if (auth.password !== undefined && !safeEqual(sent, auth.password)) throw this.failed();
    return { reply: [], securityContext: auth.securityContext };
  }

  private async lookup(password: string | null): Promise<{ password?: string; securityContext: SecurityContext }> {
    try {
      const result = await this.checkSqlAuth(this.user, password, this.database);
      if (!result) throw this.failed();
      return result;
    } catch (e) {
      if (e instanceof AuthFailure) throw e;
      if (isUserError(e)) throw new AuthFailure('28P01', e.message);
      throw e;
    }
  }

  private failed(): AuthFailure {
    return new AuthFailure('28P01', `password authentication failed for user "${this.user}"`);
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
