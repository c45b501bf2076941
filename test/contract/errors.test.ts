import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as errors from '../../src/contract/errors.js';
import {
  BackendError,
  ClosedError,
  CriticalError,
  FaultScheduleError,
  FramebufferDirError,
  FramebufferHeaderError,
  FrameReleaseError,
  InvalidArgumentError,
  MissingDependencyError,
  NoFreeScreenError,
  RingAttachError,
  RingStaleError,
  SimulationError,
  SinkError,
  UnauthorizedError,
  VdpushError,
} from '../../src/contract/errors.js';

const TABLE: Array<[VdpushError, string, string]> = [
  [new InvalidArgumentError('bad width'), 'InvalidArgumentError', 'VDP_ERR_INVALID_ARGUMENT'],
  [new FaultScheduleError('idle@x', 'bad time'), 'FaultScheduleError', 'VDP_ERR_FAULT_SCHEDULE'],
  [new RingAttachError(5, 'foreign target'), 'RingAttachError', 'VDP_ERR_RING_ATTACH'],
  [new RingStaleError(), 'RingStaleError', 'VDP_ERR_RING_STALE'],
  [new FrameReleaseError('twice'), 'FrameReleaseError', 'VDP_ERR_FRAME_RELEASE'],
  [new MissingDependencyError('Xvfb', 'xvfb'), 'MissingDependencyError', 'VDP_ERR_MISSING_DEPENDENCY'],
  [new BackendError('no display'), 'BackendError', 'VDP_ERR_BACKEND'],
  [new CriticalError(0x101, 2, 'stopped'), 'CriticalError', 'VDP_ERR_CRITICAL'],
  [new UnauthorizedError(), 'UnauthorizedError', 'VDP_ERR_UNAUTHORIZED'],
  [new ClosedError('ring'), 'ClosedError', 'VDP_ERR_CLOSED'],
  [new FramebufferHeaderError('file', 'too short'), 'FramebufferHeaderError', 'VDP_ERR_FRAMEBUFFER_HEADER'],
  [new SimulationError('timer loop'), 'SimulationError', 'VDP_ERR_SIMULATION'],
  [new SinkError('out.mp4', 'ffmpeg failed'), 'SinkError', 'VDP_ERR_SINK'],
  [new NoFreeScreenError('all screens show a monitor'), 'NoFreeScreenError', 'VDP_ERR_NO_FREE_SCREEN'],
  [new FramebufferDirError('--fbdir', '/nope', 'no such directory'), 'FramebufferDirError', 'VDP_ERR_FRAMEBUFFER_DIR'],
];

test('every error class has its name, a stable code and a message', () => {
  for (const [e, name, code] of TABLE) {
    assert.ok(e instanceof VdpushError);
    assert.ok(e instanceof Error);
    assert.equal(e.name, name);
    assert.equal(e.code, code);
    assert.ok(e.message.length > 0);
  }
});

test('the table covers every exported error class and no two share a code', () => {
  const exported = Object.values(errors).filter((v) => typeof v === 'function' && v !== VdpushError && v.prototype instanceof VdpushError);
  assert.equal(exported.length, TABLE.length, 'add new error classes to the table');
  assert.equal(new Set(TABLE.map(([, , code]) => code)).size, TABLE.length);
});

test('errors carry what a caller needs to act on', () => {
  assert.equal(new RingAttachError(5, 'x').refusal, 5);
  assert.equal(new FaultScheduleError('idle@x', 'bad').entry, 'idle@x');
  assert.match(new FaultScheduleError('idle@x', 'bad').message, /idle@x/);
  const missing = new MissingDependencyError('ffmpeg', 'ffmpeg');
  assert.equal(missing.packageName, 'ffmpeg');
  assert.match(missing.message, /apt|Debian|setup-system/);
  const c = new CriticalError(0x101, 2, 'x');
  assert.deepEqual([c.major, c.minor], [0x101, 2]);
  assert.equal(new SinkError('a.y4m', 'disk full').path, 'a.y4m');
});
