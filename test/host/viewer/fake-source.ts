/**
 * A ViewerSource for the viewer tests: frames are emitted on demand (emit) or on a timer
 * (animate), every injected fault adds a recovery event at once, and the cursor can be set.
 */
import { FORMAT_BGRA8 } from '../../../src/contract/pixel-format.js';
import type { CursorView, FrameView } from '../../../src/host/sinks/frame-view.js';
import type { ViewerRecoveryEvent, ViewerSource, ViewerStats } from '../../../src/host/viewer/viewer-source.js';

export interface FakeSourceOptions {
  width?: number;
  height?: number;
  faultKinds?: string[];
}

export class FakeSource implements ViewerSource {
  readonly events: ViewerRecoveryEvent[] = [];
  readonly injected: string[] = [];
  cursorState: CursorView | null = null;
  generation = 1;
  private readonly kinds: string[];
  private readonly listeners = new Set<() => void>();
  private readonly frame: FrameView;
  private hasFrame = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly started = performance.now();

  constructor(opts: FakeSourceOptions = {}) {
    const width = opts.width ?? 64;
    const height = opts.height ?? 36;
    this.kinds = opts.faultKinds ?? [];
    this.frame = {
      pixels: new Uint8Array(width * height * 4),
      width,
      height,
      format: FORMAT_BGRA8,
      stride: width * 4,
      sequence: 0,
      presentTimeMs: 0,
      dirty: { x: 0, y: 0, w: width, h: height },
    };
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Draws the next frame (a "desktop": a gradient, a window that moves with the sequence) and announces it. */
  emit(): void {
    const f = this.frame;
    f.sequence++;
    f.presentTimeMs = performance.now() - this.started;
    const { width: w, height: h, pixels: p } = f;
    const winW = Math.max(4, w >> 2);
    const winH = Math.max(4, h >> 2);
    const winX = (f.sequence * 7) % Math.max(1, w - winW);
    const winY = h >> 2;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 4;
        const inWin = x >= winX && x < winX + winW && y >= winY && y < winY + winH;
        const bar = y >= h - Math.max(2, h >> 4);
        p[o] = inWin ? 235 : bar ? 40 : 120 + ((60 * y) / h) | 0; // B
        p[o + 1] = inWin ? 235 : bar ? 36 : 70 + ((50 * x) / w) | 0; // G
        p[o + 2] = inWin ? 240 : bar ? 32 : 30; // R
        p[o + 3] = 255;
      }
    }
    this.hasFrame = true;
    for (const cb of this.listeners) cb();
  }

  animate(fps: number): void {
    this.timer ??= setInterval(() => this.emit(), 1000 / fps);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  latestFrame(): FrameView | null {
    return this.hasFrame ? this.frame : null;
  }

  stats(): ViewerStats {
    return {
      drops: { allSlotsBusy: 2, descMismatch: 0, stale: this.events.length },
      ring: { health: this.events.length > 0 ? 'rebuilding' : 'active', generation: this.generation },
      adapter: { kind: 'hardware', luid: 1 },
      mode: { width: this.frame.width, height: this.frame.height, refreshHz: 60, format: 'bgra8' },
    };
  }

  recoveryEvents(): readonly ViewerRecoveryEvent[] {
    return this.events;
  }

  faultKinds(): readonly string[] {
    return this.kinds;
  }

  injectFault(kind: string): void {
    this.injected.push(kind);
    this.generation++;
    this.events.push({
      atMs: performance.now() - this.started,
      failure: kind,
      class: 'directx',
      hresult: '0x887A0005',
      action: 'recreate-device',
      adapter: 'hardware',
    });
  }

  onFrame(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  cursor(): CursorView | null {
    return this.cursorState;
  }
}
