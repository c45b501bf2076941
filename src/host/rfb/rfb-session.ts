/**
 * One RFB client: its handshake, its pixel format and encodings, its own damage, and the updates
 * it is sent.
 *
 * Updates are pulled (the client asks with FramebufferUpdateRequest and is answered with the
 * damage it accumulated since its last update, once that is non-empty) or, for a client that
 * enabled the ContinuousUpdates extension, pushed as frames come, paced by Fence round trips
 * (update-flow.ts says when and which area). Between two updates every frame only grows the
 * client's DamageRegion (bounded: a few rectangles, or "full"), so a slow client gets fewer,
 * larger updates and the server's memory for it never grows with its lag. An update starts only
 * when the socket has drained to at most LOW_WATER bytes, so at most about one update per client
 * is ever buffered; a client that stops reading (or answering fences) for stallTimeoutMs is
 * disconnected.
 *
 * Invariant: at most one update is being encoded or written per session (`busy`), so the zlib
 * streams see the messages in the order the client decodes them, and a ServerCutText never lands
 * inside an update; a fence the client asks for is answered between updates, and the client's
 * later messages wait until it is (Fence's BlockAfter). Every failure ends in close(reason): the reason is kept, logged, and sent in
 * a WebSocket's close frame; nothing a client sends can throw out of the session.
 *
 * An update's rectangles are snapshotted, encoded and written by update-writer.ts; this file
 * decides when an update goes out and what it carries besides them (pseudo-rectangles).
 */
import { DamageRegion } from '../framebuffer/damage-region.js';
import type { FramebufferSubscriber } from '../framebuffer/latest-framebuffer.js';
import type { FrameView } from '../sinks/frame-view.js';
import { ByteQueue } from './byte-queue.js';
import { ClientResize } from './client-resize.js';
import { StallWatch } from './stall-watch.js';
import { serverCutText } from './server-cut-text.js';
import { ClientPreferences } from './client-preferences.js';
import { cursorRect, desktopSizeRect, extendedDesktopSizeRect } from './encoders/pseudo-rects.js';
import { RfbHandshake, serverInit, type HandshakeOptions } from './handshake.js';
import { parseClientMessage, type ClientMsg } from './message-parser.js';
import { DesktopSizeReason, DesktopSizeStatus, FenceFlag } from './rfb-constants.js';
import { PixelTranslator, SERVER_PIXEL_FORMAT, pixelFormatProblem } from './rfb-pixel-format.js';
import type { RfbTarget } from './rfb-target.js';
import type { RfbTransport } from './rfb-transport.js';
import { END_OF_CONTINUOUS_UPDATES, UpdateFlow, fenceReply, type Area } from './update-flow.js';
import { UpdateWriter } from './update-writer.js';

/** An update starts only when at most this much is still waiting in the socket. */
export const LOW_WATER = 64 * 1024;
/** Bytes a client may send before its handshake completes. */
const MAX_HANDSHAKE_INPUT = 4096;

export interface SessionOptions {
  handshake: HandshakeOptions;
  handshakeTimeoutMs: number;
  stallTimeoutMs: number;
  onClose(session: RfbSession, reason: string): void;
  /** A line for the server's log about this client (a refused SetDesktopSize, say). */
  onNotice?(session: RfbSession, line: string): void;
  /** This client's SetDesktopSize to width x height is being applied (client-resize.ts). */
  onClientResize?(session: RfbSession, width: number, height: number): void;
  /** True if another client of the target asked for width x height just now (reason "another client"). */
  resizedByAnother?(session: RfbSession, width: number, height: number): boolean;
}

export interface SessionCounters {
  updates: number;
  rects: number;
  bytes: number;
  inputEvents: number;
  /** FramebufferUpdateRequests received (a pushed stream needs none after the first). */
  requests: number;
  /** The server's fences the client answered. */
  fencesAnswered: number;
}

export class RfbSession implements FramebufferSubscriber {
  readonly counters: SessionCounters = { updates: 0, rects: 0, bytes: 0, inputEvents: 0, requests: 0, fencesAnswered: 0 };
  closeReason: string | null = null;
  private readonly queue = new ByteQueue();
  private readonly handshake: RfbHandshake;
  private ready = false;
  private awaitingFirstFrame = false;
  private translator = new PixelTranslator(SERVER_PIXEL_FORMAT);
  private prefs = new ClientPreferences();
  private readonly damage = new DamageRegion(0, 0);
  private readonly flow = new UpdateFlow();
  /** The answer to the client's fence, held while an update is being written (parsing waits). */
  private fenceAnswer: Buffer | null = null;
  private busy = false;
  private scheduled = false;
  private resizePending = false;
  private cursorPending = false;
  private extReply: number | null = null;
  private announceExtended = false;
  private cutText: string | null = null;
  private cursorShapeId = -1;
  private readonly writer: UpdateWriter;
  private readonly resizer: ClientResize;
  private readonly isClosed = (): boolean => this.closeReason !== null;
  private handshakeTimer: NodeJS.Timeout | null;
  private readonly stall: StallWatch;
  private unsubscribe: () => void = () => undefined;
  private unwatch: () => void = () => undefined;
  private fbWidth = 0;
  private fbHeight = 0;

