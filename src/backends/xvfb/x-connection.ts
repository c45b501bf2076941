/**
 * One X connection of the backend, with the three extensions it needs: DAMAGE (what changed),
 * RANDR (the screen's size) and XFIXES (the cursor). Opening it checks they exist and fails with a
 * MissingDependencyError naming the package otherwise.
 *
 * The connection never uses MIT-SHM: node-x11 can pass a segment's fd only through Node's
 * internal pipe bindings (process.binding, deprecated), and even then the client reads the
 * segment with pread, so it would save nothing over reading the framebuffer file. `shm: false`
 * keeps the socket a plain one.
 *
 * XInputExtension (XI2) is optional: the cursor tracker selects pointer motion through it when the
 * server has it (Xvfb does), and falls back to its poll alone otherwise (`xinput` is null).
 *
 * Requests are batched (node-x11's bufferRequests): a frame's requests leave in one write when the
 * one that expects a reply is sent; what must not wait (UngrabServer) is flushed explicitly.
 *
 * A connection belongs to one screen: the one its display string names (":N.S" → screen S, ":N" →
 * 0). Its root window, depth, DAMAGE, RandR and cursor selections are that screen's, so a server
 * with several screens is watched by one connection per screen (one per monitor).
 *
 * Once the socket ends (the server died or dropped us), `closed` is true for good and every
 * onClose listener has run once; a new connection is a new object.
 */
import type { XClient, XDisplay, XEvent } from 'x11';
import { BackendError, MissingDependencyError } from '../../contract/errors.js';
import { screenIndexOf } from './display-name.js';
import { XVFB_PACKAGE } from './xvfb-server.js';
import { connectXClient } from './x-connect.js';
import { DamageFetch } from './damage-fetch.js';


/** The DAMAGE, RANDR and XFIXES extension objects node-x11 returns (request methods + constants). */
/* eslint-disable @typescript-eslint/no-explicit-any */
export type DamageExt = any;
export type RandrExt = any;
export type FixesExt = any;
export type XInputExt = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

export class XConnection {
  closed = false;
  /** The DAMAGE object (NonEmpty: one event until the damage is taken) on the root window, created at open. */
  readonly damageId: number;
  /** Takes the damage in the capture's round trip (damage-fetch.ts). */
  readonly damageFetch: DamageFetch;
  /** X errors of requests sent without a callback (counted, never thrown). */
  asyncErrors = 0;
  /** The screen of the server this connection watches. */
  readonly screen: number;
  private closeListeners: Array<() => void> = [];
  /** Captures holding the server grab through this connection (see grabServer). */
  private grabs = 0;

  private constructor(
    readonly display: string,
    readonly client: XClient,
    readonly xdisplay: XDisplay,
    readonly damage: DamageExt,
    readonly randr: RandrExt,
    readonly fixes: FixesExt,
    /** XI2 (XInputExtension 2.x), or null when the server has none. */
    readonly xinput: XInputExt | null,
  ) {
    this.screen = screenIndexOf(display);
    if (xdisplay.screen[this.screen] === undefined) {
      throw new BackendError(`display ${display}: the server has ${xdisplay.screen.length} screen(s), no screen ${this.screen}`);
    }
    this.damageId = client.AllocID();
    damage.Create(this.damageId, this.root, damage.ReportLevel.NonEmpty);
    const regionId = client.AllocID();
    fixes.CreateRegion(regionId, []);
    this.damageFetch = new DamageFetch(client, damage, fixes, this.damageId, regionId);
    const onGone = (): void => this.markClosed();
    client.on('end', onGone);
    client.stream.on('close', onGone);
  }

  get root(): number {
    return this.xdisplay.screen[this.screen]!.root;
  }

  get depth(): number {
    return this.xdisplay.screen[this.screen]!.root_depth;
  }

  /**
   * GrabServer for one capture. The server's grab does not nest: one UngrabServer releases it
   * whatever number of GrabServers came before. A swap-chain deleted while its capture was in
   * flight still ungrabs when its reply comes, and by then a newer swap-chain on this connection
   * may be reading under its own grab: so the grabs are counted here and UngrabServer goes out
   * only when the last holder lets go.
   */
  grabServer(): void {
    this.grabs++;
    this.client.GrabServer();
  }

  /** One holder lets go; the last one's UngrabServer is flushed at once (batched, it would wait). */
  ungrabServer(): void {
    if (this.grabs === 0) return;
    if (--this.grabs > 0 || this.closed) return;
    this.client.UngrabServer();
    this.client.pack_stream.flush();
  }

  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closeListeners.push(fn);
  }

  onEvent(fn: (ev: XEvent) => void): void {
    this.client.on('event', fn);
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    const ls = this.closeListeners;
    this.closeListeners = [];
    for (const l of ls) l();
  }

  /** A round trip: resolves once the server processed every request sent before it. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new BackendError(`X connection to ${this.display} is closed`));
      this.client.sync((err) => (err ? reject(err) : resolve()));
    });
  }

  /** Closes the socket. Idempotent; safe on a dead connection. */
  close(): void {
    if (this.closed) return;
    try {
      this.client.terminate();
    } catch {
      /* already torn down */
    }
    this.markClosed();
  }

  static async open(display: string): Promise<XConnection> {
    let conn: XConnection | undefined;
    const { client, xdisplay } = await connectXClient(display, {
      bufferRequests: true,
      onError: () => {
        if (conn) conn.asyncErrors++;
      },
    });
    const need = (name: string, ext: string): Promise<unknown> =>
      new Promise((resolve, reject) => {
        client.require(ext, (err, e) => {
          if (err || !e) {
            reject(new MissingDependencyError(`the X extension ${name} on display ${display}`, XVFB_PACKAGE, 'vdpush needs DAMAGE, RANDR and XFIXES'));
          } else resolve(e);
        });
      });
    try {
      const damage = await need('DAMAGE', 'damage');
      const randr = await need('RANDR', 'randr');
      const fixes = await need('XFIXES', 'fixes');
      const xinput = await new Promise<XInputExt | null>((resolve) => {
        client.require('xinput', (err, e) => resolve(err || !e || !(e as XInputExt).xi2 ? null : e));
      });
      conn = new XConnection(display, client, xdisplay, damage, randr, fixes, xinput);
      return conn;
    } catch (e) {
      try {
        client.terminate();
      } catch {
        /* ignore */
      }
      throw e;
    }
  }
}
