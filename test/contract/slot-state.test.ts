import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SLOT_TRANSITIONS, SlotState, isAllowedTransition } from '../../src/contract/slot-state.js';

const { Free, Writing, Published, Reading } = SlotState;
const STATES = [Free, Writing, Published, Reading];

test('the slot states are FREE 0, WRITING 1, PUBLISHED 2, READING 3', () => {
  assert.deepEqual(SlotState, { Free: 0, Writing: 1, Published: 2, Reading: 3 });
});

test('the transition table is exactly the one the contract documents', () => {
  assert.deepEqual(
    SLOT_TRANSITIONS.map((t) => [...t]),
    [
      [Free, Writing, 'producer'],
      [Writing, Published, 'producer'],
      [Published, Writing, 'producer'],
      [Published, Reading, 'consumer'],
      [Published, Free, 'consumer'],
      [Reading, Free, 'consumer'],
      [Reading, Published, 'consumer'],
    ],
  );
});

test('the producer never touches a slot the consumer is reading', () => {
  for (const to of STATES) assert.equal(isAllowedTransition(Reading, to, 'producer'), false);
  for (const from of STATES) assert.equal(isAllowedTransition(from, Reading, 'producer'), false);
});

test('the consumer never touches a slot the producer is writing', () => {
  for (const to of STATES) assert.equal(isAllowedTransition(Writing, to, 'consumer'), false);
  for (const from of STATES) assert.equal(isAllowedTransition(from, Writing, 'consumer'), false);
});

test('only the consumer takes a published slot for reading, and only the producer publishes', () => {
  assert.equal(isAllowedTransition(Published, Reading, 'consumer'), true);
  assert.equal(isAllowedTransition(Published, Reading, 'producer'), false);
  assert.equal(isAllowedTransition(Writing, Published, 'producer'), true);
  assert.equal(isAllowedTransition(Free, Published, 'producer'), false);
});

test('the full state-by-state table allows nothing beyond the listed transitions', () => {
  let allowed = 0;
  for (const from of STATES) {
    for (const to of STATES) {
      for (const who of ['producer', 'consumer'] as const) if (isAllowedTransition(from, to, who)) allowed++;
    }
  }
  assert.equal(allowed, SLOT_TRANSITIONS.length);
  assert.equal(isAllowedTransition(7, Free, 'consumer'), false);
  assert.equal(isAllowedTransition(Free, Free, 'producer'), false);
});
