// noVNC resumes its message handling when a pending display flush settles, without asking whether
// the client was disconnected meanwhile: a connection that ends while a frame is still being drawn
// (the server closes it when its monitor is unplugged) then logs "Got data while disconnected" as
// an error with the rest of the frame still queued, or, while 'disconnecting', would parse it as
// a handshake. The page's off-thread JPEG
// decode keeps flushes pending longer, so it happened in the multi-monitor browser test (1 of ~10
// runs). Upstream's fix is open (novnc/noVNC pull request 2082, "Discard late display data if
// disconnected"); until it lands, late data after a disconnect is dropped here.

/** Makes `rfb` drop a flush's late resume once it is disconnecting or disconnected. False when noVNC's shape changed. */
export function dropLateData(rfb) {
  const own = rfb && rfb._handleMessage;
  if (typeof own !== 'function' || typeof rfb._rfbConnectionState !== 'string') return false;
  rfb._handleMessage = function handleMessage() {
    const s = this._rfbConnectionState;
    if (s === 'disconnected' || s === 'disconnecting') return undefined;
    return own.call(this);
  };
  return true;
}
