/**
 * The model test's driver: a seeded random interleaving of fine-grained producer and consumer
 * steps, run in one thread against the REAL HostRing and FramePublisher.
 *
 * Producer steps: begin (checks, damage, take a slot) → copy → commit, one step each, so consumer
 * steps land between them. Consumer steps: tryConsume, re-verify a held frame, release, repeatLast.
 * Now and then the host recreates the ring while the producer may be mid-publish: the stale
 * producer finishes into the old buffer, and a new publisher opens the new one. Now and then a
 * frame comes in the other format (bgra8 <-> rgba16f, a per-frame format change IddCx allows)
 * from a second surface of the same size; the ring's slots carry both formats.
 *
 * Asserted at every step:
 * - the consumer never takes the slot the producer is writing;
 * - the producer never takes a slot the consumer holds (never relabels a READING slot), and with
 *   the slot-state arm every state change is a transition the contract allows for that side;
 * - delivered sequences strictly increase within a generation (repeatLast repeats the last one);
 * - every delivered frame's pixels equal the source as it was when that sequence was published
 *   (so they carry their own frame numbers, partial dirty-rect frames included), and stay so
 *   while held;
 * - liveness: tryConsume returns null only if no readable slot holds a newer frame.
 */
import assert from 'node:assert/strict';
import {
  FORMAT_BGRA8,
  FORMAT_RGBA16F,
  KEY_CONSUMER,
  OFF_LATEST,
  PublishOutcome,
  SlotState,
  bytesPerPixel,
  isAllowedTransition,
  mutexHeld,
  mutexKey,
  sequenceAfter,
  tokenGeneration,
  tokenSequence,
} from '../../src/contract/index.js';
import { FramePublisher, HostRing, SlotTable, type ArmChoice, type ConsumedFrame } from '../../src/ring/index.js';
import { HeaderView } from '../../src/ring/header-view.js';
import { SourceDisplay, firstDifference, randInt, prng } from './helpers.js';

export interface ModelOptions {
  arm: Exclude<ArmChoice, 'auto'>;
  seed: number;
  steps: number;
  ringLen: number;
}

export interface ModelStats {
  published: number;
  delivered: number;
  repeated: number;
  busy: number;
  recreates: number;
}

interface Held {
  frame: ConsumedFrame;
  expected: Uint32Array;
  generation: number;
  wordsPerPixel: number;
}

const TARGET = 3;

