/**
 * An existing display vdpush attaches to (`--display :N`, or a screen of the session's shared
 * server): it must be an Xvfb started with `-fbdir`. The owner is found from the display's lock
 * file or listening socket (display-owner.ts); its -fbdir comes from /proc/<pid>/cmdline, and
 * its screens from the Xvfb_screenS files there. vdpush never stops an attached server.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BackendError } from '../../contract/errors.js';
import { MAX_XVFB_SCREENS, parseDisplayNumber } from './display-name.js';
import { findServerPid, pidAlive, readCmdline } from './display-owner.js';
import type { XvfbServer } from './xvfb-server-types.js';

class AttachedXvfb implements XvfbServer {
  readonly owned = false;
  readonly display: string;
  readonly framebufferPath: string;
  constructor(
    readonly displayNumber: number,
    readonly pid: number,
    private readonly fbDir: string,
    readonly screens: number,
  ) {
    this.display = `:${displayNumber}`;
    this.framebufferPath = this.framebufferPathOf(0);
  }
  framebufferPathOf(s: number): string {
    return join(this.fbDir, `Xvfb_screen${s}`);
  }
  alive(): boolean {
    return pidAlive(this.pid);
  }
  onUnexpectedExit(): void {
    // An attached server is not ours to watch or restart; the X connection's end reports its loss.
  }
  async stop(): Promise<void> {
    // Never stop a server vdpush did not start.
  }
}

/** Attaches to an existing Xvfb on `display` (":N"); it must have been started with -fbdir. */
export function attachXvfb(display: string): XvfbServer {
  const n = parseDisplayNumber(display);
  const pid = findServerPid(n);
  if (pid === null) {
    throw new BackendError(`display :${n} not found: no live server owns /tmp/.X${n}-lock (start one, or omit --display to let vdpush start Xvfb)`);
  }
  const argv = readCmdline(pid);
  if (!argv) throw new BackendError(`display :${n}: cannot read /proc/${pid}/cmdline to find its framebuffer directory`);
  const exe = basename(argv[0]!);
  if (exe !== 'Xvfb') {
    throw new BackendError(`display :${n} is served by "${exe}" (pid ${pid}), not Xvfb: vdpush reads Xvfb's -fbdir framebuffer file`);
  }
  const at = argv.indexOf('-fbdir');
  if (at < 0 || at + 1 >= argv.length) {
    throw new BackendError(
      `display :${n}: its Xvfb (pid ${pid}) was not started with -fbdir, so there is no framebuffer file to read. ` +
        `Restart it as "Xvfb :${n} -fbdir /dev/shm/<dir> -noreset -extension SECURITY ..." or omit --display to let vdpush start one`,
    );
  }
  const fbDir = argv[at + 1]!;
  const fb = join(fbDir, 'Xvfb_screen0');
  if (!existsSync(fb)) throw new BackendError(`display :${n}: Xvfb (pid ${pid}) has -fbdir ${argv[at + 1]} but ${fb} does not exist`);
  let screens = 1;
  while (screens < MAX_XVFB_SCREENS && existsSync(join(fbDir, `Xvfb_screen${screens}`))) screens++;
  return new AttachedXvfb(n, pid, fbDir, screens);
}
