/**
 * Turns a session's frames into a video that lasts as long as the recording did.
 *
 * Constant rate (the default): output frame k covers [t0 + kP, t0 + (k+1)P), P = 1000 / fps,
 * t0 = the first frame's present time, and a recording of D ms has exactly round(D / P) frames.
 * A source frame goes into the slot of its present time; the slots between two frames (an idle
 * display, a static desktop) repeat the earlier frame, and so do the slots after the last frame
 * up to the end (or, when stopped early, up to the moment it was stopped). A second frame
 * in an already filled slot (a display composing faster than the rate) is skipped.
 *
 * Variable rate (`vfr`): every source frame is written once, with its own present time (the sink
 * carries the timestamps); only the last is written once more, one period before the end, when
 * the display stood still until then, so this video too lasts as long as the recording.
 *
 * While the display stands still no frame comes to fill the periods, so `catchUp(now)` repeats the
 * last frame over the periods that ended CATCH_UP_MARGIN_MS before now: the video (and a progress
 * line) keeps pace with an idle display, and the end has a few periods left to write, not all of
 * them (10 s of an idle 1080p60 desktop into libx264 took 7 s more after the display stopped). A
 * frame presented within the margin but delivered later still lands in its own period. Calls are
 * serialised: accept, catchUp and finish never write to the sink at the same time.
 *
 * Accounting, so that nothing is lost silently: `written` source frames went into the file,
 * `repeated` output frames are copies of an earlier one, `skipped` source frames are not in the
 * file — frames the display published that the host never saw (a gap in the ring's sequence),
 * plus frames that shared a slot or came after the end. outputFrames = written + repeated.
 */
import type { FrameView } from './sinks/frame-view.js';

/** What the recorder needs from a sink (Y4MSink and Mp4Sink offer it). */
export interface VideoSink {
  readonly framesWritten: number;
  readonly framesDropped: number;
  readonly bytesWritten: number;
  /** Writes `frame` `repeat` times (default 1); 0 only shows it, so its damage counts for the next picture. */
  write(frame: FrameView, repeat?: number): Promise<void>;
  repeatLast(n: number): Promise<void>;
  /** Variable-rate sinks: the last frame once more at this present time. */
  writeLastAt?(presentTimeMs: number): Promise<void>;
}

export interface RecorderOptions {
  fps: number;
  durationMs: number;
  /** Write each frame with its present time instead of at a constant rate. */
  vfr?: boolean;
}

export interface RecordingCounts {
  /** Frames the host consumed from the ring. */
  sourceFrames: number;
  written: number;
  repeated: number;
  skipped: number;
  /** Frames in the file: written + repeated. */
  outputFrames: number;
}

/** Long idle stretches are repeated in chunks, each flushed before the next (bounded queueing). */
const REPEAT_CHUNK = 32;

/**
 * How far behind the display's clock catchUp stays: a frame reaches the recorder a few ms after
 * its present time (the ring, the host's wake), far more on a loaded machine; one that arrives
 * later than this after it was presented finds its period already repeated and is skipped.
 */
export const CATCH_UP_MARGIN_MS = 250;

