/**
 * `serve --view-only`: a VNC client's keys, pointer and clipboard are dropped before they reach
 * the display, while the same client's input reaches it without the flag (the simulated display
 * counts what arrives; the panel's /api/stats shows the counts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { CLI } from './cli-helpers.js';
import { http } from '../host/viewer/viewer-test-client.js';
import { eventually } from '../support/chromium.js';

/** Speaks just enough RFB 3.8 (None) to send a click, a key and a cut text, then waits for an update. */
async function sendInput(port: number): Promise<void> {
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
    const request = Buffer.from([3, 0, 0, 0, 0, 0, 0, 16, 0, 16]);
    s.write(Buffer.concat([pointer(1), pointer(0), key(1), key(0), cut, request]));
    // The update comes after the server handled every message before the request.
    await need(1);
  } finally {
    s.destroy();
  }
}

async function inputSeen(viewOnly: boolean): Promise<Record<string, number>> {
  const args = [CLI, 'serve', '--port', '0', '--vnc', '0', '--mode', '320x180@30', ...(viewOnly ? ['--view-only'] : [])];
  const serve = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  serve.stderr.on('data', (d) => (err += d));
  try {
    await eventually(async () => /VNC at \S+:\d+/.test(err) && /viewer at http/.test(err), `vdpush serve's addresses (${err})`);
    const vncPort = Number(/VNC at \S+:(\d+)/.exec(err)![1]);
    const base = /viewer at (http:\/\/[^/\s]+)/.exec(err)![1]!;
    await sendInput(vncPort);
    let input: Record<string, number> = {};
    // The worker reports its counters a few times a second; a view-only run must stay at zero.
    await eventually(async () => {
      const r = JSON.parse((await http(`${base}/api/stats`)).body) as { stats: { input: Record<string, number> | null } };
      input = r.stats.input ?? {};
      return viewOnly ? Object.keys(input).length > 0 : input['clipboard'] === 1;
    }, 'the input counters');
    return input;
  } finally {
    const closed = new Promise((r) => serve.once('close', r));
    serve.kill('SIGINT');
    await closed;
  }
}

test('without --view-only a VNC client’s click, key and cut text reach the display', async () => {
  const seen = await inputSeen(false);
  assert.deepEqual(seen, { keys: 2, pointer: 2, clicks: 1, wheel: 0, clipboard: 1, dropped: 0 });
});

test('with --view-only the same input is ignored', async () => {
  const seen = await inputSeen(true);
  assert.deepEqual(seen, { keys: 0, pointer: 0, clicks: 0, wheel: 0, clipboard: 0, dropped: 0 });
});
