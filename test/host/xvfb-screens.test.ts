/**
 * Several monitors on one real X server (issue 12): one Xvfb with a screen per monitor, each
 * monitor with its own worker, connection, DAMAGE, framebuffer file, cursor, RandR and workload.
 * Every check reads real frames out of the rings: their size, the targetId the screen's workload
 * stamped into them, and the workload's sequence; xrandr and xdotool look at the server from outside.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { openSession, type Session } from '../../src/host/session.js';
import { verifyXFrame } from '../../src/backends/xvfb/index.js';
import { InvalidArgumentError, NoFreeScreenError } from '../../src/contract/errors.js';
import { startXvfb } from '../../src/backends/xvfb/xvfb-server.js';
import { alive, waitUntil, xSocketsOf } from './process-probe.js';
import { freeHighDisplayNumber } from './user-xvfb.js';

interface Seen {
  sizes: string[];
  targets: Set<number>;
  sequences: number[];
  frames: number;
}

/** Consumes `targetId`'s frames until `enough(seen)` (bounded), noting size, stamped target and sequence. */
async function watch(session: Session, targetId: number, enough: (s: Seen) => boolean, timeoutMs = 20_000): Promise<Seen> {
  const seen: Seen = { sizes: [], targets: new Set(), sequences: [], frames: 0 };
  const deadline = performance.now() + timeoutMs;
  for await (const f of session.frames(targetId)) {
    const size = `${f.width}x${f.height}`;
    if (seen.sizes[seen.sizes.length - 1] !== size) seen.sizes.push(size);
    const v = verifyXFrame(f.pixels, f.width, f.height, f.stride, f.format);
    // The first frame may precede the workload's first draw (blank, which fails the check): only stamped frames count.
    if (v.ok) {
      seen.targets.add(v.targetId);
      seen.sequences.push(v.sequence);
    }
    seen.frames++;
    if (enough(seen) || performance.now() > deadline) break;
  }
  return seen;
}

/** The one Xvfb among the session's children, and its display number. */
function serverOf(session: Session): { pid: number; display: string; dirs: readonly string[] } {
  const res = session.resources();
  const servers = res.pids.filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'latin1').split('\0')[0]!.endsWith('Xvfb');
    } catch {
      return false;
    }
  });
  assert.equal(servers.length, 1, `one Xvfb for all monitors: ${JSON.stringify(res)}`);
  const pid = servers[0]!;
  const sockets = xSocketsOf(pid);
  assert.equal(sockets.length, 1);
  return { pid, display: `:${sockets[0]!.replace('/tmp/.X11-unix/X', '')}`, dirs: res.dirs };
}

function currentSize(screenDisplay: string): string {
  const m = /current (\d+) x (\d+)/.exec(execFileSync('xrandr', ['-display', screenDisplay, '-q'], { encoding: 'latin1' }));
  return m ? `${m[1]}x${m[2]}` : '?';
}

async function assertGone(server: { pid: number; dirs: readonly string[]; display: string }): Promise<void> {
  const socket = `/tmp/.X11-unix/X${server.display.slice(1)}`;
  assert.ok(await waitUntil(() => !alive(server.pid) && !server.dirs.some(existsSync) && !existsSync(socket), 10_000), 'the Xvfb, its folder and its socket are gone');
}

const increasing = (xs: number[]): boolean => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

test('two monitors on xvfb are two screens of ONE Xvfb at their own modes, each frame stamped with its own target and a rising sequence', async () => {
  const session = await openSession({ source: 'xvfb', monitors: [{ mode: '320x240@30' }, { mode: '256x192@30' }] });
  let server: ReturnType<typeof serverOf> | null = null;
  try {
    server = serverOf(session);
    const folder = server.dirs[0]!;
    assert.ok(existsSync(`${folder}/Xvfb_screen0`) && existsSync(`${folder}/Xvfb_screen1`), 'one framebuffer file per screen');
    const enough = (s: Seen): boolean => s.sequences.length >= 6;
    const [one, two] = await Promise.all([watch(session, 1, enough), watch(session, 2, enough)]);
    assert.deepEqual(one.sizes, ['320x240']);
    assert.deepEqual(two.sizes, ['256x192']);
    assert.deepEqual([...one.targets], [1], "monitor 1's frames carry target 1 only");
    assert.deepEqual([...two.targets], [2], "monitor 2's frames carry target 2 only");
    assert.ok(one.sequences.length >= 6 && increasing(one.sequences), `monitor 1's sequence rises: ${one.sequences.join(',')}`);
    assert.ok(two.sequences.length >= 6 && increasing(two.sequences), `monitor 2's sequence rises: ${two.sequences.join(',')}`);
    assert.equal(currentSize(`${server.display}.0`), '320x240');
    assert.equal(currentSize(`${server.display}.1`), '256x192');
  } finally {
    await session.close();
  }
  const s = session.stats();
  assert.equal(s.monitors.length, 2);
  assert.equal(s.frames.integrityErrors, 0, 'the host verified every frame against its own target');
  assert.deepEqual(s.monitors.map((m) => `${m.mode.width}x${m.mode.height}`), ['320x240', '256x192']);
  await assertGone(server!);
});

