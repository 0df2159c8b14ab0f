/**
 * Server side of SCRAM-SHA-256 (RFC 5802/7677) as Postgres uses it: no channel binding,
 * the user name comes from the startup packet (the `n=` attribute is ignored, as Postgres does).
 * https://www.postgresql.org/docs/current/sasl-authentication.html
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const ITERATIONS = 4096;

/** State kept between the server-first and client-final messages. */
export interface ScramExchange {
  readonly clientFirstBare: string;
  readonly serverFirst: string;
  readonly nonce: string;
  readonly salt: Buffer;
}

/** Answers the client-first message; throws on an unsupported gs2 header. */
export function startScram(clientFirst: string): ScramExchange {
  const match = /^([ny]|p=[^,]*),[^,]*,(.*)$/.exec(clientFirst);
  if (!match) throw new Error('malformed SCRAM client-first message');
  if (match[1]!.startsWith('p=')) throw new Error('SCRAM channel binding is not supported');
  const clientFirstBare = match[2]!;
  const clientNonce = /(?:^|,)r=([^,]+)/.exec(clientFirstBare)?.[1];
  if (!clientNonce) throw new Error('SCRAM client nonce missing');
  const salt = randomBytes(16);
  const nonce = clientNonce + randomBytes(18).toString('base64');
  const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${ITERATIONS}`;
  return { clientFirstBare, serverFirst, nonce, salt };
}

/** Verifies the client-final message; returns the server-final message or null on a wrong proof. */
export function finishScram(exchange: ScramExchange, clientFinal: string, password: string): string | null {
  const proofIndex = clientFinal.lastIndexOf(',p=');
  if (proofIndex < 0) return null;
  const withoutProof = clientFinal.slice(0, proofIndex);
  const proof = Buffer.from(clientFinal.slice(proofIndex + 3), 'base64');
  const nonce = /(?:^|,)r=([^,]+)/.exec(withoutProof)?.[1];
  if (nonce !== exchange.nonce) return null;
  const salted = pbkdf2Sync(password.normalize('NFKC'), exchange.salt, ITERATIONS, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  const storedKey = createHash('sha256').update(clientKey).digest();
  const authMessage = `${exchange.clientFirstBare},${exchange.serverFirst},${withoutProof}`;
  const clientSignature = hmac(storedKey, authMessage);
  if (proof.length !== clientSignature.length) return null;
  const recoveredKey = Buffer.alloc(proof.length);
  for (let i = 0; i < proof.length; i++) recoveredKey[i] = proof[i]! ^ clientSignature[i]!;
  const recoveredStored = createHash('sha256').update(recoveredKey).digest();
  if (!timingSafeEqual(recoveredStored, storedKey)) return null;
  const serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
  return `v=${serverSignature.toString('base64')}`;
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** The md5 response Postgres expects: 'md5' + md5(md5(password + user) + salt). */
export function md5Response(user: string, password: string, salt: Buffer): string {
  const inner = createHash('md5').update(password + user).digest('hex');
  return `md5${createHash('md5').update(Buffer.concat([Buffer.from(inner), salt])).digest('hex')}`;
}