  constructor(
    readonly transport: RfbTransport,
    readonly target: RfbTarget,
    private readonly opts: SessionOptions,
  ) {
    this.handshake = new RfbHandshake(opts.handshake);
    this.writer = new UpdateWriter(transport, this.counters);
    this.stall = new StallWatch(transport, this.flow, LOW_WATER, opts.stallTimeoutMs, (reason) => this.close(reason));
    this.resizer = new ClientResize({
      resize: target.resize?.bind(target),
      size: () => ({ width: this.fbWidth, height: this.fbHeight }),
      reply: (status) => {
        this.extReply = status;
        this.schedule();
      },
      notice: (line) => opts.onNotice?.(this, line),
      began: (width, height) => opts.onClientResize?.(this, width, height),
      isClosed: this.isClosed,
    });
    this.handshakeTimer = setTimeout(() => this.close('the handshake did not complete in time'), opts.handshakeTimeoutMs);
    transport.onData((b) => this.onData(b));
    transport.onDrain(() => this.onDrain());
    transport.onClose(() => this.close('the client disconnected'));
    transport.write([this.handshake.greeting()]);
  }

  get isReady(): boolean {
    return this.ready;
  }

  get version(): string {
    return this.handshake.version;
  }

  /** Ends the session once: keeps the reason, unsubscribes, ends the transport. Idempotent. */
  close(reason: string): void {
    if (this.closeReason !== null) return;
    this.closeReason = reason;
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.stall.stop();
    this.handshakeTimer = null;
    this.unsubscribe();
    this.unwatch();
    this.queue.clear();
    this.writer.close();
    this.transport.end(reason);
    // A peer that ignores the close must not keep its socket: cut it soon after.
    setTimeout(() => this.transport.destroy(), 1000).unref();
    this.opts.onClose(this, reason);
  }

  /**
   * The framebuffer model calls this once per frame (inside the host's frame loop: no work here).
   * A frame the client is not waiting for (no request pending, no pushed area open) only grows its
   * damage: whatever opens one (a request, a fence answer, a drained socket) schedules the update.
   */
  framebufferChanged(d: DamageRegion, resized: boolean): void {
    if (this.awaitingFirstFrame) return this.sendServerInit();
    if (resized) this.resizePending = true;
    else this.damage.addRegion(d);
    if (this.flow.area() !== null) this.schedule();
  }

  /** A frame is about to overwrite the framebuffer: the views not yet encoded keep what they showed. */
  framebufferWillChange(): void {
    this.writer.framebufferWillChange();
  }

  /** The display's cursor shape changed. */
  cursorChanged(shapeId: number): void {
    if (shapeId === this.cursorShapeId || !this.prefs.cursor) return;
    this.cursorPending = true;
    this.schedule();
  }

  /** The display's clipboard changed: sent between updates (only the newest text waits). */
  sendCutText(text: string): void {
    if (!this.ready) return;
    this.cutText = text;
    this.schedule();
  }

  private onData(b: Buffer): void {
    if (this.closeReason !== null) return;
    this.queue.push(b);
    if (!this.ready) {
      if (this.queue.length > MAX_HANDSHAKE_INPUT) return this.close(`${this.queue.length} bytes sent during the handshake`);
      this.runHandshake();
      if (!this.ready) return;
    }
    this.parseInput();
  }

  private parseInput(): void {
    while (this.closeReason === null && this.fenceAnswer === null) {
      const r = parseClientMessage(this.queue);
      if (r === null) return;
      if ('error' in r) return this.close(r.error);
      this.onMessage(r.msg);
    }
  }

  private runHandshake(): void {
    for (;;) {
      const step = this.handshake.feed(this.queue);
      if (step === null) return;
      if (step.send.length > 0) this.transport.write(step.send);
      if (step.fail !== undefined) return this.close(step.fail);
      if (step.done) return this.start();
    }
  }

