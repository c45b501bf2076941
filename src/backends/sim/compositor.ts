/**
 * The simulated desktop compositor (DWM for one indirect monitor): at every vsync of the mode it
 * composes the next pattern frame into the current swap-chain, if it may.
 *
 * Must-drain: a present happens only when the swap-chain is bound to a healthy device and not
 * blocked (no acquired-but-unfinished frame, fewer than SWAP_CHAIN_BUFFERS presents waiting). A
 * present that is due but blocked waits for the next vsync; one blocked for longer than the stall
 * threshold (2 frame periods by default) counts one stall, once per episode. While nothing can
 * receive frames (no swap-chain, not yet bound, device lost, idle) no present is due: that is not a
 * stall. Frame numbers count new frames, so they are consecutive and survive swap-chain changes;
 * a static-desktop re-encode (static-reencode) presents the last frame again under its own number.
 * A format blip presents into the swap-chain's second surface; the first frame in a surface that
 * does not hold frame n-1 of its format is drawn whole. A refresh change (mode-change) starts a
 * new vsync grid at the change.
 *
 * Hot path (one vsync): no allocation besides the clock's timer handle (RealClock's setTimeout
 * allocates one too); the painter, the rectangle arrays and the tick callback are made once.
 */
import type { Clock } from '../../display/clock.js';
import type { DisplayMode } from '../../display/types.js';
import { bytesPerPixel } from '../../contract/pixel-format.js';
import { FramePainter } from './frame-pattern.js';
import { MAX_FRAME_DIRTY_RECTS, MAX_PAINTED_RECTS, frameDirtyRects, type PatternParams } from './pattern-workload.js';
import type { SimSwapChain } from './sim-swap-chain.js';

/** A present blocked for longer than this many frame periods is a stall. */
export const DEFAULT_STALL_THRESHOLD_FRAMES = 2;
/** Absorbs float error in vsync times (t0 + k * period) when comparing waits. */
const TIME_EPSILON_MS = 1e-6;

export class Compositor {
  /** The number of the last frame presented (0 = none yet; the pattern's baseline). */
  frameNumber = 0;
  stalls = 0;
  lastStallAtMs = -1;
  private blockedSince = -1;
  private stallCounted = false;
  private idleUntil = -Infinity;
  /** static-reencode: vsyncs left that re-present the last frame instead of composing a new one. */
  private reencodeLeft = 0;
  private gridPeriod = 0;
  private running = false;
  private cancelTick: (() => void) | null = null;
  private t0 = 0;
  private vsync = 0;
  private readonly painter = new FramePainter();
  private readonly rects = new Int32Array(MAX_FRAME_DIRTY_RECTS * 4);
  private readonly scratch = new Int32Array(MAX_PAINTED_RECTS * 4);
  private readonly tick = (): void => this.onVsync();

  constructor(
    private readonly clock: Clock,
    private readonly params: PatternParams,
    private readonly mode: () => DisplayMode,
    /** The swap-chain the OS composes into now, or null. */
    private readonly target: () => SimSwapChain | null,
    /** True once the device stopped (critical error). */
    private readonly stopped: () => boolean,
    private readonly stallThresholdFrames = DEFAULT_STALL_THRESHOLD_FRAMES,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.t0 = this.clock.now();
    this.vsync = 0;
    this.gridPeriod = 0;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.cancelTick?.();
    this.cancelTick = null;
  }

  /** No presents until now + ms (an idle desktop, a screen saver's blank period). */
  idleFor(ms: number): void {
    this.idleUntil = Math.max(this.idleUntil, this.clock.now() + ms);
  }

  /** The next `frames` vsyncs re-present the last frame (the desktop is static; the OS re-encodes it). */
  reencode(frames: number): void {
    this.reencodeLeft += frames;
  }

  get idle(): boolean {
    return this.clock.now() < this.idleUntil;
  }

  private periodMs(): number {
    return 1000 / this.mode().refreshHz;
  }

  /** Next vsync on the grid t0 + k * period; vsyncs already missed (a busy real clock) are skipped. */
  private schedule(): void {
    const period = this.periodMs();
    const now = this.clock.now();
    if (period !== this.gridPeriod) {
      // A new refresh rate: its grid starts at the last vsync (else k * newPeriod would jump).
      if (this.gridPeriod !== 0) this.t0 += this.vsync * this.gridPeriod;
      this.vsync = 0;
      this.gridPeriod = period;
    }
    this.vsync++;
    let at = this.t0 + this.vsync * period;
    if (at < now) {
      this.vsync = Math.floor((now - this.t0) / period) + 1;
      at = this.t0 + this.vsync * period;
    }
    this.cancelTick = this.clock.setTimer(at - now, this.tick);
  }

  private onVsync(): void {
    this.cancelTick = null;
    if (!this.running) return;
    this.schedule();
    const sc = this.target();
    const reencode = this.reencodeLeft > 0 && sc !== null && !sc.blank;
    if (this.stopped() || (this.idle && !reencode) || sc === null || !sc.acceptsPresents()) {
      this.blockedSince = -1;
      return;
    }
    if (sc.blocked()) {
      this.noteBlocked();
      return;
    }
    this.blockedSince = -1;
    if (reencode) {
      this.reencodeLeft--;
      sc.represented(this.clock.now());
      return;
    }
    this.present(sc);
  }

  private noteBlocked(): void {
    const now = this.clock.now();
    if (this.blockedSince < 0) {
      this.blockedSince = now;
      this.stallCounted = false;
    } else if (!this.stallCounted && now - this.blockedSince > this.stallThresholdFrames * this.periodMs() + TIME_EPSILON_MS) {
      this.stalls++;
      this.stallCounted = true;
      this.lastStallAtMs = now;
    }
  }

  private present(sc: SimSwapChain): void {
    const n = ++this.frameNumber;
    const m = sc.mode;
    const format = sc.takePresentFormat();
    const stride = m.width * bytesPerPixel(format);
    // A surface that does not hold frame n-1 (new, it missed presents, or the last present went to
    // the other format's surface) is drawn whole.
    const whole = sc.blank || sc.latestPresented !== n - 1 || sc.latestPresentedFormat !== format;
    this.painter.render(sc.surfaceOf(format), m.width, m.height, stride, format, n, this.params, whole ? 'full' : 'dirty');
    const count = whole ? 0 : frameDirtyRects(this.params, m.width, m.height, n, this.rects, this.scratch);
    sc.presented(n, this.clock.now(), this.rects, count, whole, format);
  }
}
