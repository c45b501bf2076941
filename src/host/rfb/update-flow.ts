/**
 * When one RFB client may be sent its next FramebufferUpdate, and which area it covers: RFB's pull
 * model (RFC 6143: each FramebufferUpdateRequest is answered by one update), or the
 * ContinuousUpdates extension's push model (pseudo-encoding -313, EnableContinuousUpdates 150),
 * paced by the Fence extension (-312, message 248 both ways).
 *
 * Why pushed updates need fences: with one request outstanding (noVNC's way without the
 * extension) each update costs a full round trip plus the server's encode, one after the other,
 * so a whole-screen animation is drawn at 1 / (encode + transfer + decode) frames/s. Pushing an
 * update per display frame removes the request's round trip, but "the socket has drained" only
 * says the kernel took the bytes: on loopback its buffers hold megabytes, several whole-screen
 * updates, and a slow client would fall seconds behind. A Fence with BlockBefore after each
 * update is answered by the client only once it has processed that update, so the server knows
 * how many updates the client has not yet taken in and keeps that at MAX_UNANSWERED_FENCES (two:
 * one being decoded while the next is encoded and in transit). A slower client therefore gets
 * fewer, larger updates (the damage keeps accumulating meanwhile), never a queue.
 *
 * Continuous updates are announced (EndOfContinuousUpdates) only to a client that announced both
 * extensions, and a client that enables them without having announced both is disconnected (the
 * push could not be paced), as TigerVNC does.
 *
 * Invariant: at most MAX_UNANSWERED_FENCES of the server's fences are unanswered; `area()` is null
 * whenever one more update would exceed that.
 */
import { FenceFlag, ServerMessage } from './rfb-constants.js';

/** How many pushed updates a client may not yet have processed. */
export const MAX_UNANSWERED_FENCES = 2;

/** A rectangle of the framebuffer: x, y and its exclusive ends x1, y1. */
export interface Area {
  x: number;
  y: number;
  x1: number;
  y1: number;
}

export class UpdateFlow {
  /** The pending FramebufferUpdateRequest (pull), or null. */
  private request: Area | null = null;
  /** The area pushed continuously, or null (pull). */
  private continuous: Area | null = null;
  private unanswered = 0;
  private fenceSeq = 0;
  /** Whether the client was told that continuous updates exist (once per session). */
  private announced = false;
  /** An EndOfContinuousUpdates waits for the gap between two updates. */
  endOfContinuousPending = false;
  private readonly area_: Area = { x: 0, y: 0, x1: 0, y1: 0 };

  get isContinuous(): boolean {
    return this.continuous !== null;
  }

  get unansweredFences(): number {
    return this.unanswered;
  }

  /** True when the client has asked for updates but may not take another until it answers a fence. */
  get blockedOnFences(): boolean {
    return this.continuous !== null && this.unanswered >= MAX_UNANSWERED_FENCES;
  }

  /** SetEncodings: a client that announced both extensions is told (once) that it may push-enable. */
  encodingsChanged(fence: boolean, continuousUpdates: boolean): void {
    if (fence && continuousUpdates && !this.announced) {
      this.announced = true;
      this.endOfContinuousPending = true;
    }
  }

  requested(x: number, y: number, w: number, h: number): void {
    // One object, reused: a client asks once per update.
    const r = this.requestArea;
    r.x = x;
    r.y = y;
    r.x1 = x + w;
    r.y1 = y + h;
    this.request = r;
  }

  private readonly requestArea: Area = { x: 0, y: 0, x1: 0, y1: 0 };

  /**
   * EnableContinuousUpdates. Returns a reason to disconnect, or null. Disabling stops the push
   * and queues the EndOfContinuousUpdates that confirms it.
   */
  enable(enable: boolean, x: number, y: number, w: number, h: number, fence: boolean, continuousUpdates: boolean): string | null {
    if (!enable) {
      if (this.continuous !== null) this.endOfContinuousPending = true;
      this.continuous = null;
      this.unanswered = 0;
      return null;
    }
    if (!fence || !continuousUpdates) return 'EnableContinuousUpdates from a client that did not announce both the ContinuousUpdates and Fence pseudo-encodings';
    this.continuous = { x, y, x1: x + w, y1: y + h };
    return null;
  }

  /**
   * The area the next update may cover, or null (nothing asked for, or fences unanswered). With
   * continuous updates a pending request widens it (a non-incremental one outside the area).
   * The object is reused: read it before the next call.
   */
  area(): Area | null {
    const c = this.continuous;
    const r = this.request;
    if (c === null) return r;
    if (this.unanswered >= MAX_UNANSWERED_FENCES) return null;
    const a = this.area_;
    a.x = r === null ? c.x : Math.min(c.x, r.x);
    a.y = r === null ? c.y : Math.min(c.y, r.y);
    a.x1 = r === null ? c.x1 : Math.max(c.x1, r.x1);
    a.y1 = r === null ? c.y1 : Math.max(c.y1, r.y1);
    return a;
  }

  /** An update is going out: the request it answers is used up. */
  consume(): void {
    this.request = null;
  }

  /** The fence to write right after a pushed update (null in pull mode): its answer paces the push. */
  afterUpdate(): Buffer | null {
    if (this.continuous === null) return null;
    this.unanswered++;
    this.fenceSeq = (this.fenceSeq + 1) & 0xff;
    return fenceMessage(FenceFlag.Request | FenceFlag.BlockBefore, Buffer.from([this.fenceSeq]));
  }

  /** The client answered one of the server's fences. */
  fenceAnswered(): void {
    if (this.unanswered > 0) this.unanswered--;
  }
}

/** A Fence message (the same layout in both directions): type, 3 padding, flags, length, payload. */
export function fenceMessage(flags: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(9 + payload.length);
  b[0] = ServerMessage.Fence;
  b.writeUInt32BE(flags >>> 0, 4);
  b[8] = payload.length;
  payload.copy(b, 9);
  return b;
}

/** The answer to a client's fence request: the same payload, the flags this server honours. */
export function fenceReply(flags: number, payload: Buffer): Buffer {
  // Messages are handled in order, and parsing pauses until a pending answer is sent, so
  // BlockBefore and BlockAfter hold; SyncNext is not offered.
  return fenceMessage(flags & (FenceFlag.BlockBefore | FenceFlag.BlockAfter), payload);
}

export const END_OF_CONTINUOUS_UPDATES = Buffer.from([ServerMessage.EndOfContinuousUpdates]);
