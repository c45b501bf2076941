/**
 * Routes the X events of one connection to the display: DamageNotify to the damage handler (at
 * DAMAGE's NonEmpty level an event says only that damage is there; damage-fetch.ts takes it),
 * RRScreenChangeNotify to the mode handlers, everything else (XFIXES cursor events) to the rest.
 *
 * RandR sends a burst of screen-change events for one xrandr call, so a size change is reported
 * twice: `onScreenChanging` at once for every event (the screen already has that size, so the
 * display can stop delivering frames at the old one), and `onScreenSettled` once, with the last
 * size, after RANDR_SETTLE_MS without another event. While a burst settles `settling` is true.
 *
 * Hot path: a DamageNotify costs one call, nothing allocated of ours.
 */
import type { XEvent } from 'x11';
import type { Clock } from '../../display/clock.js';
import type { XConnection } from './x-connection.js';

export const RANDR_SETTLE_MS = 30;

export interface XEventHandlers {
  onDamage(): void;
  onScreenChanging(width: number, height: number): void;
  onScreenSettled(width: number, height: number): void;
  onOtherEvent(ev: XEvent): void;
}

export class XEventRouter {
  private settleCancel: (() => void) | null = null;
  private pendingWidth = 0;
  private pendingHeight = 0;
  private readonly onSettledCb = (): void => this.settled();

  constructor(
    private readonly clock: Clock,
    private readonly handlers: XEventHandlers,
  ) {}

  /** Selects the screen-change events of `conn` and routes all its events from now on. */
  attach(conn: XConnection): void {
    conn.randr.SelectInput(conn.root, conn.randr.NotifyMask.ScreenChange);
    const damageEvent = conn.damage.firstEvent + conn.damage.events.DamageNotify;
    const screenEvent = conn.randr.firstEvent + conn.randr.events.RRScreenChangeNotify;
    const h = this.handlers;
    conn.onEvent((ev: XEvent) => {
      if (ev.type === damageEvent) h.onDamage();
      else if (ev.type === screenEvent) {
        this.screenChanged(ev.width as number, ev.height as number);
      } else h.onOtherEvent(ev);
    });
  }

  /** True while a RandR burst has not settled yet. */
  get settling(): boolean {
    return this.settleCancel !== null;
  }

  /** Forgets a burst that has not settled (the display stops). */
  cancel(): void {
    this.settleCancel?.();
    this.settleCancel = null;
  }

  private screenChanged(width: number, height: number): void {
    this.handlers.onScreenChanging(width, height);
    // Act on the last of a burst (xrandr sends several): wait until the events stop.
    this.pendingWidth = width;
    this.pendingHeight = height;
    this.settleCancel?.();
    this.settleCancel = this.clock.setTimer(RANDR_SETTLE_MS, this.onSettledCb);
  }

  private settled(): void {
    this.settleCancel = null;
    this.handlers.onScreenSettled(this.pendingWidth, this.pendingHeight);
  }
}
