/**
 * Verifies a JWT and returns its claims, with a shared secret (HS256) or a key resolver (the
 * JWKS of `verification-key.ts`). `exp` and `nbf` are enforced by jose, audience and issuer when
 * configured; failures become `INVALID_TOKEN` (HTTP 403) with the reason.
 */
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { UserError } from '../errors/user-error.ts';

/** A shared secret, or a key resolver (JWKS) chosen per token header. */
export type VerificationKey = Uint8Array | JWTVerifyGetKey;

/** Checks applied besides the signature (Cube's CUBEJS_JWT_* variables). */
export interface TokenVerifierOptions {
  readonly key: VerificationKey;
  readonly algorithms: readonly string[];
  readonly audience?: string;
  readonly issuer?: string;
  readonly subject?: string;
  /** Tolerated clock skew in seconds for exp/nbf. */
  readonly clockToleranceSeconds?: number;
}

export type TokenVerifier = (token: string) => Promise<JWTPayload>;

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const verifyOptions = {
    algorithms: [...options.algorithms],
    audience: options.audience,
    issuer: options.issuer,
    subject: options.subject,
    clockTolerance: options.clockToleranceSeconds ?? 0,
  };
  return async (token) => {
    try {
      const { payload } = typeof options.key === 'function'
        ? await jwtVerify(token, options.key, verifyOptions)
        : await jwtVerify(token, options.key, verifyOptions);
      return payload;
    } catch (error) {
      throw new UserError('INVALID_TOKEN', describeFailure(error), { cause: error });
    }
  };
}

export function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

function describeFailure(error: unknown): string {
  if (error instanceof errors.JWTExpired) return `Invalid token: token expired (exp ${String(error.payload.exp)})`;
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return `Invalid token: token not valid yet (nbf ${String(error.payload.nbf)})`;
    return `Invalid token: claim "${error.claim}" check failed (${error.reason})`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'Invalid token: signing algorithm not allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'Invalid token: signature verification failed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'Invalid token: no key of CUBEJS_JWK_URL matches the token (kid/alg)';
  if (error instanceof errors.JWKSTimeout) return 'Invalid token: the key set at CUBEJS_JWK_URL did not answer in time';
  if (error instanceof errors.JOSEError) return `Invalid token: ${error.message}`;
  // fetch of the key set failed (network): the token cannot be verified, so it is not accepted.
  if (error instanceof TypeError && /fetch/i.test(error.message)) return 'Invalid token: the key set at CUBEJS_JWK_URL could not be fetched';
  return 'Invalid token: not a JWT';
}
