/**
 * The RFB server of a `serve` session: one target per monitor the session has when the server
 * starts (`/rfb?target=N`; TCP serves the first). Monitor 1's frames come through the viewer's
 * source (one latest framebuffer shared by the page and the RFB clients); every other monitor is
 * pumped here into a latest framebuffer of its own.
 */
import { LatestFramebuffer } from '../framebuffer/latest-framebuffer.js';
import type { Session } from '../session.js';
import type { SessionViewerSource } from '../session-viewer-source.js';
import { RfbServer, type RfbServerOptions } from './rfb-server.js';
import type { RfbTarget } from './rfb-target.js';
import { viewOnlyInput } from '../input/remote-input.js';

export interface SessionRfb {
  server: RfbServer;
  /** Resolves when the pumps of the monitors other than the first have ended (the session ended). */
  pumping: Promise<void>;
}

/** `viewOnly` (`serve --view-only`): the clients' input is dropped before it reaches the session. */
export function createSessionRfbServer(
  session: Session,
  source: SessionViewerSource,
  { viewOnly = false, ...opts }: Omit<RfbServerOptions, 'targets'> & { viewOnly?: boolean },
): SessionRfb {
  const c = session.config;
  const pumps: Promise<void>[] = [];
  const targets: RfbTarget[] = session.targets().map((id) => {
    let framebuffer = source.framebuffer;
    if (id !== session.targets()[0]) {
      const fb = new LatestFramebuffer();
      framebuffer = fb;
      pumps.push(
        (async () => {
          for await (const f of session.frames(id)) fb.accept(f);
        })().catch(() => undefined),
      );
    }
    return {
      id,
      name: `vdpush ${c.source} monitor ${id}`,
      framebuffer,
      cursor: () => session.cursor(id),
      input: viewOnly ? viewOnlyInput() : session.remoteInput(id),
    };
  });
  return { server: new RfbServer({ ...opts, targets }), pumping: Promise.all(pumps).then(() => undefined) };
}
