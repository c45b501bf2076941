/**
 * `record --target 2` and `serve` on the second screen of a two-screen Xvfb (issue 12's
 * multi-monitor xvfb path), end to end through the CLI, checked by clients no one here wrote:
 * ffprobe and ffmpeg read the recording (its size, its frame count, its pixels), vncsnapshot reads
 * monitor 2's RFB port. The screens are drawn by a real X program (xsetroot), each in its own
 * colour and at its own size, so a frame of the wrong screen cannot pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli-helpers.js';
import { probeVideo } from './record-helpers.js';
import { startUserXvfbScreens, type UserXvfb } from '../host/user-xvfb.js';
import { startServe } from '../host/rfb/serve-process.js';
import { requireVncsnapshot, vncsnapshot } from '../host/rfb/vncsnapshot-client.js';

const SCREENS = [
  { width: 192, height: 128 },
  { width: 160, height: 96 },
];
const BLUE = { name: '#1030c0', rgb: [16, 48, 192] };
const RED = { name: '#c01010', rgb: [192, 16, 16] };
const GREEN = { name: '#10a020', rgb: [16, 160, 32] };
/** Per channel: what h264 at its default quality, or vncsnapshot's JPEG, may move a flat colour. */
const TOLERANCE = 12;

function paint(server: UserXvfb, screen: number, colour: { name: string }): void {
  execFileSync('xsetroot', ['-display', `${server.display}.${screen}`, '-solid', colour.name]);
}

/** How many pixels of an RGB image are not `rgb` (within TOLERANCE). */
function offColour(rgb: Uint8Array, want: readonly number[]): number {
  let off = 0;
  for (let i = 0; i + 2 < rgb.length; i += 3) {
    if (Math.abs(rgb[i]! - want[0]!) > TOLERANCE || Math.abs(rgb[i + 1]! - want[1]!) > TOLERANCE || Math.abs(rgb[i + 2]! - want[2]!) > TOLERANCE) off++;
  }
  return off;
}

async function withTwoScreens(fn: (server: UserXvfb, dir: string) => Promise<void>): Promise<void> {
  const server = await startUserXvfbScreens(SCREENS);
  const dir = mkdtempSync(join(tmpdir(), 'vdpush-target2-'));
  try {
    paint(server, 0, BLUE);
    paint(server, 1, RED);
    await fn(server, dir);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('record --target 2 on a two-screen Xvfb records screen 1: its size, one frame per slot of the duration, its pixels in every frame', async () => {
  await withTwoScreens(async (server, dir) => {
    const out = join(dir, 'screen1.mp4');
    const r = await runCli(['record', out, '--source', 'xvfb', '--display', server.display, '--monitors', '2', '--target', '2', '--duration', '1s']);
    assert.equal(r.code, 0, r.stderr);
    const summary = /wrote .*?: (\d+) frames, [\d.]+ s at (\d+) fps/.exec(r.stderr);
    assert.ok(summary, r.stderr);
    const [frames, fps] = [Number(summary[1]), Number(summary[2])];
    assert.equal(frames, fps, '1 s at the screen\'s rate');
    const size = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'json', out], { encoding: 'utf8' })) as { streams: Array<{ width: number; height: number }> };
    assert.deepEqual([size.streams[0]!.width, size.streams[0]!.height], [160, 96], "screen 1's size, not screen 0's 192x128");
    assert.equal(probeVideo(out).frames, frames, 'the file holds every frame the summary counts');
    const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', out, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 26 });
    const frameBytes = 160 * 96 * 3;
    assert.equal(raw.length, frames * frameBytes, 'ffmpeg decodes every frame at that size');
    for (let i = 0; i < frames; i++) {
      const off = offColour(new Uint8Array(raw.buffer, raw.byteOffset + i * frameBytes, frameBytes), RED.rgb);
      assert.equal(off, 0, `frame ${i} is screen 1's red all over (${off} pixels are not)`);
    }
  });
});

test("serve on a two-screen Xvfb: monitor 2's VNC port shows screen 1 to vncsnapshot, at its size, and follows what X draws there", { timeout: 90_000 }, async () => {
  requireVncsnapshot();
  await withTwoScreens(async (server, dir) => {
    const serve = await startServe(['--source', 'xvfb', '--display', server.display, '--monitors', '2']);
    try {
      const [one, two] = [await serve.vncPortOf(1), await serve.vncPortOf(2)];
      const first = await vncsnapshot(two, join(dir, 'two.jpg'), ['-encodings', 'raw']);
      assert.deepEqual([first.width, first.height], [160, 96]);
      assert.equal(offColour(first.rgb, RED.rgb), 0, "monitor 2's port shows screen 1's red");
      const other = await vncsnapshot(one, join(dir, 'one.jpg'), ['-encodings', 'raw']);
      assert.deepEqual([other.width, other.height], [192, 128]);
      assert.equal(offColour(other.rgb, BLUE.rgb), 0, "monitor 1's port shows screen 0's blue");
      // What an X program draws on screen 1 reaches monitor 2's clients (bounded: one snapshot a try).
      paint(server, 1, GREEN);
      let off = -1;
      for (let i = 0; i < 20 && off !== 0; i++) off = offColour((await vncsnapshot(two, join(dir, `two-${i}.jpg`), ['-encodings', 'raw'])).rgb, GREEN.rgb);
      assert.equal(off, 0, "monitor 2's port shows screen 1 turned green");
    } finally {
      await serve.stop();
    }
  });
});
