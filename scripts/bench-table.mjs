#!/usr/bin/env node
// Prints the README's performance table (Markdown) from ONE `vdpush bench all --json` run, every
// figure beside the ceiling or baseline measured in that same run:
//   npx vdpush bench all --json > bench.json && node scripts/bench-table.mjs bench.json
//   npx vdpush bench all --json | node scripts/bench-table.mjs
// Paste the output over the table in README.md's "Performance" section.
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2] ?? 0, 'utf8');
const all = JSON.parse(text.trim().split('\n').pop());

const n = (v, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a');
const pct = (v) => `${(v * 100).toFixed(0)}%`;
const x = (v, d = 2) => `**${n(v, d)}x**`;
const rows = [];
const row = (what, measured, ceiling, target) => rows.push(`| ${what} | ${measured} | ${ceiling} | ${target} |`);

const ring = all.ring;
if (ring) {
  for (const r of ring.results) {
    const size = `${r.width}x${r.height}`;
    row(`ring, full-frame publish (worker) + consume (main), ${size} bgra8`, `${n(r.fps, 0)} frames/s, ${n(r.GBps)} GB/s`,
      `memcpy ${n(r.memcpyGBps)} GB/s (two slots ${n(r.memcpyTwoSlotsGBps)}) → ${x(r.ratioToMemcpy)}` +
        (r.throughputFloor ? `; floor (the same copy into two slots + a bare futex wake) ${n(r.throughputFloor.GBps)} GB/s = ${x(r.throughputFloor.ratioToMemcpy)} memcpy, ring ${x(r.throughputFloor.ringVsFloor)} of it` : ''),
      '>= 0.8x');
    row(`publish-to-consume latency, ${size}, p50 / p99`, `${n(r.latencyUs.p50, 0)} / ${n(r.latencyUs.p99, 0)} µs`,
      `postMessage p50 ${n(r.baseline.latencyUs.p50, 0)} µs (ring p99 ${x(r.latencyUs.p99 / r.baseline.latencyUs.p50)} of it)` +
        (r.floor ? `; floor (the same paced copy + a bare futex wake) p99 ${n(r.floor.latencyUs.p99, 0)} µs: ring p99 ${x(r.floor.ringP99VsFloorP99)} of it, floor p99 ${x(r.floor.floorP99VsBaselineP50)} the baseline p50` : ''),
      'p99 < baseline p50');
    row(`ring vs postMessage (transferred buffer), ${size}`, `${n(r.fps, 0)} vs ${n(r.baseline.fps, 0)} frames/s`, x(r.fps / r.baseline.fps, 1), '');
    if (r.allocatedBytesPerFrame) {
      const a = r.allocatedBytesPerFrame;
      row(`ring heap garbage per frame (warm), ${size}`, `publish ${n(a.publisher, 2)} B, consume ${n(a.consumer, 2)} B`, 'a BigInt is 16 B; the publish timestamp (performance.now) is one 16 B HeapNumber', 'none');
    }
    row(`1%-damage publish vs full frame, ${size}`, `${n(r.dirty.onePercentPublishUs)} vs ${n(r.dirty.fullPublishUs)} µs`,
      x(r.dirty.speedup, 1) + (r.dirty.onePercentMovingPublishUs !== undefined ? ` (the rect moving a pixel per frame: ${n(r.dirty.onePercentMovingPublishUs)} µs, ${x(r.dirty.movingSpeedup, 1)})` : ''), '>= 20x');
  }
}

const xv = all.xvfb;
if (xv) {
  for (const r of xv.rows) {
    const v = r.vdpush;
    const f = r.ffmpeg;
    const c = r.ceilings;
    row(`Xvfb ${r.resolution}, stamped full-screen workload: distinct whole frames/s`,
      `vdpush ${n(v.distinctFps)} (torn ${v.torn}, missed ${v.missed}, dups ${v.duplicates})`,
      `ffmpeg x11grab ${n(f.distinctFps)} (torn ${f.torn}) → ${x(v.distinctFps / f.distinctFps)}; without the grab ${n(r.vdpushWithoutGrab.distinctFps)} (torn ${r.vdpushWithoutGrab.torn})`, '0 torn, >= 1.5x');
    row(`Xvfb ${r.resolution}, CPU s per 1,000 distinct frames (capturer + extra X server)`, `${n(v.cpuSecPerDistinct1000, 2)}`,
      `ffmpeg ${n(f.cpuSecPerDistinct1000, 2)} → ${x(v.cpuSecPerDistinct1000 / f.cpuSecPerDistinct1000)}` +
        (v.cpuBound ? `; bound (a pread of the just-drawn frame ${n(v.cpuBound.drawnPreadMs, 2)} ms + the grabbed IPC floor ${n(v.cpuBound.floorMs, 2)} ms + its X-server side ${n(v.cpuBound.serverFloorMs ?? 0, 2)} ms) ${n(v.cpuBound.secPerDistinct1000, 2)} → ${x(v.cpuBound.vsFfmpeg)} ffmpeg's, vdpush ${x(v.cpuBound.vdpushVsBound)} the bound` : '') +
        (v.cpuBound?.split?.readsCpuMs !== undefined ? ` (vdpush's reads ${n(v.cpuBound.split.readsCpuMs, 2)} ms of CPU, its other work ${n(v.cpuBound.split.beyondFloorMs, 2)} ms above the floor, the X server's extra ${n(v.cpuBound.split.xvfbExtraMs, 2)} ms)` : ''),
      '<= 0.5x');
    row(`Xvfb ${r.resolution}, workload draws/s under the capturer`, `vdpush ${n(v.workloadFps)}`,
      `alone ${n(r.workloadAloneFps)}${r.workloadAloneBracketFps ? ` (the mean of ${n(r.workloadAloneBracketFps[0])} before and ${n(r.workloadAloneBracketFps[1])} after the capturers)` : ''} (${x(v.workloadFps / r.workloadAloneFps)}); ffmpeg ${n(f.workloadFps)}; grabbed ${pct(v.fps * v.grabHeldMs / 1000)} of the time` +
        ` (at 1.5x ffmpeg's rate the pread alone holds it ${pct(1.5 * f.distinctFps * v.preadMsForBytes / 1000)})`, '>= 0.8x alone');
    row(`Xvfb ${r.resolution}, server grab held per frame`, `${n(v.grabHeldMs, 2)} ms (copy ${n(v.copyMs, 2)} ms of ${n(v.bytesPerFrame / 1e6)} MB)`,
      `memcpy of those bytes ${n(v.memcpyMsForBytes, 2)} ms → ${x(v.grabVsMemcpy)}; pread ${n(c.preadGBps, 2)} GB/s vs memcpy ${n(c.memcpyGBps, 2)} GB/s` +
        (v.cpuBound ? `; a pread of those bytes just after the X server drew them ${n(v.cpuBound.drawnPreadMs, 2)} ms → grab ${x(v.grabHeldMs / v.cpuBound.drawnPreadMs)} of it` : ''), '<= 1.3x');
    const d = r.desktop;
    // The 1% frame is measured once its path is warm; its warm-up's first window is quoted too.
    const wu = d.dirtyRects.warmupCpuMsPerFrame;
    const warm = wu?.length ? ` (after ${n(wu.length * d.dirtyRects.warmupWindowSeconds, 0)} s of it; its first ${n(d.dirtyRects.warmupWindowSeconds, 0)} s ${n(wu[0], 3)} ms)` : '';
    row(`Xvfb ${r.resolution}, 1% desktop workload vs full frames, CPU per frame`, `${n(d.dirtyRects.cpuMsPerFrame, 3)}${warm} vs ${n(d.fullFrame.cpuMsPerFrame, 3)} ms`,
      `${x(d.cpuRatio, 1)} (bytes ${n(d.bytesMsPerFrame, 3)} ms${d.dirtyRects.copyMs !== undefined ? ` at the bulk pread rate, read in ${n(d.dirtyRects.copyMs, 3)} ms` : ''}, per-frame work ${n(d.fixedMsPerFrame, 3)} ms${d.wakeFloor ? `, of it a wake-up + an X round trip ${n(d.wakeFloor.floorMs, 3)} ms${d.wakeFloor.grabbedFloorMs !== undefined ? `, ${n(d.wakeFloor.grabbedFloorMs, 3)} ms with the grab and its ungrab write` : ''}${d.wakeFloor.grabbedFloorMs60Hz !== undefined ? ` (${n(d.wakeFloor.grabbedFloorMs60Hz, 3)} ms after a 60 Hz frame's idle gap)` : ''}` : ''}; 20x needs <= ${n(d.neededMsPerFrameFor20x, 3)} ms)`, '>= 20x');
  }
  const i = xv.idle;
  row('Xvfb idle display (`vdpush run` in its own process: worker + host)', `${n(i.vdpushCorePercent, 2)}% of a core`,
    `one wake-up: processor ${n(i.workerPassMicros, 0)} µs every ${i.workerIdleWaitMs ?? 16} ms idle (${n(i.workerWaitCorePercent, 2)}%), host ${n(i.hostPollMicros, 0)} µs every ${i.hostIdleWakeMs ?? 25} ms (${n(i.hostPollCorePercent, 2)}%)`, '< 1%');
}

const p = all.processor;
if (p) {
  row(`terminate latency in a continuous ${n(p.terminate.burstHz, 0)} Hz burst`, `p50 ${n(p.terminate.p50Ms, 3)} ms, max ${n(p.terminate.maxMs, 2)} ms`, '', '< 20 ms');
  row('one device removal → frames published again (real clock)', `median ${n(p.recovery.medianRecoveryMs)} ms`, '', '< 100 ms');
  row('fall back to the software adapter → frames again', `median ${n(p.recovery.medianFallbackMs)} ms`, '', '< 250 ms');
}

const vnc = all.vnc;
if (vnc && vnc.ratios) {
  for (const [w, r] of Object.entries(vnc.ratios)) {
    const srv = vnc.servers ?? {};
    if (srv.vdpush?.[w]?.updates === 0) {
      // No updates on an idle display: the cost is the server's share of a core, not per update.
      row(`RFB server, ${vnc.resolution}, ${w} display`, `vdpush ${n(srv.vdpush[w].corePercent, 2)}% of a core`, `x11vnc ${n(srv.x11vnc?.[w]?.corePercent, 2)}%`, '< 1%');
      continue;
    }
    // Both CPU ratios: the server's own, and with the extra X-server CPU each causes (x11vnc's
    // screen copy is done by Xvfb, vdpush's by vdpush), the one that compares like with like.
    const withX = r.cpuPerUpdateWithXvfb !== undefined ? ` (${x(r.cpuPerUpdateWithXvfb)} with the extra X-server CPU)` : '';
    row(`RFB server, ${vnc.resolution}, ${w} workload`, `CPU per update ${x(r.cpuPerUpdate)} x11vnc's${withX}, p99 latency ${x(r.p99Latency)}`, `updates/s ${x(r.updatesPerSec)} x11vnc's`, '<= 0.5x CPU, lower p99');
  }
  // What a just-started server costs (the first window of its warm-up: V8 still compiling
  // vdpush) beside the measured, warmed-up update: the start-up is reported, not hidden.
  const wv = vnc.warmup?.vdpush;
  const wx = vnc.warmup?.x11vnc;
  if (wv && wx && vnc.servers?.vdpush?.animation && vnc.servers?.x11vnc?.animation) {
    const first = (c, w) => `${n(c[w][0], 2)} → ${n(vnc.servers[c === wv ? 'vdpush' : 'x11vnc'][w].cpuSecPer1000, 2)}`;
    row(`RFB server, ${vnc.resolution}, CPU ms per update in the first ${n(wv.windowSeconds, 0)} s of a just-started server (each workload has its own) → measured after its ${n(wv.windowSeconds * wv.animation.length, 0)} s warm-up`,
      `vdpush animation ${first(wv, 'animation')}, desktop ${first(wv, 'desktop')}`,
      `x11vnc animation ${first(wx, 'animation')}, desktop ${first(wx, 'desktop')}; first windows vdpush/x11vnc ${x(wv.animation[0] / wx.animation[0])} / ${x(wv.desktop[0] / wx.desktop[0])}`, '');
    // A client that connects again re-tiers vdpush's per-update code (server-warmup.ts): its
    // first window, beside x11vnc's, is reported with the steady figure above it.
    if (wv.reconnect && wx.reconnect) {
      const again = (c) => `animation ${n(c.reconnect.animation, 2)}, desktop ${n(c.reconnect.desktop, 2)}`;
      row(`RFB server, ${vnc.resolution}, CPU ms per update in the first ${n(wv.reconnect.windowSeconds, 0)} s of a client that connects again once the measured one left`,
        `vdpush ${again(wv)}`,
        `x11vnc ${again(wx)}; vdpush/x11vnc ${x(wv.reconnect.animation / wx.reconnect.animation)} / ${x(wv.reconnect.desktop / wx.reconnect.desktop)}`, '');
    }
  }
  // The physical cost of a whole new frame on the same Xvfb (pread + one compare pass), beside
  // x11vnc's CPU per animation update: what the animation's target leaves for everything else.
  const b = vnc.animationBound;
  if (b) {
    row(`RFB server, ${vnc.resolution}, a whole new frame at least (pread + one compare pass)`, `${n(b.floorMsPerFrame, 2)} ms (pread ${n(b.preadMsPerFrame, 2)}, pass ${n(b.scanMsPerFrame, 2)})`,
      `${x(b.floorPerX11vncUpdate)} x11vnc's CPU per animation update (pread alone ${x(b.preadPerX11vncUpdate)}); vdpush ${x(b.vdpushPerFloor)} this floor`, '');
    // vdpush's own pipeline at least: the host meets each frame after the capture thread wrote it,
    // and each of its two threads pays a frame's IPC.
    if (Number.isFinite(b.pipelineFloorMs)) {
      row(`RFB server, ${vnc.resolution}, animation: vdpush's pipeline at least (pread + the pass over a frame another thread wrote + both threads' IPC)`,
        `${n(b.pipelineFloorMs, 2)} ms (pass ${n(b.crossThreadScanMsPerFrame, 2)}; IPC ${n(vnc.desktopBound?.captureFloorMs + vnc.desktopBound?.hostFloorMs, 2)})`,
        `${x(b.pipelinePerX11vncUpdate)} x11vnc's CPU per animation update; vdpush ${x(b.vdpushPerPipelineFloor)} it` +
          (Number.isFinite(b.pacedPipelineFloorMs)
            ? (b.pacedCrossThreadScanMsPerFrame === undefined
                ? `; with the pread paced at the display's rate (${n(b.pacedPreadMsPerFrame, 2)} ms after each frame's gap)` // a run before the pass was paced too
                : `; with the pread and the pass paced at the display's rate (${n(b.pacedPreadMsPerFrame, 2)} and ${n(b.pacedCrossThreadScanMsPerFrame, 2)} ms after each frame's gap)`) +
              ` ${n(b.pacedPipelineFloorMs, 2)} ms = ${x(b.pacedPipelinePerX11vncUpdate)}, vdpush ${x(b.vdpushPerPacedPipelineFloor)} it`
            : ''), '');
    }
  }
  const d = vnc.desktopBound;
  if (d) {
    row(`RFB server, ${vnc.resolution}, desktop: vdpush's update at least (the capture's IPC per 60 Hz frame + the host's plumbing of an update + the strip's bytes)`,
      `${n(d.floorMs, 2)} ms (capture ${n(d.captureFloorMs, 2)}, host ${n(d.hostFloorMs, 2)}, bytes ${n(d.bytesMs, 3)})`,
      `${x(d.floorPerX11vncUpdate)} x11vnc's CPU per desktop update; vdpush ${x(d.vdpushPerFloor)} it`, '');
  }
}

const page = all.page;
if (page && page.sources) {
  for (const [src, r] of Object.entries(page.sources)) {
    const what = `viewer page (noVNC over /rfb, headless Chromium), ${page.mode} full-screen animation, ${src}`;
    if (r.error) {
      row(what, `failed: ${r.error}`, '', "the display's rate");
      continue;
    }
    const mains = r.serveMainCorePercent !== undefined ? `; main threads: serve ${n(r.serveMainCorePercent, 0)}%, page ${n(r.browserMainCorePercent, 0)}%` : '';
    // CPU per frame drawn (serve + Chromium) beside what the cores have per frame at 60 Hz.
    const budget = page.codec && !page.codec.error ? page.codec.budgetMsPerFrame : undefined;
    const perFrame = r.serveCpuMsPerDrawnFrame !== undefined ? `; CPU per frame drawn ${n(r.serveCpuMsPerDrawnFrame)} + ${n(r.browserCpuMsPerDrawnFrame)} ms${budget !== undefined ? ` of the ${n(budget)} ms ${page.machine.cpus} cores have per frame at 60 Hz` : ''}` : '';
    row(what, `${n(r.drawnFps)} frames/s drawn (serve ${n(r.serveCorePercent, 0)}%, Chromium ${n(r.browserCorePercent, 0)}% of a core${mains}${perFrame})`, `display ${n(r.displayFps)} frames/s → ${x(r.ratio)}`, "1.0x (the display's rate)");
  }
  const c = page.codec;
  if (c && !c.error) {
    const sum = c.encodeMsPerFrame + c.decodeMsPerFrame;
    row(`one sim frame's JPEG (${page.mode}, Tight quality 7, ${n(c.jpegBytes / 1024, 0)} KiB), alone`, `encode ${n(c.encodeMsPerFrame, 2)} ms + decode and draw in Chromium ${n(c.decodeMsPerFrame, 2)} ms of CPU`, `${n(c.budgetMsPerFrame)} ms per frame on ${page.machine.cpus} cores at 60 Hz → ${x(sum / c.budgetMsPerFrame)} of it`, '');
  }
}

// `bench record` alone (its own JSON) or within `bench all`.
const rec = all.record ?? (Array.isArray(all.rows) && all.rows[0]?.y4m ? all : undefined);
if (rec) {
  const kinds = { animation: 'full-screen animation', desktop: '1% desktop', idle: 'idle display' };
  const pics = (r) => (r.distinct !== undefined ? `${r.distinct} distinct of ${r.frames} pictures (torn ${r.torn})` : `${r.frames} pictures`);
  for (const r of rec.rows) {
    const mode = `${r.width}x${r.height}@${r.fps}`;
    for (const [c, label] of [['y4m', 'Y4M on stdout'], ['mp4', 'MP4 (libx264 ultrafast)']]) {
      const v = r[c].vdpush;
      const g = r[c].ffmpeg;
      const dist = v.distinct !== undefined ? `distinct ${x(v.distinct / g.distinct)}, ` : '';
      row(`recording ${mode}, ${kinds[r.workload]}, ${label}, ${v.seconds} s`, `vdpush ${pics(v)}, CPU ${n(v.cpuPercentOfCore, 0)}% of a core`,
        `ffmpeg x11grab ${pics(g)}, CPU ${n(g.cpuPercentOfCore, 0)}% → ${dist}CPU ${x(v.cpuPercentOfCore / g.cpuPercentOfCore)}`, '');
    }
    const f = r.mp4.vdpushVfr;
    const g = r.mp4.ffmpeg;
    row(`recording ${mode}, ${kinds[r.workload]}, MP4 with \`--vfr\`, ${f.seconds} s`, `vdpush ${pics(f)}, CPU ${n(f.cpuPercentOfCore, 0)}% of a core`,
      `ffmpeg x11grab (constant rate) CPU ${n(g.cpuPercentOfCore, 0)}% → CPU ${x(f.cpuPercentOfCore / g.cpuPercentOfCore)}`, '');
  }
}

process.stdout.write(['| what | measured | ceiling or baseline in the same run | target |', '|---|---|---|---|', ...rows].join('\n') + '\n');
