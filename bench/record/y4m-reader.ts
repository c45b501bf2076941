/**
 * Reads a YUV4MPEG2 stream as it arrives in chunks of any size (a pipe from `vdpush record -`, from
 * ffmpeg's yuv4mpegpipe, or from ffmpeg decoding a recording) and hands each picture's luma plane
 * to a callback; the chroma planes are skipped, the bench reads only the luma stamp.
 *
 * Invariant: memory is one luma plane plus at most one header line, whatever the stream holds; a
 * header or frame line longer than MAX_LINE, a size beyond MAX_PIXELS or a chroma layout it cannot
 * size is a BackendError (what the capturer wrote is not what it claims), never a guess.
 */
import { BackendError } from '../../src/contract/errors.js';

const MAX_LINE = 1024;
/** 8K: larger than anything the bench records. */
const MAX_PIXELS = 7680 * 4320;

export interface Y4mHeader {
  width: number;
  height: number;
  /** Bytes of chroma after each luma plane. */
  chromaBytes: number;
}

function parseHeader(line: string): Y4mHeader {
  const fields = line.split(' ');
  if (fields[0] !== 'YUV4MPEG2') throw new BackendError(`not a YUV4MPEG2 stream (it starts "${line.slice(0, 16)}")`);
  let width = 0;
  let height = 0;
  let colour = '420jpeg';
  for (const f of fields.slice(1)) {
    if (f.startsWith('W')) width = Number(f.slice(1));
    else if (f.startsWith('H')) height = Number(f.slice(1));
    else if (f.startsWith('C')) colour = f.slice(1);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width * height > MAX_PIXELS) {
    throw new BackendError(`YUV4MPEG2 header has no usable size (W${width} H${height})`);
  }
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  let chromaBytes: number;
  if (colour.startsWith('420')) chromaBytes = 2 * cw * ch;
  else if (colour === 'mono') chromaBytes = 0;
  else if (colour === '444') chromaBytes = 2 * width * height;
  else if (colour === '422') chromaBytes = 2 * cw * height;
  else throw new BackendError(`YUV4MPEG2 colour space C${colour} is not read here`);
  return { width, height, chromaBytes };
}

type State = 'header' | 'frame-line' | 'luma' | 'chroma';

export class Y4mReader {
  header: Y4mHeader | null = null;
  frames = 0;
  bytes = 0;
  private state: State = 'header';
  private line = '';
  private luma: Uint8Array = new Uint8Array(0);
  private filled = 0;
  private skip = 0;

  constructor(private readonly onPicture: (luma: Uint8Array, header: Y4mHeader) => void) {}

  /** Feeds the next chunk of the stream. */
  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    let at = 0;
    while (at < chunk.length) {
      if (this.state === 'header' || this.state === 'frame-line') at = this.readLine(chunk, at);
      else if (this.state === 'luma') {
        const n = Math.min(this.luma.length - this.filled, chunk.length - at);
        this.luma.set(chunk.subarray(at, at + n), this.filled);
        this.filled += n;
        at += n;
        if (this.filled === this.luma.length) {
          this.frames++;
          this.onPicture(this.luma, this.header!);
          this.skip = this.header!.chromaBytes;
          this.state = this.skip > 0 ? 'chroma' : 'frame-line';
        }
      } else {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        if (this.skip === 0) this.state = 'frame-line';
      }
    }
  }

  /** The stream ended: a picture cut short is an error. */
  end(): void {
    if (this.state === 'header' && this.line === '' && this.bytes === 0) throw new BackendError('the YUV4MPEG2 stream was empty');
    if (this.state === 'frame-line' && this.line === '') return;
    // The luma of a picture counts it as read; its chroma may still be cut short.
    const picture = this.state === 'chroma' ? this.frames : this.frames + 1;
    throw new BackendError(`the YUV4MPEG2 stream ended inside ${this.state === 'header' ? 'its header' : `picture ${picture}`}`);
  }

  private readLine(chunk: Uint8Array, at: number): number {
    const nl = chunk.indexOf(0x0a, at);
    const end = nl < 0 ? chunk.length : nl;
    this.line += Buffer.from(chunk.buffer, chunk.byteOffset + at, end - at).toString('latin1');
    if (this.line.length > MAX_LINE) throw new BackendError(`a YUV4MPEG2 ${this.state === 'header' ? 'header' : 'frame'} line longer than ${MAX_LINE} bytes`);
    if (nl < 0) return chunk.length;
    const line = this.line;
    this.line = '';
    if (this.state === 'header') {
      this.header = parseHeader(line);
      this.luma = new Uint8Array(this.header.width * this.header.height);
      this.state = 'frame-line';
    } else {
      if (line !== 'FRAME' && !line.startsWith('FRAME ')) throw new BackendError(`expected FRAME before picture ${this.frames + 1}, got "${line.slice(0, 16)}"`);
      this.filled = 0;
      this.state = 'luma';
    }
    return nl + 1;
  }
}