  /** ClientInit arrived: ServerInit (once the display has a frame), then follow the framebuffer. */
  private start(): void {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    this.unsubscribe = this.target.framebuffer.subscribe(this);
    // Frames taken only while someone looks (RfbTarget.watch): ServerInit waits for the newest.
    const watch = this.target.watch?.();
    this.awaitingFirstFrame = true;
    if (watch === undefined) return this.initIfFrame();
    this.unwatch = watch.release;
    void watch.fresh.then(this.initIfFrame);
  }

  /** ServerInit, unless it went out (a frame arrived) or there is no frame yet (the first one sends it). */
  private readonly initIfFrame = (): void => {
    if (this.closeReason === null && this.awaitingFirstFrame && this.target.framebuffer.view !== null) this.sendServerInit();
  };

  private sendServerInit(): void {
    this.awaitingFirstFrame = false;
    const fb = this.target.framebuffer;
    this.fbWidth = fb.width;
    this.fbHeight = fb.height;
    this.damage.resize(this.fbWidth, this.fbHeight);
    this.transport.write([serverInit(this.fbWidth, this.fbHeight, this.target.name)]);
    this.ready = true;
    this.parseInput(); // what the client sent right after ClientInit
  }

  private onMessage(m: ClientMsg): void {
    switch (m.type) {
      case 'set-pixel-format': {
        const problem = pixelFormatProblem(m.format);
        if (problem !== null) return this.close(`SetPixelFormat refused: ${problem}`);
        this.translator = new PixelTranslator(m.format);
        if (this.prefs.cursor) this.cursorPending = true; // the shape must be resent in the new format
        return;
      }
      case 'set-encodings': {
        const before = this.prefs;
        this.prefs = ClientPreferences.from(m.encodings);
        if (this.prefs.cursor && !before.cursor) this.cursorPending = true;
        if (this.prefs.extendedDesktopSize && !before.extendedDesktopSize) this.announceExtended = true;
        this.writer.setLevel(this.prefs.compression);
        this.flow.encodingsChanged(this.prefs.fence, this.prefs.continuousUpdates);
        if (this.flow.endOfContinuousPending) this.schedule();
        return;
      }
      case 'update-request':
        this.counters.requests++;
        if (!m.incremental) this.damage.add(m.x, m.y, m.w, m.h);
        this.flow.requested(m.x, m.y, m.w, m.h);
        return this.schedule();
      case 'enable-continuous-updates': {
        const problem = this.flow.enable(m.enable, m.x, m.y, m.w, m.h, this.prefs.fence, this.prefs.continuousUpdates);
        if (problem !== null) return this.close(problem);
        this.stall.progress(); // turned off while blocked on fences: that is no stall
        return this.schedule();
      }
      case 'fence':
        if ((m.flags & FenceFlag.Request) === 0) {
          this.counters.fencesAnswered++;
          this.flow.fenceAnswered();
          this.stall.progress();
          return this.schedule();
        }
        // BlockBefore: what the earlier messages asked for goes first (an update now due starts
        // here), and the answer follows it.
        this.trySend();
        if (this.busy) this.fenceAnswer = fenceReply(m.flags, m.payload);
        else this.transport.write([fenceReply(m.flags, m.payload)]);
        return;
      case 'key':
        this.counters.inputEvents++;
        return this.target.input.key(m.down, m.keysym);
      case 'pointer':
        this.counters.inputEvents++;
        return this.target.input.pointer(Math.min(m.x, Math.max(0, this.fbWidth - 1)), Math.min(m.y, Math.max(0, this.fbHeight - 1)), m.buttonMask);
      case 'cut-text':
        this.counters.inputEvents++;
        return this.target.input.clipboard(m.text);
      case 'set-desktop-size':
        // A request to the display, which owns its mode (client-resize.ts); answered when settled.
        return this.resizer.request(m.width, m.height, m.screens);
    }
  }

  private onDrain(): void {
    if (this.transport.bufferedBytes > LOW_WATER) return;
    this.stall.progress();
    this.schedule();
  }

  /** Sends later, outside the caller's stack (the frame loop, a socket event): coalesced. */
  private schedule(): void {
    if (this.scheduled || this.closeReason !== null) return;
    this.scheduled = true;
    setImmediate(this.runScheduled);
  }

  private readonly runScheduled = (): void => {
    this.scheduled = false;
    this.trySend();
  };

