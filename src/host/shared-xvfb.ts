/**
 * The one X server of a session with several monitors on xvfb (issue 12): ONE Xvfb with a screen
 * per monitor (`-screen 0 WxHxD -screen 1 ...`; -fbdir gives each its own Xvfb_screenS file, each
 * has its own root window, DAMAGE and RandR). Monitor i's worker attaches to screen i-1 (":N.S")
 * with its own X connection, framebuffer reader, cursor, workload and input, as if the screen were
 * a display of its own; the server itself is the session's, started and stopped here, once.
 *
 * Why one server rather than one per monitor (what main did before): the monitors are one
 * adapter's, and one server is one pointer moving across its screens (a screen shows the cursor
 * only while the pointer is on it), one keyboard, one clipboard, one process to watch, restart and
 * stop. Why here, on the host thread, and not in monitor 1's worker: no worker outlives the others,
 * and monitor 1 may depart first.
 *
 * Departure and arrival: an X server's screens are fixed at its start, so a departed monitor's
 * screen stays (blank, its workload stopped) and is free for the next monitor plugged in, which
 * takes it at its mode when the screen is large enough (RandR cannot grow a screen past its start
 * size). No free screen: the plug is refused with NoFreeScreenError. Spare screens started ahead
 * would cost a framebuffer each for monitors that may never come; `spareScreens` is not offered.
 *
 * Life: one watchdog and one resource entry for the server (pid, -fbdir folder, socket and lock);
 * an unexpected exit restarts it on the same display number, and every worker reconnects its
 * screen as it does an attached display that came back (server-life.ts, within ATTACH_GRACE_MS).
 */
import { NoFreeScreenError } from '../contract/errors.js';
import { screenDisplay, startXvfb, type XvfbScreenSpec, type XvfbServer } from '../backends/xvfb/xvfb-server.js';
import { ChildWatchdog } from './child-watchdog.js';
import { xvfbResources, type DisplayResources } from './display-resources.js';
import type { MonitorConfig } from './worker-messages.js';

const RESTART_ATTEMPTS = 5;

export class SharedXvfb {
  /** targetId of the monitor on each screen, or 0 when the screen is free. */
  private readonly owners: number[];
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private restarting: Promise<void> | null = null;
  restarts = 0;

  private constructor(
    private server: XvfbServer,
    private readonly specs: readonly XvfbScreenSpec[],
    private readonly watchdog: ChildWatchdog | null,
    private readonly fbDir: { fbDir?: string },
  ) {
    this.owners = specs.map(() => 0);
    this.watch();
  }

  /** Starts one Xvfb with one screen per spec (on `displayNumber`, else the first free number; its framebuffer in `fbDir`, else the backend's pick). */
  static async start(specs: readonly XvfbScreenSpec[], displayNumber?: number, fbDir?: string): Promise<SharedXvfb> {
    const where = fbDir !== undefined ? { fbDir } : {};
    // Started before the server, so it exists before the child does.
    const watchdog = ChildWatchdog.start();
    let server: XvfbServer;
    try {
      // The session's own guard (resource-guard.ts) and this watchdog cover the server.
      server = await startXvfb(specs, displayNumber, { exitGuard: false, ...where });
    } catch (e) {
      watchdog?.close();
      throw e;
    }
    return new SharedXvfb(server, specs, watchdog, where);
  }

  /** ":N" */
  get display(): string {
    return this.server.display;
  }

  get pid(): number {
    return this.server.pid;
  }

  get screens(): number {
    return this.specs.length;
  }

  /** Binds screen `screen` to monitor `targetId`; returns its display string ":N.S". */
  claim(screen: number, targetId: number): string {
    this.owners[screen] = targetId;
    return screenDisplay(this.server.display, screen);
  }

  /**
   * A free screen that can show `width` x `height` (its start size at least), claimed for
   * `targetId`; NoFreeScreenError when there is none.
   */
  claimFree(targetId: number, width: number, height: number): string {
    const i = this.owners.findIndex((o, s) => o === 0 && this.specs[s]!.width >= width && this.specs[s]!.height >= height);
    if (i < 0) {
      const free = this.owners.filter((o) => o === 0).length;
      throw new NoFreeScreenError(
        free === 0
          ? `monitor ${targetId}: all ${this.specs.length} screens of the session's Xvfb (${this.display}) show a monitor; screens cannot be added to a running X server (a departed monitor's screen is free again)`
          : `monitor ${targetId}: no free screen of ${this.display} is ${width}x${height} or larger (RandR cannot grow a screen past its start size)`,
      );
    }
    return this.claim(i, targetId);
  }

  /** The monitor on a screen departed: the screen is free for the next one. */
  release(targetId: number): void {
    const i = this.owners.indexOf(targetId);
    if (i >= 0) this.owners[i] = 0;
  }

  /** What must not outlive vdpush: the server, its folder, its socket and lock file. */
  resources(): DisplayResources {
    if (this.stopped !== null && !this.server.alive()) return { pids: [], dirs: [], files: [] };
    return xvfbResources({ serverPid: this.server.pid, serverOwned: true, displayNumber: this.server.displayNumber, workloadPid: null, framebufferPath: this.server.framebufferPath });
  }

  private watch(): void {
    this.watchdog?.update(this.resources());
    // A crash (a signal, SIGKILL, a fatal error's non-zero exit) is restarted. An orderly exit
    // (Xvfb exits 0 on SIGTERM, SIGINT, SIGHUP) is someone stopping it on purpose, the session's own
    // signal cleanup among them: not undone.
    this.server.onUnexpectedExit((code, signal) => {
      const orderly = (signal === null && code === 0) || signal === 'SIGTERM' || signal === 'SIGINT' || signal === 'SIGHUP';
      if (!this.stopping && !orderly) this.restarting = this.restart();
    });
  }

  /** The server died: the same display number again (the workers reconnect to it), a few tries. */
  private async restart(): Promise<void> {
    const old = this.server;
    await old.stop();
    for (let attempt = 0; attempt < RESTART_ATTEMPTS && !this.stopping; attempt++) {
      try {
        this.server = await startXvfb(this.specs, old.displayNumber, { exitGuard: false, ...this.fbDir });
        this.restarts++;
        if (this.stopping) await this.server.stop();
        else this.watch();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
  }

  /** Stops the server (after every worker is done) and removes its folder. Idempotent. */
  stop(): Promise<void> {
    this.stopping = true;
    this.stopped ??= (async () => {
      await this.restarting;
      await this.server.stop();
      this.watchdog?.close();
    })();
    return this.stopped;
  }
}

/**
 * A session's monitors on xvfb: with several and no `display`, one shared server with a screen per
 * monitor, each config bound to its screen (`config.screen`); otherwise null (one monitor keeps
 * its own server, started by its worker; an attached display is the user's).
 */
export async function startSharedServerFor(configs: MonitorConfig[]): Promise<SharedXvfb | null> {
  const first = configs[0];
  if (first === undefined || first.source !== 'xvfb' || configs.length < 2 || first.display !== undefined) return null;
  const shared = await SharedXvfb.start(
    configs.map((c) => ({ width: c.width, height: c.height, depth: c.depth ?? 24 })),
    first.displayNumber,
    first.fbDir,
  );
  configs.forEach((c, i) => {
    c.screen = shared.claim(i, c.targetId);
    // An --exec program is one program: it runs once, on monitor 1's screen (its $DISPLAY is
    // ":N", so it can open windows on the others with -display :N.S); the other screens stay blank.
    if (i > 0 && typeof c.workload === 'object') c.workload = 'none';
  });
  return shared;
}
