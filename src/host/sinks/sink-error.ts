/**
 * A sink could not write its output (a file error, ffmpeg exiting with an error). Lives here until
 * src/contract/errors.ts (owned by the contract's maintainer) takes it; the code is stable already.
 */
import { VdpushError } from '../../contract/errors.js';

export class SinkError extends VdpushError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('VDP_ERR_SINK', `${path}: ${message}`, options);
    this.path = path;
  }
}
