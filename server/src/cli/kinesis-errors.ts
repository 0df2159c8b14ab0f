import { UserError } from '../errors/user-error.ts';
import type { StreamTarget } from './stream-target.ts';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const REFUSED_CREDENTIALS = new Set([
  'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException', 'AccessDeniedException',
  'IncompleteSignatureException', 'MissingAuthenticationTokenException',
]);

/**
 * Kinesis failures a user can act on, as UserErrors naming the target: unreachable (network,
 * timeout) is SOURCE_UNREACHABLE; no or refused credentials ACCESS_DENIED; a missing stream
 * PIPELINE_INPUT. Anything else is returned undefined (a bug or an outage to report as it is).
 */
export function asStreamError(error: unknown, target: StreamTarget): UserError | undefined {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  if ((code && NETWORK_CODES.has(code)) || e.name === 'TimeoutError' || e.name === 'RequestTimeout') {
    return new UserError('SOURCE_UNREACHABLE', `${target.description} is unreachable (${code ?? e.name})`, {
      hint: target.endpoint ? 'Is the server (or kinesalite) running? Check the URL.' : 'Check the network route to AWS, AWS_REGION, and any proxy settings.',
      cause: error,
    });
  }
  if (e.name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message ?? '')) {
    return new UserError('ACCESS_DENIED', `No AWS credentials found for ${target.description}`, {
      hint: 'Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or leave out --aws to use the local stream of npm start.', cause: error,
    });
  }
  if (e.name && REFUSED_CREDENTIALS.has(e.name)) {
    return new UserError('ACCESS_DENIED', `${target.description} refused the credentials: ${e.message ?? e.name}`, { cause: error });
  }
  if (e.name === 'ResourceNotFoundException') {
    return new UserError('PIPELINE_INPUT', `Stream ${target.streamName} does not exist on ${target.description}`, { hint: 'Check --stream (env KINESIS_STREAM_NAME).', cause: error });
  }
  return undefined;
}

/** Runs `work`, turning the Kinesis failures `asStreamError` knows into UserErrors. */
export async function withStreamErrors<T>(target: StreamTarget, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asStreamError(error, target) ?? error;
  }
}
