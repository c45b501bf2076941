/**
 * `serve --view-only`: a VNC client's keys, pointer and clipboard are dropped before they reach
 * the display, while the same client's input reaches it without the flag (the simulated display
 * counts what arrives; the panel's /api/stats shows the counts). So is its SetDesktopSize: a
 * watcher's is answered "prohibited", anyone else's changes the display's mode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { CLI } from './cli-helpers.js';
import { http } from '../host/viewer/viewer-test-client.js';
import { eventually } from '../support/chromium.js';

/**
 * Speaks just enough RFB 3.8 (None) to send a click, a key, a cut text and a SetDesktopSize of
 * 200x100, then reads updates until the answer to the resize: [status, width, height].
 */
async function sendInput(port: number): Promise<number[]> {
  const s = connect({ host: '127.0.0.1', port });
  let buf = Buffer.alloc(0);
  let wake: (() => void) | null = null;
  s.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    wake?.();
  });
  const need = async (n: number): Promise<Buffer> => {
    while (buf.length < n) await new Promise<void>((r) => (wake = r));
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    return out;
  };
  try {
    await need(12);
    s.write('RFB 003.008\n');
    const types = await need((await need(1))[0]!);
    assert.ok(types.includes(1), 'None is offered on loopback');
    s.write(Buffer.from([1]));
    assert.equal((await need(4)).readUInt32BE(0), 0);
    s.write(Buffer.from([1]));
    const init = await need(24);
    await need(init.readUInt32BE(20));
    const pointer = (mask: number): Buffer => Buffer.from([5, mask, 0, 10, 0, 20]);
    const key = (down: number): Buffer => Buffer.from([4, down, 0, 0, 0, 0, 0, 0x61]);
    const cut = Buffer.concat([Buffer.from([6, 0, 0, 0, 0, 0, 0, 2]), Buffer.from('hi')]);
    const request = (incremental: number): Buffer => Buffer.from([3, incremental, 0, 0, 0, 0, 0, 16, 0, 16]);
    // SetEncodings: Raw, ExtendedDesktopSize (-308); SetDesktopSize 200x100, one screen.
    const encodings = Buffer.from([2, 0, 0, 2, 0, 0, 0, 0, 0xff, 0xff, 0xfe, 0xcc]);
    const resize = Buffer.from([251, 0, 0, 200, 0, 100, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 200, 0, 100, 0, 0, 0, 0]);
    s.write(Buffer.concat([encodings, pointer(1), pointer(0), key(1), key(0), cut, resize, request(0)]));
    // The display commits the mode in its own time (on sim: an unassign and a new swap-chain).
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
      const type = (await need(1))[0];
      if (type === 3) {
        await need((await need(7)).readUInt32BE(3)); // ServerCutText: the display's clipboard now holds "hi"
        continue;
      }
      assert.equal(type, 0, 'a FramebufferUpdate');
      const head = Buffer.concat([Buffer.from([0]), await need(3)]);
      for (let n = head.readUInt16BE(2); n > 0; n--) {
        const r = await need(12);
        const [x, y, w, h, enc] = [r.readUInt16BE(0), r.readUInt16BE(2), r.readUInt16BE(4), r.readUInt16BE(6), r.readInt32BE(8)];
        if (enc === 0) await need(w * h * 4);
        else if (enc === -308) {
          await need(4 + 16 * (await need(4))[0]! - 4);
          if (x === 1) return [y, w, h]; // reason 1: the answer to this client's request
        } else assert.fail(`encoding ${enc}`);
      }
      s.write(request(1));
    }
    assert.fail('no answer to SetDesktopSize in 15 s of updates');
  } finally {
    s.destroy();
  }
}

async function inputSeen(viewOnly: boolean): Promise<{ input: Record<string, number>; resize: number[] }> {
  const args = [CLI, 'serve', '--port', '0', '--vnc', '0', '--mode', '320x180@30', ...(viewOnly ? ['--view-only'] : [])];
  const serve = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  serve.stderr.on('data', (d) => (err += d));
  try {
    await eventually(async () => /VNC at \S+:\d+/.test(err) && /viewer at http/.test(err), `vdpush serve's addresses (${err})`);
    const vncPort = Number(/VNC at \S+:(\d+)/.exec(err)![1]);
    const base = /viewer at (http:\/\/[^/\s]+)/.exec(err)![1]!;
    const resize = await sendInput(vncPort);
    let input: Record<string, number> = {};
    // The worker reports its counters a few times a second; a view-only run must stay at zero.
    await eventually(async () => {
      const r = JSON.parse((await http(`${base}/api/stats`)).body) as { stats: { input: Record<string, number> | null } };
      input = r.stats.input ?? {};
      return viewOnly ? Object.keys(input).length > 0 : input['clipboard'] === 1;
    }, 'the input counters');
    return { input, resize };
  } finally {
    const closed = new Promise((r) => serve.once('close', r));
    serve.kill('SIGINT');
    await closed;
  }
}

test('without --view-only a VNC client’s click, key, cut text and SetDesktopSize reach the display', async () => {
  const seen = await inputSeen(false);
  assert.deepEqual(seen.input, { keys: 2, pointer: 2, clicks: 1, wheel: 0, clipboard: 1, dropped: 0 });
  assert.deepEqual(seen.resize, [0, 200, 100], 'its SetDesktopSize changed the mode (status ok, the new size)');
});

test('with --view-only the same input is ignored', async () => {
  const seen = await inputSeen(true);
  assert.deepEqual(seen.input, { keys: 0, pointer: 0, clicks: 0, wheel: 0, clipboard: 0, dropped: 0 });
  assert.deepEqual(seen.resize, [1, 320, 180], 'its SetDesktopSize is answered "prohibited" at the size it has');
});