test('setMode on monitor 2 changes screen 1 only (RandR per screen); a departed monitor frees its screen for the next plug; no free screen is a typed refusal', async () => {
  const session = await openSession({ source: 'xvfb', monitors: [{ mode: '320x240@30' }, { mode: '320x240@30' }] });
  let server: ReturnType<typeof serverOf> | null = null;
  try {
    server = serverOf(session);
    const oneFirst = watch(session, 1, (s) => s.frames >= 4);
    await watch(session, 2, (s) => s.sequences.length >= 2);
    await session.setMode(2, '200x150@30');
    const two = await watch(session, 2, (s) => s.sizes.includes('200x150') && s.sequences.length >= 3);
    assert.equal(two.sizes[two.sizes.length - 1], '200x150', 'monitor 2 is at its new mode');
    assert.deepEqual([...two.targets], [2]);
    assert.equal(currentSize(`${server.display}.1`), '200x150');
    assert.equal(currentSize(`${server.display}.0`), '320x240', "screen 0's mode is untouched");
    await oneFirst;
    const one = await watch(session, 1, (s) => s.sequences.length >= 3);
    assert.deepEqual(one.sizes, ['320x240'], 'monitor 1 kept its size');
    assert.deepEqual(session.recoveryEvents().filter((e) => e.class !== 'injected' && e.class !== 'display'), [], 'a mode change is no failure');

    // Screens are fixed at the server's start: every screen taken → a typed refusal.
    await assert.rejects(session.addMonitor({ mode: '320x240@30' }), (e: unknown) => e instanceof NoFreeScreenError && e.code === 'VDP_ERR_NO_FREE_SCREEN');
    await session.removeMonitor(2);
    // A mode larger than the free screen's start size cannot be shown there.
    await assert.rejects(session.addMonitor({ mode: '640x480@30' }), NoFreeScreenError);
    const three = await session.addMonitor({ mode: '256x192@30' });
    assert.equal(three, 3);
    const seen = await watch(session, 3, (s) => s.sequences.length >= 3);
    assert.deepEqual(seen.sizes, ['256x192'], "the plugged monitor took screen 1 at its own mode");
    assert.deepEqual([...seen.targets], [3], 'and its frames carry target 3');
    assert.equal(currentSize(`${server.display}.1`), '256x192');
    assert.equal(serverOf(session).pid, server.pid, 'still the one server');
  } finally {
    await session.close();
  }
  assert.equal(session.stats().frames.integrityErrors, 0);
  await assertGone(server!);
});

/**
 * Iterates monitor `targetId`'s frames until `want(pixelAt)` holds for one (bounded: the deadline
 * is checked per frame, and every step below makes the screen draw, so a frame comes); returns it.
 */
async function frameUntil(session: Session, targetId: number, want: (at: (x: number, y: number) => string) => boolean): Promise<boolean> {
  const deadline = performance.now() + 15_000;
  for await (const f of session.frames(targetId)) {
    const at = (x: number, y: number): string => {
      const o = y * f.stride + x * 4;
      return `${f.pixels[o]},${f.pixels[o + 1]},${f.pixels[o + 2]}`;
    };
    if (want(at)) return true;
    if (performance.now() > deadline) break;
  }
  return false;
}

/** Every pixel of the rectangle, or some pixel of it, is `colour`. */
const all = (at: (x: number, y: number) => string, w: number, h: number, colour: string): boolean => {
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (at(x, y) !== colour) return false;
  return true;
};

const RED = '0,0,255';
const BLUE = '255,0,0';
const GREEN = '0,255,0';

