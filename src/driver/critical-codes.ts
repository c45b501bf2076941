/**
 * The critical errors vdpush reports (IddCxReportCriticalError), defined once.
 *
 * Seed 004: report "a major code equal to or above 0x100" with "unique major/minor codes to
 * represent the type of error". Microsoft's struct reference instead says major and minor are each
 * 0..0xFF and IddCx adds 0x100 to the major. vdpush reports the code as the OS sees it: every major
 * below already includes CRITICAL_MAJOR_BASE (0x100; see display/result-codes.ts), so the OS-side
 * major is >= 0x100 and the driver-side value (major - 0x100) stays in 0..0xFF.
 *
 * A code is never reused or renumbered; a retired failure keeps its number.
 *
 * | major | minor | name                          | when                                                        |
 * |-------|-------|-------------------------------|-------------------------------------------------------------|
 * | 0x101 | 0x01  | directx-assign-exhausted      | too many consecutive DirectX failures in assignSwapChain on the software adapter |
 * | 0x101 | 0x02  | directx-processing-exhausted  | too many DirectX failures while processing, within the window, on the software adapter |
 * | 0x101 | 0x03  | no-software-adapter           | the hardware adapter is failing and there is no software adapter to fall back to |
 * | 0x102 | 0x01  | transient-recurring           | a transient issue of the driver's own recurred regularly: promoted to permanent |
 * | 0x102 | 0x02  | permanent-own                 | the driver hit a permanent issue of its own (reportPermanent) |
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
    'too many consecutive DirectX failures in assignSwapChain on the software adapter',
  ),
  DirectXProcessingExhausted: code(
    'directx-processing-exhausted',
    CriticalMajor.DirectXExhausted,
    0x02,
    'too many DirectX failures while processing frames, within the window, on the software adapter',
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

/** The TERMINAL_ERROR_CODE the ring carries for a critical error (ErrorDomain.Critical). */
export function criticalTerminalCode(major: number, minor: number): number {
  return (((major & 0xffff) << 16) | (minor & 0xffff)) >>> 0;
}
