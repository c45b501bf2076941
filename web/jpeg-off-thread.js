// Tight's JPEG rectangles decoded off the page's main thread.
//
// noVNC (1.7) draws a JPEG rectangle by base64-encoding it in JavaScript into a data: URL, loading
// it into an <img> and drawing that image: the encode, the URL and the JPEG decode all run on the
// page's main thread, which also parses the stream and flips the canvas. At 1080p that decode is
// most of a frame's budget (a full-screen change of a 1080p60 display is one JPEG per frame, see
// src/host/rfb/encoders/jpeg-rects.ts). Here the JPEG is decoded on one of Chromium's worker
// threads, so the next frame's decode overlaps this frame's drawing, in one of two ways:
//
// - WebCodecs' ImageDecoder (secure contexts: loopback or https), then VideoFrame.copyTo into RGBA
//   pixels this file keeps and reuses, drawn with putImageData. The JPEG is decoded to its YCbCr
//   planes, and one pass makes RGBA of them into memory that is already there. Measured in headless
//   Chromium (software) on a 1080p frame of the sim's full pattern, decode and draw: ~12-14 ms of
//   CPU in all of Chromium against ~17-20 ms for the other way, which hands its bytes to the
//   browser process as a Blob and decodes into a fresh 8 MB bitmap each frame (page faults and
//   zeroing were half its decode thread's time). The RGBA is not the <img>'s byte for byte: JPEG
//   leaves chroma upsampling to the decoder, and this one does not blur colour across edges as
//   libjpeg's "fancy" upsampling does (closer to the source on the sim's pattern, see
//   test/host/viewer/viewer-jpeg-off-thread.test.ts).
// - createImageBitmap of a Blob, drawn with drawImage: the same decoder as the <img>, the same
//   pixels. Used where ImageDecoder is not there (plain http to another host) or fails.
//
// Each decoded rectangle goes through noVNC's own render queue as a 'frame' entry (the queue entry
// its H.264 decoder uses for WebCodecs frames: drawn in order once `ready`, then `close()`d), so
// ordering, the flush before the next FramebufferUpdate and the flip are noVNC's, unchanged. This
// reaches into noVNC's Display (imageRect, drawImage, _renderQPush, _drawCtx, _damage); when those
// are not there (another noVNC) the page keeps noVNC's own path.

/** RGBA pixels from an ImageDecoder's frame: a queue entry's `frame`, drawn by putImageData. */
class DecodedRgba {
  constructor(image, pool) {
    this.image = image;
    this.pool = pool;
    this.width = image.width;
    this.height = image.height;
  }

  close() {
    this.pool.release(this.image);
  }
}

/**
 * Reusable ImageData of one size at a time: a 1080p frame is 8 MB, and fresh memory of that size
 * each frame is what this path saves. At most `keep` are kept (the rectangles in flight at once).
 */
class RgbaPool {
  constructor(keep) {
    this.keep = keep;
    this.free = [];
  }

  take(width, height) {
    const i = this.free.findIndex((d) => d.width === width && d.height === height);
    if (i >= 0) return this.free.splice(i, 1)[0];
    return new ImageData(width, height);
  }

  release(image) {
    if (this.free.length >= this.keep) this.free.shift();
    this.free.push(image);
  }
}

const POOLED_IMAGES = 4;

/** Whether this page can decode a JPEG with WebCodecs (a secure context, a recent Chromium). */
function hasImageDecoder() {
  return typeof ImageDecoder === 'function' && typeof VideoFrame === 'function' && typeof ImageData === 'function';
}

/**
 * Installs the off-thread JPEG path on an RFB client's display. Returns its counts ({ decoded }:
 * JPEG rectangles decoded this way; { path }: 'imagedecoder' or 'bitmap'), or null when it
 * cannot. `opts.imageDecoder: false` keeps to createImageBitmap (the tests compare both).
 */
export function decodeJpegOffThread(rfb, opts = {}) {
  const display = rfb && rfb._display;
  if (!display || typeof display.imageRect !== 'function' || typeof display._renderQPush !== 'function') return null;
  if (typeof createImageBitmap !== 'function' || typeof Blob !== 'function') return null;
  const useDecoder = opts.imageDecoder !== false && hasImageDecoder() && typeof display.drawImage === 'function' && typeof display._damage === 'function';
  const own = display.imageRect;
  const counts = { decoded: 0, path: useDecoder ? 'imagedecoder' : 'bitmap' };
  const pool = new RgbaPool(POOLED_IMAGES);

  // A JPEG that does not decode leaves the rectangle black instead of stalling the queue.
  const viaBitmap = (bytes, mime, width, height) => createImageBitmap(new Blob([bytes], { type: mime })).catch(() => createImageBitmap(new ImageData(width, height)));

  const viaDecoder = async (bytes, mime) => {
    const decoder = new ImageDecoder({ data: bytes, type: mime });
    let frame = null;
    try {
      frame = (await decoder.decode()).image;
      const rgba = pool.take(frame.displayWidth, frame.displayHeight);
      await frame.copyTo(rgba.data, { format: 'RGBA', colorSpace: 'srgb' });
      return new DecodedRgba(rgba, pool);
    } finally {
      if (frame) frame.close();
      decoder.close();
    }
  };

  display.imageRect = function imageRect(x, y, width, height, mime, arr) {
    if (mime !== 'image/jpeg') return own.call(this, x, y, width, height, mime, arr);
    if (width === 0 || height === 0) return undefined;
    const entry = { ready: false, frame: null, promise: null };
    // `arr` is a view into noVNC's receive queue, reused later: the bytes are copied now (the
    // Blob copies them; the decoder is given a copy, kept for the fallback should it fail).
    const decoded = useDecoder
      ? ((bytes) => viaDecoder(bytes, mime).catch(() => viaBitmap(bytes, mime, width, height)))(arr.slice())
      : viaBitmap(arr, mime, width, height);
    entry.promise = decoded.then((frame) => {
      counts.decoded++;
      entry.frame = frame;
      entry.ready = true;
    });
    this._renderQPush({ type: 'frame', frame: entry, x, y, width, height });
    return undefined;
  };

  if (useDecoder) {
    const ownDraw = display.drawImage;
    // The queue draws a 'frame' entry with drawImage(frame, sx, sy, sw, sh, dx, dy, dw, dh); ours
    // are pixels, put where it says.
    display.drawImage = function drawImage(img, ...args) {
      if (!(img instanceof DecodedRgba)) return ownDraw.call(this, img, ...args);
      const [sx, sy, sw, sh, dx, dy] = args;
      this._drawCtx.putImageData(img.image, dx - sx, dy - sy, sx, sy, sw, sh);
      this._damage(dx, dy, sw, sh);
      return undefined;
    };
  }
  return counts;
}