test('real X programs on screen 1 (xsetroot, xeyes -display :N.1) show in monitor 2 only; XTEST input moves the pointer to its monitor\'s screen and only that monitor shows the cursor', async () => {
  const session = await openSession({ source: 'xvfb', workload: 'none', monitors: [{ mode: '160x120@30' }, { mode: '160x120@30' }] });
  let server: ReturnType<typeof serverOf> | null = null;
  let eyes: ReturnType<typeof spawn> | null = null;
  try {
    server = serverOf(session);
    const d = server.display;
    execFileSync('xsetroot', ['-display', `${d}.1`, '-solid', '#ff0000']);
    assert.ok(await frameUntil(session, 2, (at) => all(at, 160, 120, RED)), 'monitor 2 shows the root screen 1 was given');
    execFileSync('xsetroot', ['-display', `${d}.0`, '-solid', '#0000ff']);
    assert.ok(await frameUntil(session, 1, (at) => all(at, 160, 120, BLUE)), "monitor 1 shows screen 0's root, none of screen 1's red");
    eyes = spawn('xeyes', ['-display', `${d}.1`, '-geometry', '100x80+0+0'], { stdio: 'ignore' });
    // xeyes paints white eyes with black pupils over the red root, in its corner only.
    assert.ok(await frameUntil(session, 2, (at) => !all(at, 100, 80, RED) && at(150, 110) === RED), 'xeyes on :N.1 reached monitor 2');
    // Where xeyes sits on screen 1, monitor 1 shows its own root only (redrawn green, so a new frame comes).
    execFileSync('xsetroot', ['-display', `${d}.0`, '-solid', '#00ff00']);
    assert.ok(await frameUntil(session, 1, (at) => all(at, 160, 120, GREEN)), 'monitor 1 redrawn all green: no xeyes there');

    // Input goes to the monitor's own screen: the pointer moves there, the cursor shows there only.
    session.remoteInput(2).pointer(120, 100, 0);
    assert.ok(await waitUntil(() => session.cursor(2)?.visible === true && session.cursor(2)?.x === 120 && session.cursor(1)?.visible === false, 10_000), `cursor on monitor 2 only: ${JSON.stringify([session.cursor(1)?.visible, session.cursor(2)?.visible, session.cursor(2)?.x])}`);
    assert.match(execFileSync('xdotool', ['getmouselocation'], { encoding: 'latin1', env: { ...process.env, DISPLAY: d } }), /x:120 y:100 screen:1/);
    session.remoteInput(1).pointer(10, 20, 0);
    assert.ok(await waitUntil(() => session.cursor(1)?.visible === true && session.cursor(1)?.y === 20 && session.cursor(2)?.visible === false, 10_000), 'the pointer went back to monitor 1');
    assert.match(execFileSync('xdotool', ['getmouselocation'], { encoding: 'latin1', env: { ...process.env, DISPLAY: d } }), /x:10 y:20 screen:0/);
  } finally {
    eyes?.kill();
    await session.close();
  }
  await assertGone(server!);
});

const TWO_SCREEN_HOST = fileURLToPath(new URL('./fixtures/two-screen-host.js', import.meta.url));

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  test(`${signal} to a script with a two-screen Xvfb session leaves no Xvfb, workload or folder (${signal === 'SIGKILL' ? 'the watchdog' : 'the signal handler'})`, async () => {
    const child = spawn(process.execPath, [TWO_SCREEN_HOST], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
    const ok = await waitUntil(() => out.includes('\n') || child.exitCode !== null, 30_000);
    if (!ok || child.exitCode !== null) child.kill('SIGKILL');
    assert.ok(ok && child.exitCode === null, `the script started its session (stderr: ${err})`);
    const res = JSON.parse(out.split('\n')[0]!) as { pids: number[]; dirs: string[] };
    // One Xvfb and one workload per screen.
    assert.equal(res.pids.length, 3, `server + two workloads: ${out}`);
    assert.equal(res.dirs.length, 1, 'one framebuffer folder');
    const sockets = res.pids.flatMap(xSocketsOf);
    assert.equal(sockets.length, 1, 'one X server');
    child.kill(signal);
    assert.equal(await exit, signal);
    const gone = await waitUntil(() => !res.pids.some(alive) && !res.dirs.some(existsSync) && !sockets.some(existsSync), 10_000);
    assert.ok(gone, `nothing left: ${JSON.stringify({ pids: res.pids.filter(alive), dirs: res.dirs.filter(existsSync), sockets: sockets.filter(existsSync) })}`);
  });
}

