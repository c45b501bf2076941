/**
 * The critical errors vdpush reports (IddCxReportCriticalError), defined once.
 *
 * Seed 004: report "a major code equal to or above 0x100" with "unique major/minor codes to
 * represent the type of error". Microsoft's struct reference instead says major and minor are each
 * 0..0xFF and IddCx adds 0x100 to the major. Both hold at once: the driver passes 0..0xFF across the
 * boundary (boundaryArgs; a larger major bugchecks on a real OS and in the sim), and the OS reports
 * major + 0x100. Every major below is the code as the OS reports it (it includes CRITICAL_MAJOR_BASE,
 * 0x100; see display/result-codes.ts): that is what the timeline, the summary's `criticalError` and
 * the ring's terminal error carry.
 *
 * A code is never reused or renumbered; a retired failure keeps its number.
 *
 * | major | minor | name                          | when                                                        |
 * |-------|-------|-------------------------------|-------------------------------------------------------------|
 * | 0x101 | 0x01  | directx-assign-exhausted      | too many consecutive DirectX failures in assignSwapChain in the software stage |
 * | 0x101 | 0x02  | directx-processing-exhausted  | too many DirectX failures while processing, within the window, in the software stage |
 * | 0x101 | 0x03  | no-software-adapter           | the hardware adapter is failing and there is no software adapter to fall back to |
 * | 0x102 | 0x01  | transient-recurring           | a transient issue of the driver's own recurred regularly: promoted to permanent |
 * | 0x102 | 0x02  | permanent-own                 | the driver hit a permanent issue of its own (reportPermanent) |
 * | 0x102 | 0x03  | transient-persistent          | one transient episode lasted longer than transientEpisodeMaxMs ("well under a second" it was not) |
 * | 0x103 | 0x01  | unknown-assign-exhausted      | like 0x101/0x01, but the failures were not recognisable DirectX errors |
 * | 0x103 | 0x02  | unknown-processing-exhausted  | like 0x101/0x02, for unrecognised failures                   |
 */
import { CRITICAL_MAJOR_BASE } from '../display/result-codes.js';

export const CriticalMajor = {
  /** The DirectX recovery ladder ran out of stages. */
  DirectXExhausted: CRITICAL_MAJOR_BASE + 0x01,
  /** A permanent issue of the driver's own. */
  DriverPermanent: CRITICAL_MAJOR_BASE + 0x02,
  /** The ladder ran out on failures the driver could not classify. */
  UnknownExhausted: CRITICAL_MAJOR_BASE + 0x03,
} as const;

export interface CriticalCode {
  readonly name: string;
  readonly major: number;
  readonly minor: number;
  readonly meaning: string;
}

function code(name: string, major: number, minor: number, meaning: string): CriticalCode {
  return Object.freeze({ name, major, minor, meaning });
}

export const CriticalCodes = Object.freeze({
  DirectXAssignExhausted: code(
    'directx-assign-exhausted',
    CriticalMajor.DirectXExhausted,
    0x01,
    'too many consecutive DirectX failures in assignSwapChain in the software stage (after the driver asked for the software adapter, wherever the OS composes)',
  ),
  DirectXProcessingExhausted: code(
    'directx-processing-exhausted',
    CriticalMajor.DirectXExhausted,
    0x02,
    'too many DirectX failures while processing frames, within the window, in the software stage (wherever the OS composes)',
  ),
  NoSoftwareAdapter: code(
    'no-software-adapter',
    CriticalMajor.DirectXExhausted,
    0x03,
    'the hardware adapter keeps failing and the system has no software adapter to fall back to',
  ),
  TransientRecurring: code(
    'transient-recurring',
    CriticalMajor.DriverPermanent,
    0x01,
    "a transient issue of the driver's own recurred regularly and was promoted to permanent",
  ),
  PermanentOwn: code('permanent-own', CriticalMajor.DriverPermanent, 0x02, "a permanent issue of the driver's own"),
  TransientPersistent: code(
    'transient-persistent',
    CriticalMajor.DriverPermanent,
    0x03,
    "one transient episode of the driver's own lasted longer than a transient issue does (well under a second)",
  ),
  UnknownAssignExhausted: code(
    'unknown-assign-exhausted',
    CriticalMajor.UnknownExhausted,
    0x01,
    'too many consecutive unrecognised failures in assignSwapChain on the software adapter',
  ),
  UnknownProcessingExhausted: code(
    'unknown-processing-exhausted',
    CriticalMajor.UnknownExhausted,
    0x02,
    'too many unrecognised failures while processing frames, within the window, on the software adapter',
  ),
});

export const ALL_CRITICAL_CODES: readonly CriticalCode[] = Object.values(CriticalCodes);

/**
 * The arguments IddCxReportCriticalError takes for a code as the OS reports it: major 0..0xFF (the
 * OS adds 0x100 itself), minor 0..0xFF.
 */
export function boundaryArgs(major: number, minor: number): { major: number; minor: number } {
  return { major: (major - CRITICAL_MAJOR_BASE) & 0xff, minor: minor & 0xff };
}

/** The TERMINAL_ERROR_CODE the ring carries for a critical error (ErrorDomain.Critical). */
export function criticalTerminalCode(major: number, minor: number): number {
  return (((major & 0xffff) << 16) | (minor & 0xffff)) >>> 0;
}
