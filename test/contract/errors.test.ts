import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ClosedError,
  FrameReleaseError,
  InvalidArgumentError,
  RingAttachError,
  RingStaleError,
  VdpushError,
} from '../../src/contract/errors.js';

test('each ring error has its class name, stable code and a message', () => {
  const table: Array<[VdpushError, string, string]> = [
    [new InvalidArgumentError('bad width'), 'InvalidArgumentError', 'VDP_ERR_INVALID_ARGUMENT'],
    [new RingAttachError(5, 'foreign target'), 'RingAttachError', 'VDP_ERR_RING_ATTACH'],
    [new RingStaleError(), 'RingStaleError', 'VDP_ERR_RING_STALE'],
    [new FrameReleaseError('twice'), 'FrameReleaseError', 'VDP_ERR_FRAME_RELEASE'],
    [new ClosedError('ring'), 'ClosedError', 'VDP_ERR_CLOSED'],
  ];
  for (const [e, name, code] of table) {
    assert.ok(e instanceof VdpushError);
    assert.ok(e instanceof Error);
    assert.equal(e.name, name);
    assert.equal(e.code, code);
    assert.ok(e.message.length > 0);
  }
  assert.equal(new RingAttachError(5, 'x').refusal, 5);
});
