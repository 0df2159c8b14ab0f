/**
 * The certificates of a CA setting (such as CUBEJS_DB_DATABRICKS_CA), read and checked once when
 * the driver is created: a wrong path, a private key pasted instead of a certificate or a truncated
 * PEM stops the server at startup with CONFIG_INVALID naming the variable, instead of surfacing on
 * the first query as a refused certificate that reads like an attack.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { PemSource } from '../config/config-types.ts';
import { UserError } from '../errors/user-error.ts';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Every `CERTIFICATE` block of the setting (a bundle may hold several), as PEM text joined by line
 * breaks, each one parsed as X.509; anything else in the text (comments, other blocks) is dropped.
 */
export function readCaCertificate(source: PemSource, variable: string): string {
  let text: string;
  if ('file' in source) {
    try {
      text = readFileSync(source.file, 'utf8');
    } catch (error) {
      throw new UserError('CONFIG_INVALID', `${variable} points at ${source.file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {
        hint: 'set it to the path of a PEM file holding the CA certificate, or to the PEM text itself',
      });
    }
  } else text = source.pem;
  const where = 'file' in source ? `${variable} (${source.file})` : variable;
  const blocks = text.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) {
    throw new UserError('CONFIG_INVALID', `${where} holds no PEM certificate (no -----BEGIN CERTIFICATE----- block)`, {
      hint: 'give the CA certificate in PEM form, not its private key or a DER file',
    });
  }
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new UserError('CONFIG_INVALID', `${where}: certificate ${i + 1} of ${blocks.length} is not a valid X.509 certificate (${(error as Error).message})`);
    }
  });
  return blocks.join('\n');
}
