/**
 * Display modes of the simulated monitor: `WIDTHxHEIGHT@HZ` plus a composition format. The sim
 * composes bgra8 (SDR) or rgba16f (advanced color / HDR), as DWM does for an indirect display.
 */
import { InvalidArgumentError } from '../../contract/errors.js';
import { FORMAT_BGRA8, FORMAT_RGBA16F, formatCode, formatName } from '../../contract/pixel-format.js';
import type { DisplayMode } from '../../display/types.js';

/** The largest width or height the sim composes (one rgba16f frame at the limit is 512 MiB). */
export const MAX_MODE_DIMENSION = 8192;
/** The fastest refresh the sim composes. */
export const MAX_REFRESH_HZ = 2000;

const MODE_RE = /^\s*(\d+)\s*[xX]\s*(\d+)\s*@\s*(\d+(?:\.\d+)?)\s*(?:hz|Hz|HZ)?\s*$/;

/**
 * Parses `1280x720@60` (an optional `Hz` suffix is accepted) into a DisplayMode at `format`
 * (a name or a code; bgra8 by default). Throws InvalidArgumentError saying what is wrong.
 */
export function parseMode(text: string, format: string | number = FORMAT_BGRA8): DisplayMode {
  const m = MODE_RE.exec(String(text));
  if (m === null) throw new InvalidArgumentError(`mode "${text}" is not WIDTHxHEIGHT@HZ (for example 1280x720@60)`);
  const width = Number(m[1]);
  const height = Number(m[2]);
  const refreshHz = Number(m[3]);
  return makeMode(width, height, refreshHz, format, `mode "${text}"`);
}

/** Validates a mode given as numbers. */
export function makeMode(width: number, height: number, refreshHz: number, format: string | number, what = 'mode'): DisplayMode {
  if (!Number.isInteger(width) || width < 1 || width > MAX_MODE_DIMENSION) {
    throw new InvalidArgumentError(`${what}: width ${width} must be an integer in 1..${MAX_MODE_DIMENSION}`);
  }
  if (!Number.isInteger(height) || height < 1 || height > MAX_MODE_DIMENSION) {
    throw new InvalidArgumentError(`${what}: height ${height} must be an integer in 1..${MAX_MODE_DIMENSION}`);
  }
  if (!Number.isFinite(refreshHz) || refreshHz < 1 || refreshHz > MAX_REFRESH_HZ) {
    throw new InvalidArgumentError(`${what}: refresh ${refreshHz} Hz must be in 1..${MAX_REFRESH_HZ}`);
  }
  const code = typeof format === 'number' ? format : formatCode(format);
  if (code !== FORMAT_BGRA8 && code !== FORMAT_RGBA16F) {
    const name = typeof format === 'number' ? formatName(format) : format;
    throw new InvalidArgumentError(`${what}: format "${name}" is not one the simulated display composes (bgra8 or rgba16f)`);
  }
  return { width, height, refreshHz, format: code };
}

/** `1280x720@60 bgra8`. */
export function formatMode(mode: DisplayMode): string {
  return `${mode.width}x${mode.height}@${mode.refreshHz} ${formatName(mode.format)}`;
}
