/** Picks a sink by the output's extension: .png, .y4m or .mp4. */
import { extname } from 'node:path';
import { InvalidArgumentError } from '../../contract/errors.js';
import { validateSinkOptions, type FrameSink } from './frame-sink.js';
import { Mp4Sink, type Mp4SinkOptions } from './mp4-sink.js';
import { PngSink } from './png-sink.js';
import { Y4MSink } from './y4m-sink.js';

export const SINK_EXTENSIONS = ['.png', '.y4m', '.mp4', '.mkv'] as const;

/**
 * Opens the sink for `path`. Throws InvalidArgumentError for an unknown extension or bad options,
 * MissingDependencyError for .mp4 without ffmpeg, SinkError when the file cannot be created.
 */
export async function createSink(path: string, options: Mp4SinkOptions): Promise<FrameSink> {
  const ext = extname(path).toLowerCase();
  switch (ext) {
    case '.png':
      return new PngSink(path);
    case '.y4m': {
      const sink = new Y4MSink(path, options);
      await sink.ready();
      return sink;
    }
    case '.mp4':
    case '.mkv':
      return Mp4Sink.open(path, options);
    default:
      validateSinkOptions(options);
      throw new InvalidArgumentError(
        `cannot tell what to write for "${path}": the extension must be one of ${SINK_EXTENSIONS.join(', ')}`,
      );
  }
}
