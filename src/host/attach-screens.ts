/**
 * Attach mode with several monitors (`display: ':N'` and `monitors: [...]`): the monitors are the
 * attached server's screens, monitor i on screen i-1 (":N.S", each with its own framebuffer file
 * Xvfb_screenS). As with one attached screen (session-options.ts attachTo), vdpush never resizes
 * a display it did not start: each ring is built at its screen's own size and format, and a
 * monitor's mode of another size is refused. More monitors than the server has screens are refused.
 */
import { InvalidArgumentError } from '../contract/errors.js';
import { probeAttachedDisplay } from '../backends/xvfb/attach-probe.js';
import { screenDisplay } from '../backends/xvfb/xvfb-server.js';
import type { MonitorConfig } from './worker-messages.js';

export function attachedScreenConfigs<M extends { mode?: unknown }>(
  base: MonitorConfig & { display: string },
  monitors: readonly M[],
  configFor: (m: M, targetId: number) => MonitorConfig,
): MonitorConfig[] {
  const first = probeAttachedDisplay(base.display);
  if (monitors.length > first.screens) {
    throw new InvalidArgumentError(
      `${monitors.length} monitors on display ${base.display}, which has ${first.screens} screen(s): attached, each monitor is one screen of the server (start it with one -screen per monitor, or leave out --display to let vdpush start one)`,
    );
  }
  return monitors.map((m, i) => {
    const display = screenDisplay(base.display, i);
    const screen = i === 0 ? first : probeAttachedDisplay(display);
    const c = configFor(m, i + 1);
    if (m.mode !== undefined && (c.width !== screen.width || c.height !== screen.height)) {
      throw new InvalidArgumentError(
        `monitor ${i + 1}: mode ${c.width}x${c.height} on screen ${display}, which is ${screen.width}x${screen.height}: vdpush does not resize a display it did not start (leave out its mode, or give ${screen.width}x${screen.height}@HZ)`,
      );
    }
    return { ...c, display, width: screen.width, height: screen.height, format: screen.format };
  });
}