  private trySend(): void {
    if (this.closeReason !== null || !this.ready || this.busy) return;
    if (this.transport.bufferedBytes > LOW_WATER) return this.stall.arm();
    if (this.flow.endOfContinuousPending) {
      this.flow.endOfContinuousPending = false;
      this.transport.write([END_OF_CONTINUOUS_UPDATES]);
      this.counters.bytes += 1;
    }
    if (this.cutText !== null) {
      const msg = serverCutText(this.cutText);
      this.cutText = null;
      this.transport.write(msg);
      this.counters.bytes += msg[0]!.length + msg[1]!.length;
    }
    const area = this.flow.area();
    if (area === null) {
      if (this.flow.blockedOnFences) this.stall.arm();
      return;
    }
    const fb = this.target.framebuffer.view;
    if (fb === null) return; // no frame yet: the first one schedules again
    if (this.resizePending) {
      this.resizePending = false;
      if (fb.width !== this.fbWidth || fb.height !== this.fbHeight) {
        if (!this.prefs.canResize) return this.close(`the display changed its mode to ${fb.width}x${fb.height} and the client cannot resize (no DesktopSize encoding)`);
        this.fbWidth = fb.width;
        this.fbHeight = fb.height;
        this.damage.resize(fb.width, fb.height);
        this.update(fb, true, area);
        return;
      }
      this.damage.markFull(); // same size, new format: resend everything
    }
    if (this.damage.isEmpty && !this.cursorPending && this.extReply === null && !this.announceExtended) return;
    this.update(fb, false, area);
  }

  /** Decides the rectangles now (reading the framebuffer synchronously), then encodes and writes. */
  private update(fb: FrameView, resized: boolean, area: Area): void {
    const pseudo: Buffer[][] = [];
    // A new size this client asked for is its answer (reason Client); another client's is OtherClient.
    const asked = resized && this.resizer.takeAsked();
    if (resized || this.announceExtended || this.extReply !== null) {
      if (this.prefs.extendedDesktopSize) {
        const reason = asked || (this.extReply !== null && !resized) ? DesktopSizeReason.Client : resized && this.opts.resizedByAnother?.(this, fb.width, fb.height) ? DesktopSizeReason.OtherClient : DesktopSizeReason.Server;
        pseudo.push(extendedDesktopSizeRect(fb.width, fb.height, reason, resized ? DesktopSizeStatus.Ok : (this.extReply ?? DesktopSizeStatus.Ok)));
      } else if (resized) pseudo.push(desktopSizeRect(fb.width, fb.height));
      this.announceExtended = false;
      this.extReply = null;
    }
    if (this.cursorPending) {
      this.cursorPending = false;
      const cur = this.target.cursor();
      // No cursor at all (the simulated display): nothing to send, unless one must be hidden.
      if (cur !== null || this.cursorShapeId !== -1) pseudo.push(cursorRect(cur, this.translator));
      this.cursorShapeId = cur?.shapeId ?? -1;
    }
    // A partial request gets what it asked for; the rest of the damage stays for the next one.
    // Not busy: no snapshot of an earlier update is being encoded. The snapshots are views of the
    // framebuffer, copied only if a frame arrives before they are encoded (framebufferWillChange).
    const framebuffer = this.target.framebuffer;
    const snaps = resized ? this.writer.take(this.damage, framebuffer, fb, 0, 0, fb.width, fb.height) : this.writer.take(this.damage, framebuffer, fb, area.x, area.y, area.x1, area.y1);
    // Nothing inside the requested area: the request stays pending.
    if (snaps.length === 0 && pseudo.length === 0) return;
    this.flow.consume();
    this.busy = true;
    let pending: Promise<void> | undefined;
    try {
      pending = this.writer.write(pseudo, snaps, this.prefs, this.translator, this.isClosed);
    } catch (err) {
      return this.close(`encoding failed: ${(err as Error).message}`);
    }
    // Written already (every rectangle encoded on this thread): no promise to wait for.
    if (pending === undefined) return this.updateWritten();
    pending.then(this.onUpdateWritten, (err: unknown) => this.close(`encoding failed: ${(err as Error).message}`));
  }

  private readonly onUpdateWritten = (): void => this.updateWritten();

  /** The update's last byte is written: its fence, the client's held fence answer, then what is next. */
  private updateWritten(): void {
    if (this.closeReason !== null) return;
    // Right behind the update's last byte (nothing else writes while busy): its answer says
    // the client has processed the update.
    const fence = this.flow.afterUpdate();
    if (fence !== null) this.transport.write([fence]);
    this.busy = false;
    if (this.fenceAnswer !== null) {
      this.transport.write([this.fenceAnswer]);
      this.fenceAnswer = null;
      this.parseInput();
    }
    this.schedule();
  }
}
