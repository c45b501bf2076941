/**
 * The life of the X server behind one Xvfb display: start or attach, connect (and validate the
 * display against its framebuffer file), start the workload, bring the server back after it died
 * (restart ours on the same display number first, or wait for an attached one), and tear it all
 * down. What the display does with a connection (event routing, swap-chains) is not decided here:
 * `onConnected` hands each new connection to the display before it is current, and
 * `onConnectionLost` reports the end of the current one.
 *
 * One screen: a display string ":N.S" names screen S of the server; the connection, the framebuffer
 * file (Xvfb_screenS), RandR and the workload are that screen's. A screen of a server the host
 * started for several monitors (`shared`, src/host/shared-xvfb.ts) is attached to like a user's
 * display (never stopped or restarted here: the host does both, once for all screens), but its
 * built-in workload is ours and starts again when the server came back.
 *
 * Invariant: at most one connection is current; a connection that closes after it was replaced
 * reports nothing.
 */
import { BackendError } from '../../contract/errors.js';
import { FORMAT_UNKNOWN } from '../../contract/pixel-format.js';
import type { Clock } from '../../display/clock.js';
import { FramebufferReader } from './framebuffer-reader.js';
import { WorkloadProcess, type WorkloadExit, type WorkloadSpec } from './workload-process.js';
import { XConnection } from './x-connection.js';
import { attachXvfb, screenDisplay, screenIndexOf, startXvfb, type XvfbScreenSpec, type XvfbServer } from './xvfb-server.js';
import { formatForDepth } from './xwd-header.js';

const RESTART_ATTEMPTS = 5;
const ATTACH_RETRY_MS = 250;
/** How long an attached display that went away may take to come back before the run fails. */
export const ATTACH_GRACE_MS = 5_000;

export interface ServerLifeOptions {
  spec: XvfbScreenSpec;
  restartOnCrash: boolean;
  workload: WorkloadSpec;
  workloadFps: number | 'max';
  /** The targetId the built-in workload stamps (default 1). */
  targetId?: number;
  /** The display is a screen of a server the host started for several monitors (see above). */
  shared?: boolean;
  /** Start the server on this display number (XvfbDisplayOptions.displayNumber), else the first free one. */
  displayNumber?: number;
  /** The framebuffer's base folder (XvfbDisplayOptions.fbDir), else framebuffer-dir.ts's pick. */
  fbDir?: string;
}

/** What a fresh connection tells the display: the screen's size and pixel format. */
export interface ConnectedScreen {
  width: number;
  height: number;
  format: number;
}

export interface ServerLifeHooks {
  /** A new connection, validated, not yet current: set up its event routing here. May throw. */
  onConnected(conn: XConnection, screen: ConnectedScreen): void;
  /** The current connection closed (the server died or went away). */
  onConnectionLost(conn: XConnection): void;
  /** True once the display is stopping: recovery gives up. */
  stopping(): boolean;
  /** A failure recovery survived (a restart attempt that did not work), for the display's stats. */
  recordError(message: string): void;
  /** Something the user must see on the recovery timeline (the workload died, was restarted). */
  recordEvent?(e: DisplayEvent): void;
  /** The display cannot go on (an attached display that did not come back): the run ends with this error. */
  fail?(e: BackendError): void;
}

/** A display-side event for the recovery timeline (the worker posts it with class 'display'). */
export interface DisplayEvent {
  atMs: number;
  failure: string;
  action: string;
  detail: string;
}

function fbDirOption(opts: ServerLifeOptions): { fbDir?: string } {
  return opts.fbDir !== undefined ? { fbDir: opts.fbDir } : {};
}

/** How often a built-in workload that died is started again before the display gives up on it. */
export const WORKLOAD_RESTARTS = 3;

export class ServerLife {
  /** The current connection, or null before connect / after teardown. */
  conn: XConnection | null = null;
  serverRestarts = 0;
  workloadRestarts = 0;
  private workload: WorkloadProcess | null = null;
  /** The screen of the server this display shows. */
  readonly screen: number;

