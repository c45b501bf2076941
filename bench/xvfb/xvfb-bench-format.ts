/** The text report of `vdpush bench xvfb` (the JSON is the result object itself). */
import type { CapturerNumbers, XvfbBenchResult } from './xvfb-bench-result.js';

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const f3 = (n: number): string => (Number.isFinite(n) ? n.toFixed(3) : 'n/a');
const pct = (n: number): string => (Number.isFinite(n) ? `${(n * 100).toFixed(0)}%` : 'n/a');

function capturerLine(name: string, c: CapturerNumbers, extra = ''): string {
  return (
    `  ${name.padEnd(18)}${String(c.delivered).padStart(8)}${String(c.distinct).padStart(9)}${String(c.torn).padStart(6)}` +
    `${String(c.missed).padStart(8)}${String(c.duplicates).padStart(6)}${f1(c.distinctFps).padStart(11)}${f3(c.cpuSecPerDistinct1000).padStart(12)}` +
    `${f1(c.workloadFps).padStart(12)}${extra}`
  );
}

export function formatXvfbBench(r: XvfbBenchResult): string {
  const lines: string[] = [];
  lines.push(`vdpush bench xvfb — ${r.machine.cpus} CPUs, Node ${r.machine.node}`);
  for (const row of r.rows) {
    const v = row.vdpush;
    const c = row.ceilings;
    lines.push('');
    lines.push(`${row.resolution}, animated workload (the full screen changes every draw, each draw stamped)`);
    lines.push(`  framebuffer in ${row.framebuffer.base} (${row.framebuffer.hugePages ? '2 MiB pages' : '4 KiB pages'})`);
    lines.push(
      `  same-run ceilings: memcpy ${f2(c.memcpyGBps)} GB/s (${f3(c.memcpyMsPerFrame)} ms/frame), pread of the framebuffer ${f2(c.preadGBps)} GB/s (${f3(c.preadMsPerFrame)} ms/frame)`,
    );
    lines.push(`  workload alone: ${f1(row.workloadAloneFps)} draws/s (before/after the capturers ${f1(row.workloadAloneBracketFps[0])}/${f1(row.workloadAloneBracketFps[1])}), X server ${f3(row.xvfbCpuMsPerDrawAlone)} ms CPU per draw`);
    lines.push(`  ${'capturer'.padEnd(18)}${'deliv'.padStart(8)}${'distinct'.padStart(9)}${'torn'.padStart(6)}${'missed'.padStart(8)}${'dups'.padStart(6)}${'distinct/s'.padStart(11)}${'CPU s/1k'.padStart(12)}${'workload/s'.padStart(12)}`);
    lines.push(capturerLine('vdpush', v));
    lines.push(capturerLine('vdpush (no grab)', row.vdpushWithoutGrab));
    lines.push(capturerLine('ffmpeg x11grab', row.ffmpeg));
    lines.push(
      `  vdpush grab per frame: wait ${f3(v.grabWaitMs)} ms, held ${f3(v.grabHeldMs)} ms, of which copying ${f3(v.copyMs)} ms of ${Math.round(v.bytesPerFrame)} B` +
        ` (memcpy of those bytes ${f3(v.memcpyMsForBytes)} ms, pread ${f3(v.preadMsForBytes)} ms) → held ${f2(v.grabVsMemcpy)}x memcpy`,
    );
    lines.push(
      `  vdpush vs ffmpeg: ${f2(v.distinctFps / row.ffmpeg.distinctFps)}x distinct frames/s, ${f2(v.cpuSecPerDistinct1000 / row.ffmpeg.cpuSecPerDistinct1000)}x its CPU per distinct frame; workload slowed by ${pct(1 - v.workloadFps / row.workloadAloneFps)} (ffmpeg: ${pct(1 - row.ffmpeg.workloadFps / row.workloadAloneFps)})`,
    );
    lines.push(
      `  bound: the workload cannot draw while the server is grabbed: ${pct((v.fps * v.grabHeldMs) / 1000)} of the time here;` +
        ` at 1.5x ffmpeg's distinct rate the pread of those bytes alone would hold it ${pct((1.5 * row.ffmpeg.distinctFps * v.preadMsForBytes) / 1000)}`,
    );
    const cb = v.cpuBound;
    if (cb !== undefined) {
      lines.push(
        `  CPU bound: a pread of the just-drawn frame under the grab ${f3(cb.drawnPreadMs)} ms (before/after vdpush ${f3(cb.drawnPreadBracketMs[0])}/${f3(cb.drawnPreadBracketMs[1])}) + the grabbed IPC floor ${f3(cb.floorMs)} ms + the X server's side of it ${f3(cb.serverFloorMs)} ms = ${f3(cb.secPerDistinct1000)} ms per frame` +
          ` → ${f2(cb.vsFfmpeg)}x ffmpeg's CPU per distinct frame at best; vdpush ${f2(cb.vdpushVsBound)}x that bound` +
          ` (its ${f3(v.cpuSecPerDistinct1000)} ms: reads ${f3(cb.split.readsWallMs)} (wall), own CPU beyond them ${f3(cb.split.ownCpuBeyondReadsMs)}, X server's extra ${f3(cb.split.xvfbExtraMs)};` +
          ` the publish call that reads ${f3(cb.split.readsCpuMs)} ms of CPU, the rest ${f3(cb.split.beyondFloorMs)} ms above the floor)`,
      );
    }
    const dr = row.desktop.dirtyRects;
    const ff = row.desktop.fullFrame;
    lines.push(`  desktop workload (1% of the screen per frame):`);
    lines.push(`    dirty rects: ${f1(dr.fps)} frames/s, ${f3(dr.cpuMsPerFrame)} ms CPU/frame, grab held ${f3(dr.grabHeldMs)} ms, ${Math.round(dr.bytesPerFrame)} B read/frame in ${f3(dr.copyMs)} ms`);
    if (dr.warmupCpuMsPerFrame?.length) lines.push(`      after its warm-up: ${dr.warmupWindowSeconds} s windows of ${dr.warmupCpuMsPerFrame.map(f3).join(', ')} ms CPU/frame`);
    lines.push(`    full frame : ${f1(ff.fps)} frames/s, ${f3(ff.cpuMsPerFrame)} ms CPU/frame, grab held ${f3(ff.grabHeldMs)} ms, ${Math.round(ff.bytesPerFrame)} B read/frame`);
    lines.push(`    → ${f1(row.desktop.cpuRatio)}x less CPU per frame with dirty rects (grab ${f1(row.desktop.grabRatio)}x shorter)`);
    lines.push(
      `    bound: of a 1% frame's ${f3(dr.cpuMsPerFrame)} ms, its bytes cost ${f3(row.desktop.bytesMsPerFrame)} ms (same-run pread); ${f3(row.desktop.fixedMsPerFrame)} ms is per-frame work` +
        ` (X events and reply, wake-ups, publish); 20x needs <= ${f3(row.desktop.neededMsPerFrameFor20x)} ms`,
    );
    const wf = row.desktop.wakeFloor;
    lines.push(
      `    floor (same run, same server, after idle): a wake-up ${f3(wf.wakeMs)} ms + an X round trip ${f3(wf.roundTripMs)} ms = ${f3(wf.floorMs)} ms per frame before any byte;` +
        ` with the grab and its ungrab write ${f3(wf.grabbedFloorMs)} ms (vdpush's 1% frame: ${f2(dr.cpuMsPerFrame / wf.grabbedFloorMs)}x that, bytes included);` +
        ` after a 60 Hz frame's idle gap ${f3(wf.grabbedFloorMs60Hz)} ms`,
    );
  }
  const i = r.idle;
  lines.push('');
  lines.push(
    `idle display (a session at 1920x1080, cursor poll on): vdpush ${f2(i.vdpushCorePercent)}% of a core, Xvfb ${f2(i.xvfbCorePercent)}%;` +
      ` one idle wake-up alone: processor ${f1(i.workerPassMicros)} µs (every ${i.workerIdleWaitMs} ms: ${f2(i.workerWaitCorePercent)}%), host ${f1(i.hostPollMicros)} µs (every ${i.hostIdleWakeMs} ms: ${f2(i.hostPollCorePercent)}%)`,
  );
  const t = r.targets;
  const mark = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  lines.push('');
  lines.push('targets (aims, not asserted):');
  for (const p of t.perRow) {
    lines.push(
      `  ${p.resolution}: torn ${p.vdpushTorn} (0); distinct/s ${f2(p.distinctFpsVsFfmpeg)}x ffmpeg (>= 1.5); CPU/distinct ${f2(p.cpuPerDistinctVsFfmpeg)}x ffmpeg (<= 0.5);` +
        ` workload slowed ${pct(p.workloadSlowdown)} (<= 20%); 1% frame ${f1(p.desktopCpuRatio)}x cheaper (>= 20); grab ${f2(p.grabVsMemcpy)}x memcpy (<= 1.3)`,
    );
  }
  lines.push(
    `  met: zero torn ${mark(t.met.zeroTorn)}, 1.5x distinct ${mark(t.met.distinct1_5x)}, half CPU ${mark(t.met.halfCpu)}, slowdown ${mark(t.met.slowdownAtMost20Percent)},` +
      ` 20x desktop ${mark(t.met.desktop20x)}, grab 1.3x ${mark(t.met.grabAtMost1_3xMemcpy)}, idle < 1% ${mark(t.met.idleUnder1Percent)}`,
  );
  return lines.join('\n');
}
