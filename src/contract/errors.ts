/**
 * vdpush's errors: one base class, one subclass per failure, each with a stable `code` users can
 * match on. Messages say what to do. Pure: no I/O.
 */
/** Quotes user text for a message, cut to a readable length (a pasted megabyte stays one line). */
export function quoteInput(text: string, max = 48): string {
  const one = text.replace(/\s+/g, ' ');
  return `"${one.length > max ? `${one.slice(0, max - 1)}…` : one}"`;
}

export class VdpushError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A user-supplied value (flag, mode, schedule entry, option) is malformed. */
export class InvalidArgumentError extends VdpushError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('VDP_ERR_INVALID_ARGUMENT', message, options);
  }
}

/** A fault schedule entry is malformed; the message names the entry. */
export class FaultScheduleError extends VdpushError {
  readonly entry: string;
  constructor(entry: string, reason: string) {
    super('VDP_ERR_FAULT_SCHEDULE', `bad fault schedule entry ${quoteInput(entry)}: ${reason}`);
    this.entry = entry;
  }
}

/** A ring refused to attach (wrong magic, stale, foreign target, bad sizes...). */
export class RingAttachError extends VdpushError {
  readonly refusal: number;
  constructor(refusal: number, message: string) {
    super('VDP_ERR_RING_ATTACH', message);
    this.refusal = refusal;
  }
}

/** The host recreated the ring; the holder must re-attach. */
export class RingStaleError extends VdpushError {
  constructor(message = 'the ring was recreated by the host; re-attach to the new generation') {
    super('VDP_ERR_RING_STALE', message);
  }
}

/** A frame was returned twice, or to the wrong ring. */
export class FrameReleaseError extends VdpushError {
  constructor(message: string) {
    super('VDP_ERR_FRAME_RELEASE', message);
  }
}

/** A system tool (Xvfb, ffmpeg, chromium) or X extension is missing; the message names the package. */
export class MissingDependencyError extends VdpushError {
  readonly packageName: string;
  constructor(what: string, packageName: string, detail = '') {
    super(
      'VDP_ERR_MISSING_DEPENDENCY',
      `${what} is not available${detail ? ` (${detail})` : ''}: install the Debian package "${packageName}" (scripts/setup-system.sh installs everything vdpush uses)`,
    );
    this.packageName = packageName;
  }
}

/** The display backend failed in a way the user must act on (cannot start Xvfb, display not found). */
export class BackendError extends VdpushError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('VDP_ERR_BACKEND', message, options);
  }
}

/** The driver reported a critical error and the device stopped (IddCxReportCriticalError). */
export class CriticalError extends VdpushError {
  readonly major: number;
  readonly minor: number;
  constructor(major: number, minor: number, message: string) {
    super('VDP_ERR_CRITICAL', message);
    this.major = major;
    this.minor = minor;
  }
}

/** A viewer request without the right token. */
export class UnauthorizedError extends VdpushError {
  constructor(message = 'missing or wrong token') {
    super('VDP_ERR_UNAUTHORIZED', message);
  }
}

/** An operation on a closed session, ring or server. */
export class ClosedError extends VdpushError {
  constructor(what: string) {
    super('VDP_ERR_CLOSED', `${what} is closed`);
  }
}

/** A framebuffer file's header (Xvfb's XWD dump) is truncated, malformed or in a layout vdpush cannot read. */
export class FramebufferHeaderError extends VdpushError {
  /** The header field at fault ("header_size", "depth", ...), or "file" for a short file. */
  readonly field: string;
  constructor(field: string, reason: string) {
    super('VDP_ERR_FRAMEBUFFER_HEADER', `bad framebuffer header (${field}): ${reason}`);
    this.field = field;
  }
}

/**
 * The simulation was driven in a way that can never make progress (a virtual clock asked to run
 * while it already runs, timers that keep rescheduling at one instant, a wait no timer can end).
 */
export class SimulationError extends VdpushError {
  constructor(message: string) {
    super('VDP_ERR_SIMULATION', message);
  }
}

/** A sink could not write its output (a file error, ffmpeg exiting with an error). */
export class SinkError extends VdpushError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('VDP_ERR_SINK', `${path}: ${message}`, options);
    this.path = path;
  }
}

/**
 * A monitor plugged into a session on xvfb finds no free X screen: the screens of an X server are
 * fixed at its start (a departed monitor's screen is free again; see src/host/shared-xvfb.ts).
 */
export class NoFreeScreenError extends VdpushError {
  constructor(message: string) {
    super('VDP_ERR_NO_FREE_SCREEN', message);
  }
}

/**
 * The folder asked for Xvfb's framebuffer (`--fbdir`, VDPUSH_FBDIR, the `fbDir` option) cannot
 * hold it: missing, not a directory, not a tmpfs, not writable or too small. `origin` names where
 * the folder came from, so the message says what to change.
 */
export class FramebufferDirError extends VdpushError {
  readonly dir: string;
  readonly origin: string;
  constructor(origin: string, dir: string, reason: string) {
    super('VDP_ERR_FRAMEBUFFER_DIR', `${origin} ${quoteInput(dir, 80)}: ${reason}`);
    this.dir = dir;
    this.origin = origin;
  }
}