  private constructor(
    private serverNow: XvfbServer,
    private readonly opts: ServerLifeOptions,
    private readonly clock: Clock,
    private readonly hooks: ServerLifeHooks,
    screen: number,
  ) {
    this.screen = screen;
  }

  /** Starts Xvfb (or attaches to `display`, ":N" or ":N.S") without connecting yet. */
  static async open(display: string | undefined, opts: ServerLifeOptions, clock: Clock, hooks: ServerLifeHooks): Promise<ServerLife> {
    const screen = display !== undefined ? screenIndexOf(display) : 0;
    const server = display !== undefined ? attachXvfb(display) : await startXvfb(opts.spec, opts.displayNumber, fbDirOption(opts));
    if (screen >= server.screens) throw new BackendError(`display ${display ?? server.display} has ${server.screens} screen(s), no screen ${screen}`);
    return new ServerLife(server, opts, clock, hooks, screen);
  }

  get server(): XvfbServer {
    return this.serverNow;
  }

  /** ":N.S" of this display's screen (":N" for screen 0). */
  get screenDisplay(): string {
    return screenDisplay(this.serverNow.display, this.screen);
  }

  /** The framebuffer file of this display's screen. */
  get framebufferPath(): string {
    return this.serverNow.framebufferPathOf(this.screen);
  }

  get workloadPid(): number | null {
    return this.workload?.pid ?? null;
  }

  /**
   * Connects, validates the screen against the framebuffer file, and makes the connection current.
   * `beforeLive` runs once the screen is validated, right before the display goes live on it (frames
   * may flow from then on, so what must precede them on the timeline is recorded there).
   */
  async connect(beforeLive?: () => void): Promise<void> {
    const server = this.serverNow;
    const conn = await XConnection.open(this.screenDisplay);
    try {
      const format = formatForDepth(conn.depth);
      if (format === FORMAT_UNKNOWN) {
        throw new BackendError(`display ${this.screenDisplay} has depth ${conn.depth}; vdpush reads depth 24 or 30`);
      }
      // Validate the framebuffer file now, so a bad header fails create(), not the first frame.
      const probe = FramebufferReader.open(this.framebufferPath);
      const fileFormat = probe.header.format;
      const fbW = probe.header.width;
      const fbH = probe.header.height;
      probe.close();
      if (fileFormat !== format) {
        throw new BackendError(`the framebuffer file's depth does not match display ${this.screenDisplay}'s depth ${conn.depth}`);
      }
      const geo = await new Promise<{ width: number; height: number }>((resolve, reject) =>
        conn.client.GetGeometry(conn.root, (err, g) => (err ? reject(err) : resolve(g))),
      );
      if (geo.width > fbW || geo.height > fbH) {
        throw new BackendError(`screen ${geo.width}x${geo.height} is larger than the framebuffer file's ${fbW}x${fbH}`);
      }
      beforeLive?.();
      this.hooks.onConnected(conn, { width: geo.width, height: geo.height, format });
      conn.onClose(() => {
        if (conn === this.conn) this.hooks.onConnectionLost(conn);
      });
      this.conn = conn;
      if (server.owned) server.onUnexpectedExit(() => conn.close());
      await conn.sync();
    } catch (e) {
      conn.close();
      throw e;
    }
  }

  async startWorkload(): Promise<void> {
    const wp = await WorkloadProcess.start(this.opts.workload, this.screenDisplay, this.opts.workloadFps, this.opts.targetId ?? 1);
    this.workload = wp;
    wp?.onUnexpectedExit((e) => void this.onWorkloadExit(wp, e));
  }

