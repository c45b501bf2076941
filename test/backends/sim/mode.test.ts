import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMode, formatMode } from '../../../src/backends/sim/index.js';
import { InvalidArgumentError } from '../../../src/contract/errors.js';
import { FORMAT_BGRA8, FORMAT_RGBA16F } from '../../../src/contract/pixel-format.js';

test('a mode is WIDTHxHEIGHT@HZ with a format', () => {
  assert.deepEqual(parseMode('1280x720@60'), { width: 1280, height: 720, refreshHz: 60, format: FORMAT_BGRA8 });
  assert.deepEqual(parseMode(' 3840 x 2160 @ 144Hz ', 'rgba16f'), { width: 3840, height: 2160, refreshHz: 144, format: FORMAT_RGBA16F });
  assert.deepEqual(parseMode('640x480@59.94', FORMAT_RGBA16F).refreshHz, 59.94);
  assert.equal(formatMode(parseMode('800x600@75')), '800x600@75 bgra8');
});

test('a malformed mode is refused with a message that says what is wrong', () => {
  const cases: Array<[string, string | number, RegExp]> = [
    ['1280x720', 'bgra8', /WIDTHxHEIGHT@HZ/],
    ['1280*720@60', 'bgra8', /WIDTHxHEIGHT@HZ/],
    ['0x720@60', 'bgra8', /width 0/],
    ['1280x99999@60', 'bgra8', /height 99999/],
    ['1280x720@0', 'bgra8', /refresh 0/],
    ['1280x720@5000', 'bgra8', /refresh 5000/],
    ['-1x720@60', 'bgra8', /WIDTHxHEIGHT@HZ/],
    ['1280x720@60', 'xrgb2101010', /format "xrgb2101010"/],
    ['1280x720@60', 'nope', /format "nope"/],
  ];
  for (const [text, format, re] of cases) {
    assert.throws(() => parseMode(text, format), (e: unknown) => e instanceof InvalidArgumentError && re.test(e.message), `${text} ${format}`);
  }
});
