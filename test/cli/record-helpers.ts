/** Reading recordings back with the real ffprobe / ffmpeg, and the sim's frame number from each frame. */
import { execFileSync, spawn } from 'node:child_process';
import { STAMP_TERM, codeOf } from '../../src/backends/sim/pattern-codes.js';
import { DEFAULT_STAMP_WIDTH } from '../../src/backends/sim/pattern-workload.js';
import { FORMAT_BGRA8 } from '../../src/contract/pixel-format.js';

export function probeVideo(path: string): { frames: number; durationS: number; codec: string } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames:format=duration', '-of', 'json', path], { encoding: 'utf8' });
  const j = JSON.parse(out) as { streams: Array<{ codec_name: string; nb_read_frames: string }>; format: { duration: string } };
  return { frames: Number(j.streams[0]!.nb_read_frames), durationS: Number(j.format.duration), codec: j.streams[0]!.codec_name };
}

/** Every frame's presentation time in seconds, as ffprobe reads it. */
export function frameTimes(path: string): number[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  return out.trim().split('\n').filter((l) => l.trim() !== '').map((l) => Number.parseFloat(l));
}

/**
 * Decodes `path` with ffmpeg to raw BGRA and reads the simulated display's frame number from each
 * frame's stamp (the left columns, one colour per frame: see pattern-codes.ts). The encoder is
 * lossy, so each frame takes the nearest of the next few frame numbers after the previous one —
 * enough to see a repeat (same number), the next frame (+1) and a skipped one (+2 or more).
 */
export function decodeFrameNumbers(path: string, width: number, height: number, seed: number, window = 8): Array<{ n: number; distance: number; margin: number }> {
  // passthrough: without it ffmpeg makes a variable-rate file constant-rate, duplicating frames.
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'bgra', '-'], { maxBuffer: 1 << 30 });
  const frameBytes = width * height * 4;
  const out: Array<{ n: number; distance: number; margin: number }> = [];
  let prev = 0;
  for (let off = 0; off + frameBytes <= raw.length; off += frameBytes) {
    // Average the stamp's interior, away from the chroma of the first tile.
    let b = 0;
    let g = 0;
    let r = 0;
    let k = 0;
    for (let y = 4; y < height - 4; y++) {
      for (let x = 1; x < DEFAULT_STAMP_WIDTH - 2; x++) {
        const o = off + (y * width + x) * 4;
        b += raw[o]!;
        g += raw[o + 1]!;
        r += raw[o + 2]!;
        k++;
      }
    }
    b /= k;
    g /= k;
    r /= k;
    let best = -1;
    let bestD = Infinity;
    let second = Infinity;
    for (let n = prev; n <= prev + window; n++) {
      const v = codeOf(STAMP_TERM, n, seed, FORMAT_BGRA8);
      const d = Math.abs((v & 0xff) - b) + Math.abs(((v >>> 8) & 0xff) - g) + Math.abs(((v >>> 16) & 0xff) - r);
      if (d < bestD) {
        second = bestD;
        bestD = d;
        best = n;
      } else if (d < second) second = d;
    }
    out.push({ n: best, distance: bestD, margin: second - bestD });
    prev = best;
  }
  return out;
}

/**
 * Runs `vdpush record - ...args` piped into ffmpeg reading Y4M (`-f framemd5`): both exit codes,
 * vdpush's stderr, and the MD5 of every picture ffmpeg decoded, in order.
 */
export async function recordToFramemd5(cli: string, args: string[]): Promise<{ code: unknown; ffcode: unknown; stderr: string; md5s: string[] }> {
  const child = spawn(process.execPath, [cli, 'record', '-', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const ffmpeg = spawn('ffmpeg', ['-v', 'error', '-f', 'yuv4mpegpipe', '-i', 'pipe:0', '-f', 'framemd5', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdout.pipe(ffmpeg.stdin);
  let stderr = '';
  let out = '';
  child.stderr.on('data', (d) => (stderr += d));
  ffmpeg.stdout.on('data', (d) => (out += d));
  const [code, ffcode] = await Promise.all([new Promise((r) => child.on('close', r)), new Promise((r) => ffmpeg.on('close', r))]);
  const md5s = out
    .split('\n')
    .filter((l) => /^\s*0,/.test(l))
    .map((l) => l.split(',').pop()!.trim());
  return { code, ffcode, stderr, md5s };
}
