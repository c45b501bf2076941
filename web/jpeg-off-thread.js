// Tight's JPEG rectangles decoded off the page's main thread.
//
// noVNC (1.7) draws a JPEG rectangle by base64-encoding it in JavaScript into a data: URL, loading
// it into an <img> and drawing that image: the encode, the URL and the JPEG decode all run on the
// page's main thread, which also parses the stream and flips the canvas. At 1080p that decode is
// most of a frame's budget (a full-screen change of a 1080p60 display is one JPEG per frame, see
// src/host/rfb/encoders/jpeg-rects.ts). createImageBitmap(Blob) decodes on one of Chromium's
// worker threads and hands back a bitmap the main thread only blits, so the next frame's decode
// overlaps this frame's drawing; the pixels are the same JPEG decoded by the same decoder.
//
// The bitmap goes through noVNC's own render queue as a 'frame' entry (the queue entry its H.264
// decoder uses for WebCodecs frames: drawn in order once `ready`, then `close()`d), so ordering,
// the flush before the next FramebufferUpdate and the flip are noVNC's, unchanged. This reaches
// into noVNC's Display (imageRect, _renderQPush); when those are not there (another noVNC) the page
// keeps noVNC's own path.

/**
 * Installs the off-thread JPEG path on an RFB client's display. Returns its counts ({ decoded }:
 * JPEG rectangles decoded this way), or null when it cannot.
 */
export function decodeJpegOffThread(rfb) {
  const display = rfb && rfb._display;
  if (!display || typeof display.imageRect !== 'function' || typeof display._renderQPush !== 'function') return null;
  if (typeof createImageBitmap !== 'function' || typeof Blob !== 'function') return null;
  const own = display.imageRect;
  const counts = { decoded: 0 };
  display.imageRect = function imageRect(x, y, width, height, mime, arr) {
    if (mime !== 'image/jpeg') return own.call(this, x, y, width, height, mime, arr);
    if (width === 0 || height === 0) return undefined;
    const entry = { ready: false, frame: null, promise: null };
    // The Blob copies the bytes now: `arr` is a view into noVNC's receive queue, reused later.
    entry.promise = createImageBitmap(new Blob([arr], { type: mime }))
      // A JPEG that does not decode leaves the rectangle black instead of stalling the queue.
      .catch(() => createImageBitmap(new ImageData(width, height)))
      .then((bitmap) => {
        counts.decoded++;
        entry.frame = bitmap;
        entry.ready = true;
      });
    this._renderQPush({ type: 'frame', frame: entry, x, y, width, height });
    return undefined;
  };
  return counts;
}
