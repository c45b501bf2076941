/**
 * The HRESULT / NTSTATUS values the display boundary speaks, as unsigned 32-bit numbers, defined
 * once. Success is S_OK (0); anything with the top bit set is a failure.
 */
export const S_OK = 0x00000000;
/** ReleaseAndAcquireBuffer: the swap-chain is fine, no new frame yet. Wait and retry. */
export const E_PENDING = 0x8000000a;
export const DXGI_ERROR_DEVICE_REMOVED = 0x887a0005;
export const DXGI_ERROR_DEVICE_HUNG = 0x887a0006;
export const DXGI_ERROR_DEVICE_RESET = 0x887a0007;
/** The OS took the swap-chain away (or SetDevice while the monitor flaps). */
export const DXGI_ERROR_ACCESS_LOST = 0x887a0026;
/** Returned from assignSwapChain: "I could not take this swap-chain; assign me another". */
export const STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN = 0xc01e0012;
export const STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED = 0xc01e0013;
/**
 * ReleaseAndAcquireBuffer2: the monitor's path left the display topology (a topology rebuild). The
 * OS unassigns the swap-chain and assigns a new one; the device is not at fault.
 */
export const STATUS_GRAPHICS_PATH_NOT_IN_TOPOLOGY = 0xc01e0327;
/** A generic failure of the driver's own (not DirectX's). */
export const E_FAIL = 0x80004005;
export const E_OUTOFMEMORY = 0x8007000e;

const NAMES: ReadonlyMap<number, string> = new Map([
  [S_OK, 'S_OK'],
  [E_PENDING, 'E_PENDING'],
  [DXGI_ERROR_DEVICE_REMOVED, 'DXGI_ERROR_DEVICE_REMOVED'],
  [DXGI_ERROR_DEVICE_HUNG, 'DXGI_ERROR_DEVICE_HUNG'],
  [DXGI_ERROR_DEVICE_RESET, 'DXGI_ERROR_DEVICE_RESET'],
  [DXGI_ERROR_ACCESS_LOST, 'DXGI_ERROR_ACCESS_LOST'],
  [STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN, 'STATUS_GRAPHICS_INDIRECT_DISPLAY_ABANDON_SWAPCHAIN'],
  [STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED, 'STATUS_GRAPHICS_INDIRECT_DISPLAY_DEVICE_STOPPED'],
  [STATUS_GRAPHICS_PATH_NOT_IN_TOPOLOGY, 'STATUS_GRAPHICS_PATH_NOT_IN_TOPOLOGY'],
  [E_FAIL, 'E_FAIL'],
  [E_OUTOFMEMORY, 'E_OUTOFMEMORY'],
]);

export function succeeded(hr: number): boolean {
  return (hr >>> 0) < 0x80000000;
}

export function resultName(hr: number): string {
  return NAMES.get(hr >>> 0) ?? `0x${(hr >>> 0).toString(16).padStart(8, '0').toUpperCase()}`;
}

/** Formats an HRESULT the way the JSON summary carries it: "0x887A0005". */
export function hresultHex(hr: number): string {
  return `0x${(hr >>> 0).toString(16).padStart(8, '0').toUpperCase()}`;
}

/** The DirectX device-loss family: errors that put a device in a state it never recovers from. */
export function isDeviceLost(hr: number): boolean {
  const u = hr >>> 0;
  return u === DXGI_ERROR_DEVICE_REMOVED || u === DXGI_ERROR_DEVICE_HUNG || u === DXGI_ERROR_DEVICE_RESET;
}

/** Any DirectX error the recovery ladder handles (device loss or a lost swap-chain). */
export function isDirectXError(hr: number): boolean {
  return isDeviceLost(hr) || hr >>> 0 === DXGI_ERROR_ACCESS_LOST;
}

/**
 * Critical-error codes. Microsoft's struct reference says major and minor are each 0..0xFF and
 * IddCx adds 0x100 to the major; the error-handling guidance says to use "a major code equal to or
 * above 0x100". vdpush reports the code as the OS sees it: the major already includes the 0x100,
 * so every major vdpush reports is >= 0x100.
 */
export const CRITICAL_MAJOR_BASE = 0x100;
