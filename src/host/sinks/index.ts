/** The host's outputs: pixel conversion, PNG/Y4M/MP4 sinks, and the recorder's progress bar. */
export type { FrameView, CursorView, DirtyBounds } from './frame-view.js';
export type { FrameSink, SinkKind, SinkOptions } from './frame-sink.js';
export { validateSinkOptions } from './frame-sink.js';
export {
  ConvertOutcome,
  type ConvertOutcomeCode,
  type PixelSource,
  RgbaConverter,
  fitSize,
  linearToSrgb,
  halfToFloat,
  halfToSrgb8Table,
  TEN_TO_EIGHT,
} from './pixel-convert.js';
export { I420Converter, i420Size } from './i420-convert.js';
export { encodePng, snapshotToPng, PngSink } from './png-sink.js';
export { Y4MSink } from './y4m-sink.js';
export { Y4mEncoder, y4mHeader, y4mFrameBytes, fpsToRational } from './y4m-encoder.js';
export { Mp4Sink, type Mp4SinkOptions, probeH264Encoder, ffmpegArgs } from './mp4-sink.js';
export { createSink, SINK_EXTENSIONS } from './create-sink.js';
export { ProgressBar, type ProgressStream } from './progress.js';
export { SinkError } from '../../contract/errors.js';
