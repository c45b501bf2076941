/**
 * What an attached display (`--display :N`) is before anything connects to it, read synchronously
 * from its framebuffer file's XWD header, so the host can build its ring at the display's own
 * size and format (no first-frame mismatch and no recreate). Throws the same BackendError
 * attachXvfb does when :N is not an Xvfb vdpush can read.
 */
import { BackendError } from '../../contract/errors.js';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { attachXvfb, screenIndexOf } from './xvfb-server.js';
import { XWD_MAX_HEADER_BYTES, parseXwdHeader } from './xwd-header.js';

export interface AttachedScreen {
  width: number;
  height: number;
  /** Pixel-format code of its pixels. */
  format: number;
}

/** The screen `display` names (":N" → screen 0, ":N.S" → screen S), and how many the server has. */
export function probeAttachedDisplay(display: string): AttachedScreen & { screens: number } {
  const server = attachXvfb(display);
  const screen = screenIndexOf(display);
  if (screen >= server.screens) throw new BackendError(`display ${display}: the Xvfb on :${server.displayNumber} has ${server.screens} screen(s), no screen ${screen}`);
  const fd = openSync(server.framebufferPathOf(screen), 'r');
  try {
    const bytes = new Uint8Array(XWD_MAX_HEADER_BYTES);
    const n = readSync(fd, bytes, 0, bytes.length, 0);
    const h = parseXwdHeader(bytes.subarray(0, n), fstatSync(fd).size);
    return { width: h.width, height: h.height, format: h.format, screens: server.screens };
  } finally {
    closeSync(fd);
  }
}
