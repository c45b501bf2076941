/**
 * One client's SetDesktopSize requests on their way to the display (noVNC's "resize the remote
 * session to fit the window", TigerVNC's remote resize).
 *
 * The display owns its mode, as the OS owns an IddCx monitor's: a request is only a request,
 * applied through the same path as the viewer's mode picker (session.setMode: RandR on xvfb, an
 * unassign and a new swap-chain on sim), and answered with an ExtendedDesktopSize whose status
 * says what became of it. A target without `resize` (a view-only session) answers Prohibited.
 *
 * Invariant: at most one request per client is being applied; one that arrives meanwhile waits,
 * and a later one replaces it (a window being dragged asks many times; only its last size
 * matters), so a client flooding SetDesktopSize costs one mode change at a time, never a queue.
 */
import { DesktopSizeStatus } from './rfb-constants.js';
import { desktopLayoutProblem, type DesktopScreen } from './desktop-layout.js';

export interface ClientResizeHooks {
  /** Asks the display for width x height at its refresh rate; absent = prohibited. */
  resize: ((width: number, height: number) => Promise<void>) | undefined;
  /** The framebuffer size the client has now. */
  size(): { width: number; height: number };
  /** An answer that is not "the new size" (sent as ExtendedDesktopSize, reason Client). */
  reply(status: number): void;
  /** A line for the server's log: why a request was not applied. */
  notice(line: string): void;
  /** A request is being applied (the target's other clients will see it as another client's). */
  began(width: number, height: number): void;
  isClosed(): boolean;
}

export class ClientResize {
  private inFlight = false;
  private waiting: { width: number; height: number } | null = null;
  /** This client asked for the change that the next resized update brings. */
  private asked = false;

  constructor(private readonly hooks: ClientResizeHooks) {}

  request(width: number, height: number, screens: readonly DesktopScreen[]): void {
    const h = this.hooks;
    if (h.resize === undefined) {
      h.notice(`SetDesktopSize ${width}x${height} refused: this client may not change the display's mode (view-only)`);
      return h.reply(DesktopSizeStatus.Prohibited);
    }
    const problem = desktopLayoutProblem(width, height, screens);
    if (problem !== null) {
      h.notice(`SetDesktopSize ${width}x${height} refused: invalid layout, ${problem}`);
      return h.reply(DesktopSizeStatus.InvalidLayout);
    }
    if (this.inFlight) {
      this.waiting = { width, height };
      return;
    }
    this.apply(width, height);
  }

  /** A valid request, nothing in flight: the display is asked, unless it has that size already. */
  private apply(width: number, height: number): void {
    const h = this.hooks;
    const resize = h.resize;
    if (resize === undefined) return; // request() answered "prohibited"
    const now = h.size();
    if (width === now.width && height === now.height) return h.reply(DesktopSizeStatus.Ok);
    this.inFlight = true;
    this.asked = true;
    h.began(width, height);
    resize(width, height).then(
      () => this.settled(),
      (err: unknown) => {
        this.asked = false;
        if (h.isClosed()) return;
        h.notice(`SetDesktopSize ${width}x${height} not applied: ${(err as Error).message}`);
        h.reply(DesktopSizeStatus.OutOfResources);
        this.settled();
      },
    );
  }

  /** A resized update is going out: true if it answers this client's request (reason Client). */
  takeAsked(): boolean {
    const a = this.asked;
    this.asked = false;
    return a;
  }

  private settled(): void {
    this.inFlight = false;
    const next = this.waiting;
    this.waiting = null;
    if (next !== null && !this.hooks.isClosed()) this.apply(next.width, next.height);
  }
}
