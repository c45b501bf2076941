import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEFAULT_FAULT_DURATION_MS,
  FAULT_KINDS,
  formatFaultEntry,
  FAULT_KIND_SPECS,
  parseFaultSchedule,
  takesCount,
  takesDuration,
  type FaultKind,
} from '../../../src/backends/sim/index.js';
import { FaultScheduleError } from '../../../src/contract/errors.js';

test('an empty or blank schedule has no faults', () => {
  assert.deepEqual(parseFaultSchedule(''), []);
  assert.deepEqual(parseFaultSchedule('  \n '), []);
});

test('KIND@TIME with ms, s, m and h times (the --duration rules)', () => {
  const e = parseFaultSchedule('device-removed@200ms, unassign@1.5s ,hdr-flip@250ms');
  assert.deepEqual(
    e.map((x) => [x.kind, x.atMs]),
    [['device-removed', 200], ['hdr-flip', 250], ['unassign', 1500]],
  );
  assert.equal(e[0]!.source, 'device-removed@200ms');
  assert.deepEqual(parseFaultSchedule('idle@0.5m:0.001h').map((x) => [x.atMs, x.durationMs]), [[30_000, 3_600]]);
});

test('KIND@TIME*N/GAP repeats N times GAP apart', () => {
  const e = parseFaultSchedule('device-removed@200ms*6/100ms');
  assert.deepEqual(e.map((x) => x.atMs), [200, 300, 400, 500, 600, 700]);
  assert.ok(e.every((x) => x.kind === 'device-removed' && x.source === 'device-removed@200ms*6/100ms'));
});

test('durations and counts: given, or each kind\'s default', () => {
  const [idle] = parseFaultSchedule('idle@1s:500ms');
  assert.deepEqual([idle!.kind, idle!.atMs, idle!.durationMs], ['idle', 1000, 500]);
  assert.equal(parseFaultSchedule('flap@0')[0]!.durationMs, DEFAULT_FAULT_DURATION_MS.flap);
  assert.equal(parseFaultSchedule('host-stall@1s')[0]!.durationMs, DEFAULT_FAULT_DURATION_MS['host-stall']);
  assert.equal(parseFaultSchedule('idle@1s')[0]!.durationMs, DEFAULT_FAULT_DURATION_MS.idle);
  assert.equal(parseFaultSchedule('assign-fail@1s')[0]!.count, 1);
  assert.equal(parseFaultSchedule('assign-fail@1s:4')[0]!.count, 4);
  const rep = parseFaultSchedule(' idle @ 1s : 0.5s * 3 / 2s ');
  assert.deepEqual(rep.map((x) => [x.atMs, x.durationMs]), [[1000, 500], [3000, 500], [5000, 500]]);
  assert.equal(parseFaultSchedule('driver-bug@3s')[0]!.durationMs, 0);
});

/** A valid ARG for each kind that needs one. */
const SAMPLE_ARG: Readonly<Record<string, string>> = { 'acquire-oom': ':10ms', 'create-oom': ':10ms', 'mode-change': ':1920x1080@60', 'static-reencode': ':3', plug: ':640x360@60' };

test('#N aims an entry at a monitor, after every other part, and survives a round trip', () => {
  const [a, b, c] = parseFaultSchedule('unassign@1s#2,device-removed@2s*2/100ms#3');
  assert.deepEqual([a!.kind, a!.atMs, a!.target], ['unassign', 1000, 2]);
  assert.deepEqual([b!.target, c!.target, c!.atMs], [3, 3, 2100]);
  assert.equal(parseFaultSchedule('flap@1s:50ms#4')[0]!.durationMs, 50);
  assert.equal(parseFaultSchedule('plug@1s:640x360@30')[0]!.mode!.refreshHz, 30);
  assert.equal(parseFaultSchedule('idle@1s')[0]!.target, 0, 'no #N: no target');
  assert.deepEqual(parseFaultSchedule(formatFaultEntry(a!))[0]!.target, 2);
  for (const bad of ['unassign@1s#0', 'unassign@1s#x', 'unassign@1s#256', 'unassign@1s#']) assert.throws(() => parseFaultSchedule(bad), FaultScheduleError, bad);
});

test('every kind is accepted, and faults at one time keep schedule order', () => {
  const spec = FAULT_KINDS.map((k) => `${k}@100ms${SAMPLE_ARG[k] ?? ''}`).join(',');
  assert.deepEqual(parseFaultSchedule(spec).map((e) => e.kind), [...FAULT_KINDS]);
});

