/**
 * The viewer page over a simulated session, in-process: the session, its viewer source, the RFB
 * server (WebSocket at /rfb, security None as on loopback) and the viewer's HTTP server, with
 * noVNC in headless Chromium connected and live. Everything is torn down after `body`, in the order
 * the pumps need (the session closes first, so both pumps end), whether `body` passed or threw.
 */
import type { Page } from 'playwright-core';
import { openSession, type Session } from '../../../src/host/session.js';
import type { SessionOptions } from '../../../src/host/session-options.js';
import { SessionViewerSource } from '../../../src/host/session-viewer-source.js';
import { createSessionRfbServer } from '../../../src/host/rfb/session-rfb.js';
import { startViewerServer } from '../../../src/host/viewer/index.js';
import { ChromiumSession, requireChromium } from '../../support/chromium.js';

export interface ServedViewerPage {
  session: Session;
  rfb: ReturnType<typeof createSessionRfbServer>['server'];
  page: Page;
  /** The page's uncaught errors, as they happen. */
  problems: string[];
}

export async function withServedViewerPage(options: SessionOptions, body: (p: ServedViewerPage) => Promise<void>): Promise<void> {
  requireChromium();
  const session = await openSession(options);
  const source = new SessionViewerSource(session);
  const pumping = source.pump();
  const { server: rfb, pumping: rfbPumping } = createSessionRfbServer(session, source, { webSocketAllowsNone: true });
  const viewer = await startViewerServer({ source, port: 0, host: '127.0.0.1', rfb });
  const browser = new ChromiumSession();
  try {
    const page = await browser.open();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(viewer.url);
    await page.locator('.monitor .rfb-state', { hasText: 'live' }).waitFor({ timeout: 30_000 });
    await body({ session, rfb, page, problems });
  } finally {
    await browser.close();
    await session.close();
    await pumping;
    await rfbPumping;
    await rfb.close();
    await viewer.close();
  }
}