  /**
   * The workload died on its own. The built-in one is started again (its frames are what the host
   * verifies), up to WORKLOAD_RESTARTS times; an --exec program is the user's, so its exit is
   * reported, not undone (xsetroot exits 0 after drawing, by design). Each is a timeline event.
   */
  private async onWorkloadExit(wp: WorkloadProcess, e: WorkloadExit): Promise<void> {
    if (this.workload !== wp || this.hooks.stopping()) return;
    this.workload = null;
    const how = e.signal !== null ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
    const spec = this.opts.workload;
    const name = typeof spec === 'object' ? `--exec "${spec.exec}"` : `the ${spec} workload`;
    const detail = `${name} (pid ${wp.pid}) ${how}${e.stderr ? `: ${e.stderr.split('\n').slice(-2).join(' / ').slice(0, 200)}` : ''}`;
    const record = (action: string, d: string): void => this.hooks.recordEvent?.({ atMs: this.clock.now(), failure: 'workload-exited', action, detail: d });
    if (typeof spec === 'object') {
      record(e.code === 0 ? 'workload-finished' : 'workload-failed', detail);
      return;
    }
    if (this.workloadRestarts >= WORKLOAD_RESTARTS || !this.conn) {
      record('workload-lost', `${detail}; not restarted (${this.workloadRestarts} restarts already)`);
      this.hooks.recordError(`workload lost: ${detail}`);
      return;
    }
    this.workloadRestarts++;
    try {
      await this.startWorkload();
      record('workload-restarted', `${detail}; restarted as pid ${this.workloadPid ?? '?'}`);
    } catch (err) {
      record('workload-lost', `${detail}; the restart failed: ${(err as Error).message}`);
      this.hooks.recordError(`workload restart: ${(err as Error).message}`);
    }
  }

  /** Brings the X server back: restart ours (same display number first), or wait for an attached one. */
  async recover(): Promise<void> {
    const old = this.serverNow;
    if (this.workload) {
      await this.workload.stop();
      this.workload = null;
    }
    if (!old.owned) {
      // A workload asked for (--exec, --workload builtin) runs on the display that came back too.
      if (await this.reattach(old.display)) await this.startWorkload().catch((e: unknown) => this.hooks.recordError(`workload after reattach: ${(e as Error).message}`));
      return;
    }
    if (!this.opts.restartOnCrash) return;
    await old.stop();
    for (let attempt = 0; attempt < RESTART_ATTEMPTS && !this.hooks.stopping(); attempt++) {
      try {
        this.serverNow = await startXvfb(this.opts.spec, attempt < RESTART_ATTEMPTS - 1 ? old.displayNumber : undefined, fbDirOption(this.opts));
        await this.connect();
        this.serverRestarts++;
        await this.startWorkload();
        return;
      } catch (e) {
        this.hooks.recordError(`restart: ${(e as Error).message}`);
        if (this.serverNow !== old) await this.serverNow.stop();
        await this.clock.sleep(100 * (attempt + 1));
      }
    }
  }

  /**
   * An attached display (the user's) went away: a timeline event at once, then reconnect attempts
   * for ATTACH_GRACE_MS; a display that did not come back by then fails the run (hooks.fail).
   */
  private async reattach(display: string): Promise<boolean> {
    const record = (action: string, detail: string): void => this.hooks.recordEvent?.({ atMs: this.clock.now(), failure: 'display-lost', action, detail });
    const lostAt = this.clock.now();
    record('display-lost', `the attached X display ${display} went away; waiting up to ${ATTACH_GRACE_MS / 1000} s for it to come back`);
    let last = '';
    while (!this.hooks.stopping() && this.clock.now() - lostAt < ATTACH_GRACE_MS) {
      try {
        this.serverNow = attachXvfb(display);
        // Recorded before the swap-chain starts: the first frame of the display that came back follows it.
        await this.connect(() => record('display-back', `the attached X display ${display} came back after ${Math.round(this.clock.now() - lostAt)} ms`));
        return true;
      } catch (e) {
        last = (e as Error).message;
        await this.clock.sleep(ATTACH_RETRY_MS);
      }
    }
    if (this.hooks.stopping()) return false;
    const message = `the attached X display ${display} went away and did not come back within ${ATTACH_GRACE_MS / 1000} s${last ? ` (${last})` : ''}`;
    record('display-gone', message);
    this.hooks.recordError(message);
    this.hooks.fail?.(new BackendError(message));
    return false;
  }

  /** Stops the workload, closes the connection, stops a started server. */
  async teardown(): Promise<void> {
    if (this.workload) await this.workload.stop();
    this.workload = null;
    this.conn?.close();
    await this.serverNow.stop();
  }
}