export function runModel(o: ModelOptions): ModelStats {
  const rand = prng(o.seed);
  const stats: ModelStats = { published: 0, delivered: 0, repeated: 0, busy: 0, recreates: 0 };
  let width = 7;
  let height = 5;
  let format: number = FORMAT_BGRA8;
  const ring = HostRing.create({ targetId: TARGET, width, height, format, ringLen: o.ringLen, arm: o.arm, frameFormats: [FORMAT_BGRA8, FORMAT_RGBA16F] });
  let source = new SourceDisplay(width, height, format, 4 * randInt(rand, 0, 2));
  let alt = new SourceDisplay(width, height, otherFormat(format));
  let publisher = open(ring);
  let table = tableOf(ring);
  let header = new HeaderView(ring.buffer);
  // Producer state: the slot it owns between begin and commit (-1 idle) and whether it copied.
  let pSlot = -1;
  let pCopied = false;
  let pPublisher = publisher;
  let pSnapshot: Uint32Array | null = null;
  let pSource = source;
  // What each sequence looked like when published, per generation, and in which format.
  let expected = new Map<number, Uint32Array>();
  let expectedFormat = new Map<number, number>();
  let lastDelivered = -1;
  const held: Held[] = [];

  const verify = (h: Held, when: string): void => {
    const f = h.frame;
    const diff = firstDifference(f.pixels, f.stride, f.width, f.height, h.wordsPerPixel, h.expected);
    assert.equal(diff, -1, `${when}: frame seq ${f.sequence} (slot ${f.slot}) differs from its source at word ${diff}`);
  };

  for (let step = 0; step < o.steps; step++) {
    const before = o.arm === 'slot-state' ? slotStates(table) : null;
    const r = rand();
    let actor: 'producer' | 'consumer';
    if (r < 0.45) {
      actor = 'producer';
      if (pSlot < 0) {
        pSource = rand() < 0.05 ? alt : source;
        const frame = pSource.nextRandom(rand);
        if (pPublisher !== publisher) pPublisher = publisher;
        const slot = pPublisher.publishBegin(frame);
        if (slot >= 0) {
          assert.ok(!held.some((h) => h.frame.slot === slot && h.generation === ring.generation), `producer took slot ${slot}, which the consumer holds`);
          pSlot = slot;
          pCopied = false;
          pSnapshot = pSource.snapshot();
        } else {
          const outcome = -1 - slot;
          assert.equal(outcome, PublishOutcome.AllSlotsBusy, `unexpected drop ${outcome}`);
          assertAllSlotsBusy(table, o.arm, held.filter((h) => h.generation === ring.generation).length);
          stats.busy++;
        }
      } else if (!pCopied) {
        pPublisher.publishCopy(pSource.frame, pSlot);
        pCopied = true;
      } else {
        const outcome = pPublisher.publishCommit(pSource.frame, pSlot);
        assert.equal(outcome, PublishOutcome.Published);
        if (pPublisher === publisher) {
          const seq = tokenSequence(header.load64(OFF_LATEST));
          expected.set(seq, pSnapshot!);
          expectedFormat.set(seq, pSource.format);
          stats.published++;
        }
        pSlot = -1;
      }
    } else if (r < 0.9995) {
      actor = 'consumer';
      const c = rand();
      if (c < 0.45) {
        const f = ring.tryConsume();
        if (f !== null) {
          assert.ok(!(pSlot >= 0 && pPublisher === publisher && f.slot === pSlot), `consumer took slot ${f.slot} while the producer writes it`);
          assert.equal(f.generation, ring.generation);
          assert.equal(tokenGeneration(f.token), ring.generation);
          if (lastDelivered >= 0) assert.ok(sequenceAfter(f.sequence, lastDelivered), `delivered ${f.sequence} after ${lastDelivered}`);
          lastDelivered = f.sequence;
          const exp = expected.get(f.sequence);
          assert.ok(exp, `delivered sequence ${f.sequence} was never published`);
          assert.equal(f.format, expectedFormat.get(f.sequence), `frame seq ${f.sequence} carries the format it was published in`);
          const h = { frame: f, expected: exp, generation: ring.generation, wordsPerPixel: bytesPerPixel(f.format) / 4 };
          verify(h, 'on delivery');
          held.push(h);
          for (const k of expected.keys()) if (sequenceAfter(lastDelivered, k)) expected.delete(k);
          stats.delivered++;
        } else {
          assertNothingNewerReadable(table, o.arm, lastDelivered, held, ring.generation);
        }
      } else if (c < 0.6) {
        if (held.length > 0) verify(held[randInt(rand, 0, held.length - 1)]!, 'while held');
      } else if (c < 0.95) {
        if (held.length > 0) {
          const i = rand() < 0.7 ? 0 : randInt(rand, 0, held.length - 1);
          const [h] = held.splice(i, 1);
          verify(h!, 'at release');
          ring.release(h!.frame);
          assert.throws(() => ring.release(h!.frame), { code: 'VDP_ERR_FRAME_RELEASE' });
        }
      } else {
        const f = ring.repeatLast();
        if (f !== null) {
          assert.equal(f.sequence, lastDelivered);
          assert.equal(f.format, expectedFormat.get(f.sequence));
          const h = { frame: f, expected: expected.get(f.sequence)!, generation: ring.generation, wordsPerPixel: bytesPerPixel(f.format) / 4 };
          verify(h, 'on repeat');
          held.push(h);
          stats.repeated++;
        }
      }
    } else {
      // The host recreates the ring (sometimes at a new mode); the producer may be mid-publish.
      actor = 'consumer';
      const newMode = rand() < 0.5;
      if (newMode) {
        width = randInt(rand, 1, 9);
        height = randInt(rand, 1, 6);
        format = rand() < 0.5 ? FORMAT_BGRA8 : FORMAT_RGBA16F;
      }
      ring.recreate({ width, height, format });
      for (const h of held) verify(h, 'after recreate'); // held frames of the old buffer stay valid
      assert.equal(pPublisher.isStale(), true);
      if (newMode) {
        // A display at a new mode: the rest of the producer's frames come from a new surface.
        if (pSlot >= 0) {
          pPublisher.publishCopy(pSource.frame, pSlot);
          pPublisher.publishCommit(pSource.frame, pSlot);
          pSlot = -1;
        }
        source = new SourceDisplay(width, height, format, 4 * randInt(rand, 0, 2));
        alt = new SourceDisplay(width, height, otherFormat(format));
        pSource = source;
      }
      publisher = open(ring);
      table = tableOf(ring);
      header = new HeaderView(ring.buffer);
      expected = new Map();
      expectedFormat = new Map();
      lastDelivered = -1;
      stats.recreates++;
      continue;
    }
    if (before !== null) assertAllowedChanges(before, slotStates(table), actor);
  }
  for (const h of held.splice(0)) ring.release(h.frame);
  ring.close();
  return stats;
}

