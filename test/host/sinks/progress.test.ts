import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBar } from '../../../src/host/sinks/progress.js';

function stream(isTTY: boolean, columns = 60): { isTTY: boolean; columns: number; written: string[]; write(s: string): boolean } {
  return {
    isTTY,
    columns,
    written: [],
    write(s: string) {
      this.written.push(s);
      return true;
    },
  };
}

test('a_bar_on_a_pipe_draws_nothing', () => {
  const s = stream(false);
  const bar = new ProgressBar(s, 1000, 'rec');
  bar.update(500, '10 frames');
  bar.done();
  assert.deepEqual(s.written, []);
});

test('a_bar_on_a_terminal_redraws_in_place_only_when_its_text_changes', () => {
  const s = stream(true);
  const bar = new ProgressBar(s, 1000, 'rec');
  bar.update(500, '10 frames');
  bar.update(500, '10 frames');
  bar.update(1000, '20 frames');
  bar.done(1000, '20 frames');
  bar.done();
  assert.equal(s.written.length, 3, 'two distinct states and one final newline');
  assert.match(s.written[0]!, /^\rrec \[#+-+\]  50% 10 frames\x1b\[K$/);
  assert.match(s.written[1]!, /^\rrec \[#+\] 100% 20 frames\x1b\[K$/);
  assert.equal(s.written[2], '\n');
  for (const w of s.written) assert.ok(w.replace(/\x1b\[K|\r|\n/g, '').length < s.columns);
});
