/**
 * vdpush's public API: sessions on top, then each layer for those who build their own host.
 */
export { openSession, Session, type SessionFrame, type SessionOptions } from './host/session.js';
export { type RunSummary, formatRunSummary } from './host/run-summary.js';
export { startViewerServer, type ViewerSource } from './host/viewer/index.js';
export { createSink, snapshotToPng, Y4MSink, Mp4Sink, type FrameSink } from './host/sinks/index.js';
export { HostRing, FramePublisher, type ConsumedFrame, type RingHealth } from './ring/index.js';
export { createDriver, type Driver, type DriverOptions, type RingPort } from './driver/index.js';
export { createSimDisplay, SimDisplay, VirtualClock, parseFaultSchedule, parseMode, FAULT_KINDS } from './backends/sim/index.js';
export { createXvfbDisplay, type XvfbDisplayOptions } from './backends/xvfb/index.js';
export * as display from './display/index.js';
export * as contract from './contract/index.js';
export * from './contract/errors.js';
