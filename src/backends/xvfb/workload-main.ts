/**
 * Entry of the built-in workload's own process (see workload-process.ts): draws on $DISPLAY until
 * the X server goes away, SIGTERM arrives, or the parent disconnects (it died), so the workload
 * never outlives vdpush. Prints "ready" once the first frame is on screen.
 *
 * Usage: node workload-main.js --display :N[.S] --kind animated|desktop --fps <n>|max [--target T]
 */
import { runWorkload, type WorkloadKind } from './workload.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

const display = arg('display', process.env.DISPLAY ?? ':0');
const kind = arg('kind', 'animated') as WorkloadKind;
const fpsArg = arg('fps', '60');
const fps = fpsArg === 'max' ? 'max' : Number(fpsArg);
const targetId = Number(arg('target', '1'));

try {
  const w = await runWorkload({ display, kind, fps, targetId });
  const quit = (): void => {
    void w.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', quit);
  process.on('disconnect', quit);
  process.stdout.write('ready\n');
  await w.ended;
  process.exit(0);
} catch (e) {
  process.stderr.write(`vdpush workload: ${(e as Error).message}\n`);
  process.exit(1);
}