test('attached to a user\'s two-screen Xvfb, --monitors 2 binds its screens at their own sizes; more monitors than screens is a typed refusal; the server is never stopped', async () => {
  const server = await startXvfb([{ width: 192, height: 128, depth: 24 }, { width: 128, height: 96, depth: 24 }]);
  try {
    assert.throws(() => void openSession({ source: 'xvfb', display: server.display, monitors: [{}, {}, {}] }), (e: unknown) => e instanceof InvalidArgumentError && /has 2 screen/.test(e.message));
    execFileSync('xsetroot', ['-display', `${server.display}.1`, '-solid', '#ff0000']);
    const session = await openSession({ source: 'xvfb', display: server.display, monitors: [{}, {}] });
    try {
      assert.ok(await frameUntil(session, 2, (at) => all(at, 128, 96, RED)), "monitor 2 is the user's screen 1");
      const seen = await watch(session, 1, (s) => s.frames >= 1);
      assert.deepEqual(seen.sizes, ['192x128'], "monitor 1 is screen 0 at its size");
    } finally {
      await session.close();
    }
    assert.ok(server.alive(), "the user's server is never stopped");
  } finally {
    await server.stop();
  }
});

test('the shared Xvfb crashes (SIGKILL): it is restarted on the same display number and both monitors deliver verified frames again', async () => {
  // On a number of its own: a freed low number is taken by the next Xvfb anyone starts (-displayfd
  // counts up from 0), and the restart would have to move to another number.
  const number = freeHighDisplayNumber();
  const session = await openSession({ source: 'xvfb', displayNumber: number, monitors: [{ mode: '160x120@30' }, { mode: '128x96@30' }] });
  try {
    const before = serverOf(session);
    assert.equal(before.display, `:${number}`, 'started on the number asked for');
    await Promise.all([watch(session, 1, (s) => s.sequences.length >= 2), watch(session, 2, (s) => s.sequences.length >= 2)]);
    process.kill(before.pid, 'SIGKILL');
    assert.ok(await waitUntil(() => { try { return serverOf(session).pid !== before.pid; } catch { return false; } }, 15_000), 'a new server');
    const after = serverOf(session);
    assert.equal(after.display, before.display, 'on the same display number');
    const [one, two] = await Promise.all([watch(session, 1, (s) => s.sequences.length >= 3), watch(session, 2, (s) => s.sequences.length >= 3)]);
    assert.deepEqual([...one.targets], [1]);
    assert.deepEqual([...two.targets], [2]);
    assert.equal(one.sizes[one.sizes.length - 1], '160x120');
    assert.equal(two.sizes[two.sizes.length - 1], '128x96');
    assert.ok(session.recoveryEvents().some((e) => e.action === 'display-back' && e.targetId === 2), 'monitor 2 reconnected its screen');
  } finally {
    await session.close();
  }
});

test('--exec with two screens runs the program once, on monitor 1\'s screen; monitor 2 gets no workload and no pixel check', async () => {
  const session = await openSession({ source: 'xvfb', workload: { exec: "xsetroot -solid '#ff0000'" }, monitors: [{ mode: '128x96@30' }, { mode: '128x96@30' }] });
  try {
    assert.ok(await frameUntil(session, 1, (at) => all(at, 128, 96, RED)), 'the program drew on screen 0');
    assert.ok(await frameUntil(session, 2, (at) => all(at, 128, 96, '0,0,0')), 'screen 1 stays black');
    const workloads = session.resources().pids.filter((p) => {
      try {
        return !readFileSync(`/proc/${p}/cmdline`, 'latin1').split('\0')[0]!.endsWith('Xvfb');
      } catch {
        return false;
      }
    });
    assert.ok(workloads.length <= 1, `one program at most (xsetroot may have exited already): ${workloads.join(',')}`);
  } finally {
    await session.close();
  }
  assert.equal(session.stats().frames.integrityErrors, 0);
});

test("a one-monitor session's own Xvfb starts on the displayNumber asked for too", async () => {
  const number = freeHighDisplayNumber();
  const session = await openSession({ source: 'xvfb', displayNumber: number, mode: '64x48@30', durationMs: 0 });
  try {
    const server = serverOf(session);
    assert.equal(server.display, `:${number}`);
    const seen = await watch(session, 1, (s) => s.sequences.length >= 1);
    assert.deepEqual(seen.sizes, ['64x48']);
  } finally {
    await session.close();
  }
});