export class Recorder {
  readonly counts: RecordingCounts = { sourceFrames: 0, written: 0, repeated: 0, skipped: 0, outputFrames: 0 };
  private readonly periodMs: number;
  /** round(D / P): the number of frames of a constant-rate recording that runs to its end. */
  readonly totalSlots: number;
  private t0 = Number.NaN;
  private lastSlot = -1;
  private lastSequence = -1;
  private lastPresent = 0;
  /** The sink's calls, one after another (accept, catchUp and finish may be called concurrently). */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly sink: VideoSink,
    private readonly options: RecorderOptions,
  ) {
    this.periodMs = 1000 / options.fps;
    this.totalSlots = Math.max(1, Math.round(options.durationMs / this.periodMs));
  }

  /** Display-clock time of the first frame, NaN before it. */
  get startMs(): number {
    return this.t0;
  }

  /** Milliseconds of video written so far. */
  get videoMs(): number {
    if (!this.options.vfr) return this.counts.outputFrames * this.periodMs;
    // A frame is on screen for (at least) one period after its present time.
    return this.counts.outputFrames === 0 ? 0 : this.lastPresent - this.t0 + this.periodMs;
  }

  /** Runs `op` after every call before it; a failed call still lets the later ones run. */
  private serial(op: () => Promise<void>): Promise<void> {
    const p = this.queue.then(op);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Takes one consumed frame (valid only during the call: the caller awaits it). */
  accept(frame: FrameView): Promise<void> {
    return this.serial(() => this.acceptNow(frame));
  }

  /**
   * Constant rate: repeats the last frame over the periods that ended CATCH_UP_MARGIN_MS before
   * `nowMs` (display-clock time), up to the end. Nothing before the first frame, nothing at vfr.
   */
  catchUp(nowMs: number): Promise<void> {
    return this.serial(async () => {
      if (this.options.vfr || this.lastSlot < 0 || !Number.isFinite(nowMs)) return;
      // The last period whose every moment is older than the margin.
      const upTo = Math.min(this.totalSlots, Math.floor((nowMs - CATCH_UP_MARGIN_MS - this.t0) / this.periodMs + 0.5)) - 1;
      if (upTo <= this.lastSlot) return;
      await this.repeat(upTo - this.lastSlot);
      this.lastSlot = upTo;
    });
  }

  private async acceptNow(frame: FrameView): Promise<void> {
    const c = this.counts;
    c.sourceFrames++;
    // The ring numbers published frames; a jump means frames the host never consumed. A lower
    // number is a recreated ring (a new generation starts over), not a loss.
    if (this.lastSequence >= 0 && frame.sequence > this.lastSequence + 1) c.skipped += frame.sequence - this.lastSequence - 1;
    this.lastSequence = frame.sequence;
    if (Number.isNaN(this.t0)) this.t0 = frame.presentTimeMs;
    this.lastPresent = frame.presentTimeMs;
    if (this.options.vfr) {
      await this.writeSource(frame);
      return;
    }
    const slot = Math.round((frame.presentTimeMs - this.t0) / this.periodMs);
    if (slot <= this.lastSlot || slot >= this.totalSlots) {
      c.skipped++;
      // Not written, but shown to the sink: its damage is part of what the next picture changes
      // (unseen, the next frame would look like a gap in the ring's sequence and be converted
      // whole, which at 60 Hz into 60 Hz periods was nearly every frame of a 1% desktop).
      if (slot <= this.lastSlot) await this.sink.write(frame, 0);
      return;
    }
    await this.repeat(slot - this.lastSlot - 1);
    this.lastSlot = slot;
    await this.writeSource(frame);
  }

  /**
   * Ends a constant-rate recording: repeats the last frame up to the end, or, when `stoppedAtMs`
   * (display-clock time the recording was stopped) is given, up to that moment.
   */
  finish(stoppedAtMs?: number): Promise<void> {
    return this.serial(() => this.finishNow(stoppedAtMs));
  }

  private async finishNow(stoppedAtMs?: number): Promise<void> {
    if (this.options.vfr) return this.finishVfr(stoppedAtMs);
    if (this.lastSlot < 0) return;
    let end = this.totalSlots;
    if (stoppedAtMs !== undefined && Number.isFinite(stoppedAtMs)) {
      end = Math.min(end, Math.max(this.lastSlot + 1, Math.round((stoppedAtMs - this.t0) / this.periodMs)));
    }
    await this.repeat(end - this.lastSlot - 1);
    this.lastSlot = end - 1;
  }

  /**
   * Variable rate: a display that stayed still until the end would leave the video short by that
   * stretch; the last frame is written once more one period before the end, so it lasts to there.
   */
  private async finishVfr(stoppedAtMs?: number): Promise<void> {
    if (this.counts.outputFrames === 0 || this.sink.writeLastAt === undefined) return;
    let endMs = this.t0 + this.totalSlots * this.periodMs;
    if (stoppedAtMs !== undefined && Number.isFinite(stoppedAtMs)) endMs = Math.min(endMs, stoppedAtMs);
    const at = endMs - this.periodMs;
    if (at <= this.lastPresent + this.periodMs / 2) return;
    await this.sink.writeLastAt(at);
    this.lastPresent = at;
    this.counts.repeated++;
    this.counts.outputFrames++;
  }

  private async writeSource(frame: FrameView): Promise<void> {
    const dropped = this.sink.framesDropped;
    await this.sink.write(frame, 1);
    if (this.sink.framesDropped > dropped) {
      // The sink could not take it (a size the stream cannot carry): keep the timeline whole.
      this.counts.skipped++;
      if (!this.options.vfr) await this.repeat(1);
      return;
    }
    this.counts.written++;
    this.counts.outputFrames++;
  }

  private async repeat(n: number): Promise<void> {
    if (this.counts.outputFrames === 0) return; // nothing to repeat yet
    for (let left = n; left > 0; ) {
      const k = Math.min(left, REPEAT_CHUNK);
      await this.sink.repeatLast(k);
      this.counts.repeated += k;
      this.counts.outputFrames += k;
      left -= k;
    }
  }
}
