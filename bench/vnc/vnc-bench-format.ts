/** The text report of `vdpush bench vnc` (the JSON is the VncBenchResult itself). */
import { SERVERS, WORKLOADS, type VncBenchResult, type VncNumbers, type Workload } from './vnc-bench-result.js';

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '—');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '—');
const f3 = (n: number): string => (Number.isFinite(n) ? n.toFixed(3) : '—');

export function formatVncBench(r: VncBenchResult): string {
  const lines: string[] = [];
  lines.push(`vdpush bench vnc — ${r.resolution}@${r.refreshHz} Xvfb, one ZRLE client per server, ${r.machine.cpus} CPUs, Node ${r.machine.node}`);
  const a = r.workloadAlone;
  lines.push(`workloads alone (no RFB server): animation ${f1(a.animation.drawsPerSec)} draws/s, X server ${f3(a.animation.xvfbCpuMsPerDraw)} ms CPU per draw; desktop ${f1(a.desktop.drawsPerSec)} draws/s, ${f3(a.desktop.xvfbCpuMsPerDraw)} ms`);
  lines.push('  (+X s/1k: CPU s per 1,000 updates of the server plus the X-server CPU beyond those draws\' cost)');
  for (const w of WORKLOADS) {
    lines.push('');
    lines.push(w === 'animation' ? 'animation (the whole screen changes every frame)' : w === 'desktop' ? 'desktop (a 1% strip changes every frame)' : 'idle (nothing changes)');
    lines.push(
      `  ${'server'.padEnd(9)}${'updates/s'.padStart(10)}${'KB/update'.padStart(11)}${'CPU s/1k'.padStart(10)}${'Xvfb s/1k'.padStart(11)}${'+X s/1k'.padStart(9)}${'core %'.padStart(8)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'no-client core %'.padStart(18)}`,
    );
    for (const s of SERVERS) {
      const row = r.servers[s];
      if (!row) continue;
      if ('error' in row) {
        lines.push(`  ${s.padEnd(9)}failed: ${(row as { error: string }).error}`);
        continue;
      }
      const n = (row as Record<Workload, VncNumbers>)[w];
      lines.push(
        `  ${s.padEnd(9)}${f1(n.updatesPerSec).padStart(10)}${f1(n.bytesPerUpdate / 1024).padStart(11)}${f3(n.cpuSecPer1000).padStart(10)}${f3(n.xvfbCpuSecPer1000).padStart(11)}${f3(n.cpuWithXvfbSecPer1000).padStart(9)}` +
          `${f2(n.corePercent).padStart(8)}${f1(n.latencyMs.p50).padStart(8)}${f1(n.latencyMs.p99).padStart(8)}${f2(n.noClientCorePercent).padStart(18)}`,
      );
    }
    if (r.ratios) {
      const q = r.ratios[w];
      lines.push(`  vdpush/x11vnc: ${f2(q.cpuPerUpdate)}x CPU per update (${f2(q.cpuPerUpdateWithXvfb)}x with the extra X-server CPU), ${f2(q.p99Latency)}x p99 latency, ${f2(q.updatesPerSec)}x updates/s`);
    }
  }
  const warm = SERVERS.filter((s) => r.warmup?.[s]);
  if (warm.length > 0) {
    lines.push('');
    lines.push(`warm-up of the measured client (CPU ms per update, each ${r.warmup[warm[0]!]!.windowSeconds} s window in turn; the first is a just-started server), and a client that connected again, its first window:`);
    for (const s of warm) {
      const c = r.warmup[s]!;
      lines.push(`  ${s.padEnd(9)}animation ${c.animation.map(f2).join(' ')}; desktop ${c.desktop.map(f2).join(' ')}`);
      if (c.reconnect) lines.push(`  ${''.padEnd(9)}connected again: animation ${f2(c.reconnect.animation)}, desktop ${f2(c.reconnect.desktop)}`);
    }
  }
  const b = r.animationBound;
  if (b) {
    lines.push('');
    lines.push(
      `what a whole new ${r.resolution} frame costs at least (same Xvfb): pread ${f3(b.preadMsPerFrame)} ms + one compare pass ${f3(b.scanMsPerFrame)} ms = ${f3(b.floorMsPerFrame)} ms` +
        ` = ${f2(b.floorPerX11vncUpdate)}x x11vnc's CPU per animation update (pread alone ${f2(b.preadPerX11vncUpdate)}x); vdpush's is ${f2(b.vdpushPerFloor)}x that floor`,
    );
  }
  if (b && Number.isFinite(b.pipelineFloorMs)) {
    lines.push(
      `  vdpush's pipeline at least: pread ${f3(b.preadMsPerFrame)} + the pass over a frame another thread wrote ${f3(b.crossThreadScanMsPerFrame)} + both threads' per-frame IPC = ${f3(b.pipelineFloorMs)} ms` +
        ` = ${f2(b.pipelinePerX11vncUpdate)}x x11vnc's CPU per animation update; vdpush's is ${f2(b.vdpushPerPipelineFloor)}x it`,
    );
    lines.push(
      `  the same paced as served frames come (after each ${f2(1000 / r.refreshHz)} ms gap, pread ${f3(b.pacedPreadMsPerFrame)}, pass ${f3(b.pacedCrossThreadScanMsPerFrame)}): ${f3(b.pacedPipelineFloorMs)} ms` +
        ` = ${f2(b.pacedPipelinePerX11vncUpdate)}x x11vnc's; vdpush's is ${f2(b.vdpushPerPacedPipelineFloor)}x it`,
    );
  }
  const d = r.desktopBound;
  if (d) {
    lines.push(
      `what a 1% desktop update costs vdpush at least: the capture's IPC per 60 Hz frame ${f3(d.captureFloorMs)} ms + the host's plumbing of an update ${f3(d.hostFloorMs)} ms (${f2(d.hostRunsPerFrame)} runs of its thread) + the strip's bytes ${f3(d.bytesMs)} ms` +
        ` = ${f3(d.floorMs)} ms = ${f2(d.floorPerX11vncUpdate)}x x11vnc's CPU per desktop update; vdpush's is ${f2(d.vdpushPerFloor)}x it`,
    );
  }
  if (r.targets) {
    const m = r.targets.met;
    const mark = (ok: boolean): string => (ok ? 'met' : 'NOT met');
    lines.push('');
    lines.push('targets (aims, not asserted):');
    lines.push(`  <= 0.5x x11vnc's CPU per update on animation and desktop: ${mark(m.halfCpuPerUpdate)} (the server's own), ${mark(m.halfCpuPerUpdateWithXvfb)} (with the extra X-server CPU)`);
    lines.push(`  lower p99 latency than x11vnc on animation and desktop: ${mark(m.lowerP99)}`);
    lines.push(`  idle under 1% of a core: ${mark(m.idleUnder1Percent)}`);
  }
  return lines.join('\n');
}
