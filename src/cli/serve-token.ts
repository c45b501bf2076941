/**
 * Where `serve` takes its token from. A token in argv (`--token T`) is readable by every local
 * user through /proc/PID/cmdline and `ps`; `--token-file PATH` and the VDPUSH_TOKEN environment
 * variable (readable only by the same user) keep it out of there.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, quoteInput } from '../contract/errors.js';

export const TOKEN_ENV = 'VDPUSH_TOKEN';
/** A token file is one short line; anything bigger is the wrong file. */
const MAX_TOKEN_FILE_BYTES = 4096;

/** --token, else --token-file, else $VDPUSH_TOKEN, else none. Both flags at once is a mistake. */
export function resolveServeToken(values: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const flag = typeof values.token === 'string' ? values.token : undefined;
  const file = typeof values['token-file'] === 'string' ? values['token-file'] : undefined;
  if (flag !== undefined && file !== undefined) throw new InvalidArgumentError('--token and --token-file exclude each other');
  if (flag !== undefined) return flag;
  if (file !== undefined) {
    let text: string;
    try {
      const buf = readFileSync(file);
      if (buf.length > MAX_TOKEN_FILE_BYTES) throw new InvalidArgumentError(`--token-file ${quoteInput(file)} is larger than ${MAX_TOKEN_FILE_BYTES} bytes: is it the right file?`);
      text = buf.toString('utf8');
    } catch (e) {
      if (e instanceof InvalidArgumentError) throw e;
      throw new InvalidArgumentError(`--token-file ${quoteInput(file)} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const token = text.replace(/\r?\n$/, '');
    if (token.trim() === '' || /[\r\n]/.test(token)) throw new InvalidArgumentError(`--token-file ${quoteInput(file)} must hold the token on one non-empty line`);
    return token;
  }
  const fromEnv = env[TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return undefined;
}
