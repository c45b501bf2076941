/** Debian's Chromium, headless, as the browser tests drive it (playwright-core never downloads one). */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** No sandbox (root), no GPU, and no background traffic: this machine's network is closed. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails (never skips) with the command that installs Chromium. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    assert.fail(`Chromium is not installed at ${CHROMIUM}: run scripts/setup-system.sh (it installs the Debian package "chromium")`);
  }
}

/** Polls `check` until it returns true; fails with `what` after `ms`. */
export async function eventually(check: () => Promise<boolean>, what: string | (() => string), ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    // A function names what was last seen, at the time of the failure.
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * One headless Chromium with a profile of its own (a persistent context: the viewer's token
 * cookie and storage behave as in a user's browser). close() ends it and removes the profile; it
 * is safe to call when open() never ran or failed.
 */
export class ChromiumSession {
  private context: BrowserContext | null = null;
  private readonly userDataDir = mkdtempSync(join(tmpdir(), 'vdp-chromium-'));

  async open(): Promise<Page> {
    this.context = await chromium.launchPersistentContext(this.userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    return this.context.pages()[0] ?? (await this.context.newPage());
  }

  async close(): Promise<void> {
    await this.context?.close();
    this.context = null;
    rmSync(this.userDataDir, { recursive: true, force: true });
  }
}