function otherFormat(format: number): number {
  return format === FORMAT_BGRA8 ? FORMAT_RGBA16F : FORMAT_BGRA8;
}

function open(ring: HostRing): FramePublisher {
  const r = FramePublisher.open(ring.buffer, { targetId: TARGET });
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.publisher;
}

function tableOf(ring: HostRing): SlotTable {
  const h = new HeaderView(ring.buffer).readHostFields();
  return new SlotTable(new HeaderView(ring.buffer), {
    generation: h.generation,
    ringLen: h.ringLen,
    width: h.width,
    height: h.height,
    format: h.format,
    bytesPerPixel: h.stride / h.width,
    stride: h.stride,
    slotStride: h.slotStride,
    pixelsOffset: h.pixelsOffset,
  });
}

function slotStates(t: SlotTable): number[] {
  const out: number[] = [];
  for (let s = 0; s < t.ringLen; s++) out.push(t.loadState(s));
  return out;
}

function assertAllowedChanges(before: number[], after: number[], who: 'producer' | 'consumer'): void {
  for (let s = 0; s < before.length; s++) {
    if (before[s] === after[s]) continue;
    assert.ok(isAllowedTransition(before[s]!, after[s]!, who), `${who} moved slot ${s} from ${before[s]} to ${after[s]}`);
    if (who === 'producer') assert.notEqual(before[s], SlotState.Reading, `producer relabelled READING slot ${s}`);
  }
}

/** A producer drop for lack of slots is only right when no slot was takeable without waiting. */
function assertAllSlotsBusy(t: SlotTable, arm: string, heldCount: number): void {
  for (let s = 0; s < t.ringLen; s++) {
    if (arm === 'slot-state') {
      const st = t.loadState(s);
      assert.ok(st === SlotState.Reading || st === SlotState.Writing, `slot ${s} was ${st} yet the producer found no slot`);
    } else {
      const w = Atomics.load(t.view.i32, t.mutexIndex(s));
      assert.ok(mutexHeld(w) || mutexKey(w) === KEY_CONSUMER, `slot ${s} was free for the producer yet it found no slot`);
    }
  }
  if (arm === 'slot-state') assert.equal(heldCount, t.ringLen);
}

function assertNothingNewerReadable(t: SlotTable, arm: string, last: number, held: Held[], generation: number): void {
  for (let s = 0; s < t.ringLen; s++) {
    if (held.some((h) => h.frame.slot === s && h.generation === generation)) continue;
    const readable =
      arm === 'slot-state'
        ? t.loadState(s) === SlotState.Published
        : (() => {
            const w = Atomics.load(t.view.i32, t.mutexIndex(s));
            return !mutexHeld(w) && mutexKey(w) === KEY_CONSUMER;
          })();
    if (!readable) continue;
    const tok = t.loadToken(s);
    if (tokenGeneration(tok) !== generation) continue;
    assert.ok(last >= 0 && !sequenceAfter(tokenSequence(tok), last), `tryConsume returned null while slot ${s} holds newer frame ${tokenSequence(tok)}`);
  }
}
