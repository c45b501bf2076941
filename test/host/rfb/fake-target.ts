/**
 * An RFB server over a framebuffer the test drives: frames are pushed by hand (bgra8, a pixel's
 * colour a function of its position and a "generation" number), the cursor is settable, and the
 * input the clients send is recorded.
 */
import { FORMAT_BGRA8 } from '../../../src/contract/pixel-format.js';
import { LatestFramebuffer } from '../../../src/host/framebuffer/latest-framebuffer.js';
import { RfbServer, type RfbServerOptions } from '../../../src/host/rfb/rfb-server.js';
import type { RfbInput, RfbTarget } from '../../../src/host/rfb/rfb-target.js';
import type { CursorView } from '../../../src/host/sinks/frame-view.js';

/** The colour of pixel (x, y) of picture `g`, as 0xRRGGBB. */
export function colourAt(x: number, y: number, g: number): number {
  return (((x * 7 + g * 31) & 0xff) << 16) | (((y * 5 + g * 17) & 0xff) << 8) | ((x + y + g) & 0xff);
}

export class FakeTarget implements RfbTarget {
  readonly id = 1;
  readonly name = 'fake display';
  readonly framebuffer = new LatestFramebuffer();
  cursorView: CursorView | null = null;
  readonly received: Array<{ kind: string; args: unknown[] }> = [];
  private readonly clipboardListeners = new Set<(t: string) => void>();
  private seq = 0;
  /** Which picture each pixel shows (what a client should have after its updates). */
  picture = new Uint8Array(0);
  width = 0;
  height = 0;

  readonly input: RfbInput = {
    viewOnly: false,
    key: (down, keysym) => this.received.push({ kind: 'key', args: [down, keysym] }),
    pointer: (x, y, mask) => this.received.push({ kind: 'pointer', args: [x, y, mask] }),
    clipboard: (text) => this.received.push({ kind: 'clipboard', args: [text] }),
    onClipboard: (l) => {
      this.clipboardListeners.add(l);
      return () => this.clipboardListeners.delete(l);
    },
  };

  /** Set by a test to let clients resize (RfbTarget.resize); absent = prohibited. */
  resize?: (width: number, height: number) => Promise<void>;

  cursor(): CursorView | null {
    return this.cursorView;
  }

  serverClipboard(text: string): void {
    for (const l of this.clipboardListeners) l(text);
  }

  /** A full frame of picture g at a (new) size. */
  full(width: number, height: number, g: number): void {
    this.width = width;
    this.height = height;
    this.picture = new Uint8Array(width * height).fill(g);
    this.push({ x: 0, y: 0, w: width, h: height }, g);
  }

  /** Picture 0 is a solid colour (paintSolid). */
  solid = 0;

  /** What pixel (x, y) shows now, as 0xRRGGBB. */
  colour(x: number, y: number): number {
    const g = this.picture[y * this.width + x]!;
    return g === 0 ? this.solid : colourAt(x, y, g);
  }

  /** The next frame: `rect` is one solid colour. */
  paintSolid(rect: { x: number; y: number; w: number; h: number }, rgb: number): void {
    this.solid = rgb;
    this.paint(rect, 0);
  }

  /** The next frame: `rect` now shows picture g (everything else keeps its picture). */
  paint(rect: { x: number; y: number; w: number; h: number }, g: number): void {
    for (let y = rect.y; y < rect.y + rect.h; y++) for (let x = rect.x; x < rect.x + rect.w; x++) this.picture[y * this.width + x] = g;
    this.push(rect, g);
  }

  private push(dirty: { x: number; y: number; w: number; h: number }, _g: number): void {
    const w = this.width;
    const h = this.height;
    const px = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const c = this.colour(x, y);
        const o = (y * w + x) * 4;
        px[o] = c & 0xff;
        px[o + 1] = (c >> 8) & 0xff;
        px[o + 2] = c >>> 16;
        px[o + 3] = 255;
      }
    }
    this.framebuffer.accept({ pixels: px, width: w, height: h, format: FORMAT_BGRA8, stride: w * 4, sequence: ++this.seq, presentTimeMs: this.seq, dirty, generation: 1 });
  }
}

export async function startFakeServer(target: FakeTarget, opts: Partial<RfbServerOptions> = {}, host = '127.0.0.1'): Promise<RfbServer> {
  const server = new RfbServer({ targets: [target], ...opts });
  await server.listen(host, 0);
  return server;
}

/** Reads a Raw rectangle's pixel (32-bit little-endian, shifts 16/8/0) at (x, y) of the rect. */
export function rawPixel(data: Buffer, rectWidth: number, x: number, y: number): number {
  return data.readUInt32LE((y * rectWidth + x) * 4) & 0xffffff;
}

/** Waits until `check` holds (polling the event loop), failing after `ms`. */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
