/** The text `vdpush bench record` prints: per workload and container, vdpush beside ffmpeg x11grab, with ratios. */
import type { RecordBenchResult, RecordingNumbers } from './record-bench-result.js';

const f1 = (v: number): string => v.toFixed(1);
const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');

function describe(r: RecordingNumbers): string {
  const parts = [`${r.frames} pictures`];
  if (r.distinct !== undefined) parts.push(`${r.distinct} distinct, torn ${r.torn}, dups ${r.duplicates}, missed ${r.missed}`);
  parts.push(`CPU ${f1(r.cpuPercentOfCore)}% of a core (own ${r.cpuSeconds.toFixed(2)} s, X server +${r.xvfbExtraCpuSeconds.toFixed(2)} s)`);
  if (r.cpuMsPerDistinct !== undefined) parts.push(`${r.cpuMsPerDistinct.toFixed(2)} ms per distinct`);
  parts.push(`done ${r.finishLagSeconds.toFixed(2)} s after its ${r.seconds} s`, `${(r.bytes / 2 ** 20).toFixed(1)} MiB`, `workload ${f1(r.workloadFps)}/s`);
  return parts.join(', ');
}

export function formatRecordBench(r: RecordBenchResult): string {
  const out: string[] = [];
  for (const row of r.rows) {
    out.push(`${row.workload} ${row.width}x${row.height}@${row.fps} (workload alone ${f1(row.workloadAloneFps)}/s, X server ${f1(row.xvfbAloneCpuPercent)}% of a core):`);
    for (const c of ['y4m', 'mp4'] as const) {
      const v = row[c].vdpush;
      const g = row[c].ffmpeg;
      out.push(`  ${c}  vdpush: ${describe(v)}`);
      out.push(`  ${c}  ffmpeg: ${describe(g)}`);
      const dist = v.distinct !== undefined && g.distinct !== undefined ? `distinct ${ratio(v.distinct, g.distinct)}, ` : '';
      out.push(`  ${c}  vdpush/ffmpeg: ${dist}CPU ${ratio(v.cpuPercentOfCore, g.cpuPercentOfCore)}, bytes ${ratio(v.bytes, g.bytes)}`);
    }
    const vfr = row.mp4.vdpushVfr;
    const g = row.mp4.ffmpeg;
    const dist = vfr.distinct !== undefined && g.distinct !== undefined ? `distinct ${ratio(vfr.distinct, g.distinct)}, ` : '';
    out.push(`  mp4  vdpush --vfr: ${describe(vfr)}`);
    out.push(`  mp4  vdpush --vfr/ffmpeg: ${dist}CPU ${ratio(vfr.cpuPercentOfCore, g.cpuPercentOfCore)}, bytes ${ratio(vfr.bytes, g.bytes)}`);
  }
  return out.join('\n');
}