test('issue 10 kinds: names and arguments as the issue writes them', () => {
  const e = parseFaultSchedule(
    'ignore-render-adapter@0,format-blip@1s,format-blip@2s:3,acquire-oom@3s:10ms,create-oom@4s:0.5s,topology-lost@5s,' +
      'mode-change@6s:1920x1080,mode-change@7s:640x480@30,static-reencode@8s:5',
  );
  assert.deepEqual(
    e.map((x) => [x.kind, x.atMs, x.durationMs, x.count, x.mode ?? null]),
    [
      ['ignore-render-adapter', 0, 0, 0, null],
      ['format-blip', 1000, 0, 1, null],
      ['format-blip', 2000, 0, 3, null],
      ['acquire-oom', 3000, 10, 0, null],
      ['create-oom', 4000, 500, 0, null],
      ['topology-lost', 5000, 0, 0, null],
      ['mode-change', 6000, 0, 0, { width: 1920, height: 1080, refreshHz: null }],
      ['mode-change', 7000, 0, 0, { width: 640, height: 480, refreshHz: 30 }],
      ['static-reencode', 8000, 0, 5, null],
    ],
  );
  // A repeated mode-change carries its mode into every repetition.
  const rep = parseFaultSchedule('mode-change@1s:800x600@50*2/1s');
  assert.deepEqual(rep.map((x) => x.mode), [{ width: 800, height: 600, refreshHz: 50 }, { width: 800, height: 600, refreshHz: 50 }]);
});

test('the kind table says what each ARG is', () => {
  for (const k of FAULT_KINDS) {
    const spec = FAULT_KIND_SPECS[k];
    assert.equal(takesDuration(k), spec.arg === 'duration', k);
    assert.equal(takesCount(k), spec.arg === 'count', k);
  }
  assert.equal(FAULT_KIND_SPECS['format-blip'].default, 1);
  assert.equal(FAULT_KIND_SPECS['acquire-oom'].default, undefined, 'acquire-oom:D needs its D');
});

const MALFORMED: Array<[string, string, RegExp]> = [
  ['device-removed', 'device-removed', /KIND@TIME/],
  ['teleport@1s', 'teleport@1s', /unknown kind "teleport"/],
  ['Device-Removed@1s', 'Device-Removed@1s', /unknown kind/],
  ['idle@', 'idle@', /time is missing/],
  ['idle@-5ms', 'idle@-5ms', /negative/],
  ['idle@5min', 'idle@5min', /unknown unit "min"/],
  ['idle@250', 'idle@250', /no unit: write 250ms or 250s/],
  ['idle@NaN', 'idle@NaN', /not a number/],
  ['idle@Infinity', 'idle@Infinity', /not a number/],
  ['idle@1e3', 'idle@1e3', /unknown unit "e"|not a number/],
  ['idle@99999999999ms', 'idle@99999999999ms', /24 h/],
  ['idle@1s:-1ms', 'idle@1s:-1ms', /negative/],
  ['idle@1s:', 'idle@1s:', /duration is missing/],
  ['idle@1s:fast', 'idle@1s:fast', /duration "fast"/],
  ['device-removed@1s:5ms', 'device-removed@1s:5ms', /takes no ":" argument/],
  ['assign-fail@1s:2ms', 'assign-fail@1s:2ms', /count of assigns/],
  ['assign-fail@1s:0', 'assign-fail@1s:0', /outside 1\.\.10000/],
  ['unassign@1s*0/10ms', 'unassign@1s*0/10ms', /repeat count 0/],
  ['unassign@1s*10001/10ms', 'unassign@1s*10001/10ms', /outside 1\.\.10000/],
  ['unassign@1s*-2/10ms', 'unassign@1s*-2/10ms', /not a whole number/],
  ['unassign@1s*2.5/10ms', 'unassign@1s*2.5/10ms', /not a whole number/],
  ['unassign@1s*3', 'unassign@1s*3', /KIND@TIME/],
  ['unassign@1s*3/0ms', 'unassign@1s*3/0ms', /more than 0/],
  ['unassign@1s*3/xs', 'unassign@1s*3/xs', /gap/],
  ['idle@1s,,flap@2s', '', /entry 3 is empty/],
  ['idle@1s,', '', /entry 3 is empty/],
  ['unassign@1s*10000/10000s', 'unassign@1s*10000/10000s', /after 24 h/],
  ['acquire-oom@1s', 'acquire-oom@1s', /needs a ":" argument/],
  ['create-oom@1s:3x', 'create-oom@1s:3x', /duration "3x"|unknown unit/],
  ['static-reencode@1s', 'static-reencode@1s', /needs a ":" argument/],
  ['static-reencode@1s:0', 'static-reencode@1s:0', /outside 1\.\.10000/],
  ['format-blip@1s:1ms', 'format-blip@1s:1ms', /count of frames/],
  ['mode-change@1s', 'mode-change@1s', /needs a ":" argument/],
  ['mode-change@1s:big', 'mode-change@1s:big', /not WxH or WxH@HZ/],
  ['mode-change@1s:0x480', 'mode-change@1s:0x480', /1\.\.8192/],
  ['mode-change@1s:640x480@0', 'mode-change@1s:640x480@0', /refresh/],
  ['topology-lost@1s:2', 'topology-lost@1s:2', /takes no ":" argument/],
  ['ignore-render-adapter@1s:1ms', 'ignore-render-adapter@1s:1ms', /takes no ":" argument/],
];

