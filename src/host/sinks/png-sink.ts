/**
 * PNG output: `snapshotToPng` for one frame, and PngSink (the `.png` case of createSink), which
 * keeps the FIRST frame it is given, as `vdpush snapshot` does, and counts the rest as dropped.
 * Pixels go through pixel-convert.ts, so rgba16f and 10-bit frames are properly converted to 8-bit
 * sRGB. The image is written as 8-bit RGB (every pixel is opaque; see pixel-convert.ts).
 */
import { writeFile } from 'node:fs/promises';
import pngjs from 'pngjs';
import { ClosedError, InvalidArgumentError } from '../../contract/errors.js';
import { formatName } from '../../contract/pixel-format.js';
import type { FrameView } from './frame-view.js';
import type { FrameSink } from './frame-sink.js';
import { ConvertOutcome, RgbaConverter } from './pixel-convert.js';
import { SinkError } from '../../contract/errors.js';

const READY: Promise<void> = Promise.resolve();

/** Converts `frame` now (it is valid only during the call) and returns the PNG file's bytes. */
export function encodePng(frame: FrameView, converter: RgbaConverter = new RgbaConverter()): Buffer {
  const r = converter.convert(frame);
  if (r === ConvertOutcome.UnknownFormat) {
    throw new InvalidArgumentError(`cannot write a PNG of pixel format ${frame.format} (${formatName(frame.format)})`);
  }
  if (r !== ConvertOutcome.Ok) {
    throw new InvalidArgumentError(
      `cannot write a PNG of a ${frame.width}x${frame.height} frame with stride ${frame.stride} and ${frame.pixels.length} bytes of pixels`,
    );
  }
  const d = converter.data;
  const data = Buffer.from(d.buffer, d.byteOffset, d.length);
  return pngjs.PNG.sync.write({ width: converter.width, height: converter.height, data } as pngjs.PNG, {
    colorType: 2,
    inputColorType: 6,
    inputHasAlpha: true,
  });
}

/** Writes `frame` to `path` as a PNG. The frame is converted before the first await. */
export async function snapshotToPng(frame: FrameView, path: string): Promise<void> {
  const bytes = encodePng(frame);
  try {
    await writeFile(path, bytes);
  } catch (err) {
    throw new SinkError(path, `cannot write the PNG: ${(err as Error).message}`, { cause: err });
  }
}

export class PngSink implements FrameSink {
  readonly kind = 'png' as const;
  framesWritten = 0;
  framesDropped = 0;
  private writing: Promise<void> | null = null;
  private closed = false;

  constructor(readonly path: string) {}

  write(frame: FrameView, repeat = 1): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError('the PNG sink'));
    if (repeat === 0) return READY;
    if (this.writing) {
      this.framesDropped += repeat;
      return READY;
    }
    this.writing = snapshotToPng(frame, this.path);
    this.framesWritten = 1;
    this.framesDropped += repeat - 1;
    return this.writing;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.writing) await this.writing;
  }

  async destroy(): Promise<void> {
    this.closed = true;
    await this.writing?.catch(() => undefined);
  }
}
