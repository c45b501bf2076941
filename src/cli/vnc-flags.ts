/**
 * `serve --vnc [PORT]` and the VNC password: from the environment (VDPUSH_VNC_PASSWORD) or a file
 * (--vnc-password-file), never from the command line, where `ps` would show it. The variable is
 * removed from this process's environment once read, so no child (Xvfb, the workload) inherits
 * it. The password itself is never printed.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../contract/errors.js';
import { isLoopbackHost } from '../host/viewer/access.js';
import { MAX_PASSWORD_BYTES } from '../host/rfb/vnc-auth.js';
import { parseIntegerFlag } from './parse-values.js';

export const VNC_PASSWORD_ENV = 'VDPUSH_VNC_PASSWORD';
export const DEFAULT_VNC_PORT = 5900;

export interface VncFlags {
  /** The TCP port to listen on, or null without --vnc. */
  port: number | null;
  password?: string;
  /** A note for stderr (a password longer than VNC Authentication uses), never the password. */
  warning?: string;
}

type Values = Record<string, string | boolean | string[] | undefined>;

export function vncOptionsFromFlags(v: Values, host: string, env: NodeJS.ProcessEnv = process.env): VncFlags {
  const out: VncFlags = { port: null };
  if (typeof v.vnc === 'string') out.port = parseIntegerFlag(v.vnc, '--vnc', 0, 65535);
  const file = typeof v['vnc-password-file'] === 'string' ? v['vnc-password-file'] : undefined;
  const fromEnv = env[VNC_PASSWORD_ENV];
  delete env[VNC_PASSWORD_ENV];
  if (file !== undefined && fromEnv !== undefined) {
    throw new InvalidArgumentError(`give the VNC password once: ${VNC_PASSWORD_ENV} or --vnc-password-file, not both`);
  }
  let password = fromEnv;
  if (file !== undefined) {
    try {
      password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new InvalidArgumentError(`cannot read --vnc-password-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (password !== undefined) {
    if (password.length === 0) throw new InvalidArgumentError(`the VNC password (${file !== undefined ? file : VNC_PASSWORD_ENV}) is empty`);
    if (Buffer.byteLength(password, 'latin1') > MAX_PASSWORD_BYTES) {
      out.warning = `the VNC password is longer than ${MAX_PASSWORD_BYTES} characters; VNC Authentication uses only the first ${MAX_PASSWORD_BYTES}`;
    }
    out.password = password;
  }
  if (out.port !== null && !isLoopbackHost(host) && password === undefined) {
    throw new InvalidArgumentError(
      `refusing to serve VNC on ${host} without a password: set ${VNC_PASSWORD_ENV} or pass --vnc-password-file FILE, or bind to 127.0.0.1, ::1 or localhost`,
    );
  }
  return out;
}
