/**
 * The few parts of the pure-JS `x11` package (node-x11) the Xvfb backend uses. The package ships no
 * TypeScript types; this declares only what vdpush calls, with the shapes read from its source.
 * Requests queue on the connection and return at once; a trailing callback receives the reply (or
 * the X error) in order with the server's event stream.
 */
declare module 'x11' {
  import type { EventEmitter } from 'node:events';

  export type XCallback<T> = (err: XError | null | undefined, value: T) => unknown;

  export interface XError extends Error {
    error?: number;
    seq?: number;
  }

  export interface XScreen {
    root: number;
    root_depth: number;
    root_visual: number;
    pixel_width: number;
    pixel_height: number;
    white_pixel: number;
    black_pixel: number;
  }

  export interface XDisplay {
    client: XClient;
    screen: XScreen[];
    max_request_length?: number;
    min_keycode?: number;
    max_keycode?: number;
  }

  export interface GetPropertyReply {
    type: number;
    format: number;
    bytesAfter: number;
    data: Buffer;
  }

  /** Any event; the fields present depend on `name`. */
  export interface XEvent {
    name?: string;
    type: number;
    seq: number;
    [field: string]: unknown;
  }

  export interface QueryPointerReply {
    root: number;
    child: number;
    rootX: number;
    rootY: number;
  }

  export interface GetImageReply {
    depth: number;
    visualId: number;
    data: Buffer;
  }

  export interface XClient extends EventEmitter {
    display: XDisplay;
    seq_num: number;
    /** The output queue; flush() writes what is batched now. */
    pack_stream: { flush(): void };
    /** The socket. */
    stream: EventEmitter & { destroyed?: boolean };
    AllocID(): number;
    ReleaseID(id: number): void;
    require(ext: string, cb: (err: Error | null, ext: any) => void): void;
    sync(cb: (err: Error | null) => void): void;
    terminate(): void;
    close(cb?: () => void): void;
    GrabServer(): void;
    UngrabServer(): void;
    GetInputFocus(cb: XCallback<unknown>): void;
    QueryPointer(wid: number, cb: XCallback<QueryPointerReply>): void;
    GetImage(
      format: number,
      drawable: number,
      x: number,
      y: number,
      width: number,
      height: number,
      planeMask: number,
      cb: XCallback<GetImageReply>,
    ): void;
    PutImage(
      format: number,
      drawable: number,
      gc: number,
      width: number,
      height: number,
      dstX: number,
      dstY: number,
      leftPad: number,
      depth: number,
      data: Buffer,
    ): void;
    CreateGC(gc: number, drawable: number, values: Record<string, number>): void;
    ChangeGC(gc: number, values: Record<string, number>): void;
    FreeGC(gc: number): void;
    PolyFillRectangle(drawable: number, gc: number, coords: number[]): void;
    WarpPointer(
      srcWin: number,
      dstWin: number,
      srcX: number,
      srcY: number,
      srcWidth: number,
      srcHeight: number,
      dstX: number,
      dstY: number,
    ): void;
    GetGeometry(drawable: number, cb: XCallback<{ width: number; height: number; depth: number }>): void;
    // Input (x-input.ts) and the CLIPBOARD selection (x-clipboard.ts).
    /** Rows of keysyms, one row per keycode from `first`. */
    GetKeyboardMapping(first: number, count: number, cb: XCallback<number[][]>): void;
    ChangeKeyboardMapping(firstKeycode: number, keysymsPerKeycode: number, keysyms: number[]): void;
    /** Eight rows (Shift, Lock, Control, Mod1..Mod5) of keycodes. */
    GetModifierMapping(cb: XCallback<number[][]>): void;
    InternAtom(onlyIfExists: boolean, name: string, cb: XCallback<number>): void;
    CreateWindow(
      id: number,
      parent: number,
      x: number,
      y: number,
      width: number,
      height: number,
      borderWidth: number,
      depth: number,
      windowClass: number,
      visual: number,
      values: Record<string, number>,
    ): void;
    DestroyWindow(id: number): void;
    MapWindow(id: number): void;
    ChangeProperty(mode: number, window: number, property: number, type: number, format: 8 | 16 | 32, data: Buffer | number[] | string): void;
    GetProperty(del: number, window: number, property: number, type: number, longOffset: number, longLength: number, cb: XCallback<GetPropertyReply>): void;
    SetSelectionOwner(owner: number, selection: number, time: number): void;
    GetSelectionOwner(selection: number, cb: XCallback<number>): void;
    ConvertSelection(requestor: number, selection: number, target: number, property: number, time: number): void;
    SendEvent(destination: number, propagate: number, eventMask: number, event: Record<string, unknown> | Buffer): void;
  }

  export interface CreateClientOptions {
    display?: string;
    /** false: a plain socket, no fd passing (vdpush never uses MIT-SHM). */
    shm?: boolean;
    disableBigRequests?: boolean;
    /** Batch requests into one socket write until one expects a reply (or the loop polls). */
    bufferRequests?: boolean;
  }

  export function createClient(options: CreateClientOptions, cb: (err: Error | null | undefined, display: XDisplay) => void): XClient;

  const x11: { createClient: typeof createClient };
  export default x11;
}