test('every malformed form is a FaultScheduleError naming the entry', () => {
  for (const [spec, entry, re] of MALFORMED) {
    assert.throws(
      () => parseFaultSchedule(`flap@1s, ${spec}`),
      (e: unknown) => e instanceof FaultScheduleError && e.entry === entry && e.message.includes(`"${entry}"`) && re.test(e.message),
      `${spec} → ${entry} ${re}`,
    );
  }
});

test('a schedule that expands to more than 100000 faults is refused', () => {
  const spec = Array.from({ length: 11 }, (_, i) => `idle@${i}ms*10000/1ms`).join(',');
  assert.throws(() => parseFaultSchedule(spec), (e: unknown) => e instanceof FaultScheduleError && /100000/.test(e.message) && e.entry === 'idle@10ms*10000/1ms');
});

const kindArb = fc.constantFrom(...FAULT_KINDS);
const entryArb = fc.record({
  kind: kindArb,
  atMs: fc.integer({ min: 0, max: 3_600_000 }),
  durationMs: fc.integer({ min: 0, max: 100_000 }),
  count: fc.integer({ min: 1, max: 10_000 }),
  mode: fc.record({ width: fc.integer({ min: 1, max: 8192 }), height: fc.integer({ min: 1, max: 8192 }), refreshHz: fc.option(fc.integer({ min: 1, max: 2000 })) }),
});

test('property: any list of valid faults round-trips through the schedule language', () => {
  fc.assert(
    fc.property(fc.array(entryArb, { maxLength: 20 }), (raw) => {
      const entries = raw.map((e) => ({
        kind: e.kind as FaultKind,
        atMs: e.atMs,
        durationMs: takesDuration(e.kind) ? e.durationMs : 0,
        count: takesCount(e.kind) ? e.count : 0,
        ...(FAULT_KIND_SPECS[e.kind].arg === 'mode' ? { mode: { ...e.mode } } : {}),
      }));
      const parsed = parseFaultSchedule(entries.map(formatFaultEntry).join(' , '));
      const strip = parsed.map(({ kind, atMs, durationMs, count, mode }) => ({ kind, atMs, durationMs, count, ...(mode !== undefined ? { mode } : {}) }));
      const expected = [...entries].sort((a, b) => a.atMs - b.atMs);
      assert.deepEqual(strip, expected);
    }),
    { seed: 20261120, numRuns: 300 },
  );
});

test('property: arbitrary text either parses into valid faults or throws a FaultScheduleError naming one of its entries', () => {
  const alphabet = fc.constantFrom(...'idle@flap:ms*/,0123456789. -sxdevice-removedassign-fail'.split(''));
  const text = fc.oneof(
    fc.string({ unit: alphabet, maxLength: 40 }),
    fc.string({ maxLength: 30 }),
    fc.tuple(kindArb, fc.string({ unit: alphabet, maxLength: 12 })).map(([k, t]) => `${k}@${t}`),
  );
  fc.assert(
    fc.property(text, (spec) => {
      try {
        const out = parseFaultSchedule(spec);
        for (const e of out) {
          assert.ok((FAULT_KINDS as readonly string[]).includes(e.kind));
          assert.ok(Number.isFinite(e.atMs) && e.atMs >= 0 && e.durationMs >= 0 && e.count >= 0);
        }
      } catch (e) {
        assert.ok(e instanceof FaultScheduleError, `${String(e)} for ${JSON.stringify(spec)}`);
        assert.ok(spec.split(',').some((part) => part.trim() === e.entry), `entry ${JSON.stringify(e.entry)} is one of ${JSON.stringify(spec)}`);
      }
    }),
    { seed: 7, numRuns: 2000 },
  );
});
