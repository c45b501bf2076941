/**
 * What a page (or POST /api/fault, /api/mode) may ask of the source: inject a fault, aimed at a
 * monitor or not, and set a monitor's mode. Each request is checked here before the source sees
 * it, and every outcome is an ActionResult (an HTTP status, and for a refusal the message and the
 * VdpushError code the page shows in red): a bad request never throws out of the hub and is never
 * silently dropped.
 */
import { VdpushError } from '../../contract/errors.js';
import { MAX_MODE_TEXT } from './viewer-protocol.js';
import type { ViewerSource } from './viewer-source.js';

/** The largest targetId a page may name (the session's targetIds are far below it). */
const MAX_TARGET_ID = 0xffffff;
const INVALID = 'VDP_ERR_INVALID_ARGUMENT';

export interface ActionResult {
  /** HTTP status: 200 done, 400 bad request, 409 the source cannot do it, 500 it failed. */
  status: number;
  error?: string;
  /** The VdpushError code of a refusal, when there is one. */
  code?: string;
}

function refused(err: unknown): ActionResult {
  if (err instanceof VdpushError) return { status: 400, error: err.message, code: err.code };
  return { status: 500, error: err instanceof Error ? err.message : String(err) };
}

function badTarget(targetId: number | undefined): ActionResult | null {
  if (targetId === undefined || (Number.isSafeInteger(targetId) && targetId >= 1 && targetId <= MAX_TARGET_ID)) return null;
  return { status: 400, error: `targetId must be an integer in 1..${MAX_TARGET_ID} (a monitor), got ${String(targetId)}`, code: INVALID };
}

/** Injects `kind` (into monitor `targetId` when given); resolves once the source has done it. */
export async function injectFault(source: ViewerSource, kind: string, targetId?: number): Promise<ActionResult> {
  const kinds = source.faultKinds();
  if (kinds.length === 0) return { status: 409, error: 'this source cannot inject faults (only the simulated display can)' };
  if (!kinds.includes(kind)) return { status: 400, error: `unknown fault kind "${kind.slice(0, 48)}"; known: ${kinds.join(', ')}`, code: INVALID };
  const bad = badTarget(targetId);
  if (bad) return bad;
  try {
    await source.injectFault(kind, targetId);
  } catch (err) {
    return refused(err);
  }
  return { status: 200 };
}

/** Sets monitor `targetId`'s mode ('WxH@HZ'); resolves once the display committed it, or why not. */
export async function setMode(source: ViewerSource, targetId: number, mode: string): Promise<ActionResult> {
  if (source.setMode === undefined) return { status: 409, error: 'this source cannot change modes' };
  const bad = badTarget(targetId);
  if (bad) return bad;
  if (mode.trim() === '') return { status: 400, error: 'which mode? give WIDTHxHEIGHT@HZ, for example 1280x720@60', code: INVALID };
  if (mode.length > MAX_MODE_TEXT) return { status: 400, error: `a mode is at most ${MAX_MODE_TEXT} characters, like 1280x720@60`, code: INVALID };
  try {
    await source.setMode(targetId, mode.trim());
  } catch (err) {
    return refused(err);
  }
  return { status: 200 };
}
