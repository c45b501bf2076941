/**
 * The RFB handshake as a state machine (RFC 6143 7.1-7.3.1), from the server's ProtocolVersion to
 * the client's ClientInit. The ServerInit that follows is the session's (it holds the current
 * framebuffer size).
 *
 *   version ──> security (3.7, 3.8: the client picks one of the offered types)
 *           └─> 3.3: the server picks (None if offered, else VNC Authentication)
 *   security ──> auth (VNC Authentication: challenge, response) ──> client-init ──> done
 *           └─> client-init (None)
 *
 * Version differences the machine encodes: 3.3 has no list of types; 3.3 and 3.7 send no
 * SecurityResult after None and no reason after a failed one; 3.8 sends both. A failure with a
 * reason the client can read is written, then the connection is closed.
 */
import type { ByteQueue } from './byte-queue.js';
import { RFB_PROTOCOL_3_8, SecurityResult, SecurityType, VERSION_LENGTH } from './rfb-constants.js';
import { PIXEL_FORMAT_SIZE, SERVER_PIXEL_FORMAT, writePixelFormat } from './rfb-pixel-format.js';
import { CHALLENGE_LENGTH, newChallenge, vncAuthMatches } from './vnc-auth.js';

export type RfbVersion = '3.3' | '3.7' | '3.8';

export interface HandshakeOptions {
  /** The types offered, in order of preference (None only where the server allows it). */
  securityTypes: readonly number[];
  /** Needed when VNC Authentication is offered. */
  password?: string;
  /** For tests: a fixed challenge instead of a random one. */
  challenge?: () => Buffer;
}

export interface HandshakeStep {
  /** Bytes to write to the client, in order. */
  send: Buffer[];
  /** The handshake failed: write `send`, then close with this reason. */
  fail?: string;
  /** ClientInit arrived: the session sends ServerInit and starts. */
  done?: { shared: boolean };
}

type State = 'version' | 'security' | 'auth' | 'client-init' | 'done' | 'failed';

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

function reasonBytes(reason: string): Buffer {
  const text = Buffer.from(reason, 'utf8');
  return Buffer.concat([u32(text.length), text]);
}

/** "RFB xxx.yyy\n" → the version the server will speak, or null when it is not a version string. */
export function negotiateVersion(text: string): RfbVersion | null {
  const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(text);
  if (!m) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major < 3) return null;
  if (major > 3 || minor >= 8) return '3.8';
  if (minor === 7) return '3.7';
  // RFC 6143 7.1.1: any other 3.x is treated as 3.3 (some clients announce 3.5, 3.6).
  return '3.3';
}

export class RfbHandshake {
  state: State = 'version';
  version: RfbVersion = '3.8';
  /** The security type in use (after the choice). */
  securityType: number = SecurityType.Invalid;
  private challenge: Buffer | null = null;

  constructor(private readonly opts: HandshakeOptions) {}

  /** The server speaks first. */
  greeting(): Buffer {
    return Buffer.from(RFB_PROTOCOL_3_8, 'latin1');
  }

  /** Consumes what it can; null means "wait for more bytes". */
  feed(q: ByteQueue): HandshakeStep | null {
    switch (this.state) {
      case 'version':
        return this.onVersion(q);
      case 'security':
        return this.onSecurityChoice(q);
      case 'auth':
        return this.onAuthResponse(q);
      case 'client-init':
        if (q.length < 1) return null;
        this.state = 'done';
        return { send: [], done: { shared: q.take(1)[0] !== 0 } };
      default:
        return null;
    }
  }

  private fail(send: Buffer[], reason: string): HandshakeStep {
    this.state = 'failed';
    return { send, fail: reason };
  }

  private onVersion(q: ByteQueue): HandshakeStep | null {
    if (q.length < VERSION_LENGTH) return null;
    const text = q.take(VERSION_LENGTH).toString('latin1');
    const v = negotiateVersion(text);
    if (v === null) return this.fail([], `not an RFB version string: ${JSON.stringify(text)}`);
    this.version = v;
    const types = this.opts.securityTypes;
    if (v === '3.3') {
      // The server decides: the first offered type this version can carry.
      const t = types.find((x) => x === SecurityType.None || x === SecurityType.VncAuthentication);
      if (t === undefined) return this.fail([u32(SecurityType.Invalid), reasonBytes('no security type is available')], 'no security type for RFB 3.3');
      this.securityType = t;
      return this.afterChoice([u32(t)]);
    }
    if (types.length === 0) return this.fail([Buffer.from([0]), reasonBytes('no security type is available')], 'no security type offered');
    this.state = 'security';
    return { send: [Buffer.from([types.length, ...types])] };
  }

  private onSecurityChoice(q: ByteQueue): HandshakeStep | null {
    if (q.length < 1) return null;
    const t = q.take(1)[0]!;
    if (!this.opts.securityTypes.includes(t)) {
      const reason = `security type ${t} was not offered`;
      return this.fail(this.version === '3.8' ? [u32(SecurityResult.Failed), reasonBytes(reason)] : [u32(SecurityResult.Failed)], reason);
    }
    this.securityType = t;
    return this.afterChoice([]);
  }

  private afterChoice(send: Buffer[]): HandshakeStep {
    if (this.securityType === SecurityType.VncAuthentication) {
      this.challenge = (this.opts.challenge ?? newChallenge)();
      this.state = 'auth';
      return { send: [...send, this.challenge] };
    }
    // None: only 3.8 confirms it with a SecurityResult.
    this.state = 'client-init';
    return { send: this.version === '3.8' ? [...send, u32(SecurityResult.Ok)] : send };
  }

  private onAuthResponse(q: ByteQueue): HandshakeStep | null {
    if (q.length < CHALLENGE_LENGTH) return null;
    const response = q.take(CHALLENGE_LENGTH);
    const ok = this.opts.password !== undefined && this.challenge !== null && vncAuthMatches(this.opts.password, this.challenge, response);
    this.challenge = null;
    if (!ok) {
      const reason = 'authentication failed';
      return this.fail(this.version === '3.8' ? [u32(SecurityResult.Failed), reasonBytes(reason)] : [u32(SecurityResult.Failed)], 'wrong VNC password');
    }
    this.state = 'client-init';
    return { send: [u32(SecurityResult.Ok)] };
  }
}

/** ServerInit (RFC 6143 7.3.2): the framebuffer's size, the server's pixel format, the desktop name. */
export function serverInit(width: number, height: number, desktopName: string): Buffer {
  const name = Buffer.from(desktopName, 'utf8');
  const init = Buffer.alloc(4 + PIXEL_FORMAT_SIZE + 4 + name.length);
  init.writeUInt16BE(width, 0);
  init.writeUInt16BE(height, 2);
  writePixelFormat(SERVER_PIXEL_FORMAT, init, 4);
  init.writeUInt32BE(name.length, 4 + PIXEL_FORMAT_SIZE);
  name.copy(init, 8 + PIXEL_FORMAT_SIZE);
  return init;
}
