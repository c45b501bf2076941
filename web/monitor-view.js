// One monitor on the page: its live view, drawn by noVNC's RFB client over `/rfb?target=N` (only
// what changed arrives, compressed: Tight with JPEG or zlib, ZRLE; noVNC sends the keyboard and
// mouse back unless the session is view-only), its own stats (frames/s of its display and drawn
// here, ring health and generation, drops by reason, mode, adapter, input) and its mode picker.
// The page builds one MonitorView per monitor from <template id="monitor-template">.
//
// Life of a panel: it connects once the server says `/rfb?target=N` serves the monitor (rfb: true
// in the stats), reconnects with backoff while the monitor lives, stops for good when the display
// is dead (critical error, display gone: greyed, with the reason), and when the monitor departs
// it stays, greyed and marked "unplugged", with its final counters, until the user dismisses it
// (the page keeps the few most recent departed ones; see viewer.js).
//
// frames/s drawn: noVNC copies its back buffer to the visible canvas once per completed
// FramebufferUpdate (Display.flip → one drawImage on the canvas's context); counting those calls
// counts the frames this page actually drew.

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 8000;
const HEALTH_BADGE = { active: 'ok', initializing: 'wait', rebuilding: 'wait', dead: 'bad' };

const fmt = (n) => (typeof n === 'number' ? (Number.isInteger(n) ? String(n) : n.toFixed(1)) : '—');

/** 'WxH @ HZ Hz · format' of a mode object. */
export function modeText(m) {
  if (!m) return '';
  return `${m.width}×${m.height}${m.refreshHz ? ` @ ${m.refreshHz} Hz` : ''}${m.format ? ` · ${m.format}` : ''}`;
}

export class MonitorView {
  /**
   * @param {HTMLElement} parent where the panel goes
   * @param {{ RFB: any, decodeJpegOffThread?: (rfb: any) => ({ decoded: number, path: string } | null), dropLateData?: (rfb: any) => boolean, target: number, token: string|null, viewOnly: boolean, remoteResize?: boolean, served?: boolean,
   *   setMode?: (target: number, mode: string) => void, onDismiss?: (view: MonitorView) => void }} opts
   */
  constructor(parent, opts) {
    this.opts = opts;
    this.target = opts.target;
    const node = document.getElementById('monitor-template').content.firstElementChild.cloneNode(true);
    node.dataset.target = String(opts.target);
    node.dataset.connects = '0';
    node.dataset.drawn = '0';
    this.node = node;
    const q = (sel) => node.querySelector(sel);
    this.screen = q('.screen');
    this.state = q('.rfb-state');
    this.drawnFpsEl = q('.drawn-fps');
    this.deadEl = q('.dead');
    this.goneEl = q('.gone');
    this.waiting = q('.waiting');
    this.form = q('.credentials');
    this.statsEl = q('.monitor-stats');
    this.picker = q('.mode-picker');
    this.modeResult = q('.mode-result');
    q('.target').textContent = `monitor ${opts.target}`;
    parent.append(node);
    this.rfb = null;
    this.served = false;
    this.drawn = 0;
    this.drawnAtLast = 0;
    this.lastTick = performance.now();
    this.fps = 0;
    this.retryMs = RECONNECT_MIN_MS;
    this.retryTimer = null;
    this.dead = null;
    this.gone = false;
    this.password = null;
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.password = this.form.querySelector('input').value;
      this.form.hidden = true;
      if (this.rfb) this.rfb.sendCredentials({ password: this.password });
    });
    if (opts.setMode) {
      this.picker.hidden = false;
      this.picker.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const mode = this.picker.querySelector('.mode-input').value.trim();
        this.showModeResult(`setting ${mode || '(empty)'}…`, 'wait');
        opts.setMode(this.target, mode);
      });
    }
    const dismiss = q('.dismiss');
    dismiss.addEventListener('click', () => opts.onDismiss && opts.onDismiss(this));
    this.ticker = setInterval(() => this.tick(), 1000);
    this.setServed(opts.served !== false);
  }

  url() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = new URLSearchParams({ target: String(this.target) });
    if (this.opts.token) q.set('token', this.opts.token);
    return `${proto}//${location.host}/rfb?${q}`;
  }

  setState(text, kind) {
    this.state.textContent = text;
    this.state.className = `rfb-state badge badge-${kind}`;
  }

  /** Whether `/rfb?target=N` serves this monitor now: connect when it starts to. */
  setServed(served) {
    if (served === this.served) return;
    this.served = served;
    if (served) {
      if (!this.rfb && !this.dead && !this.gone) this.connect();
    } else if (!this.rfb && !this.dead && !this.gone) {
      this.setState('no live view', 'wait');
      this.waiting.textContent = `no live view: the RFB server does not serve monitor ${this.target}`;
    }
  }

  connect() {
    this.retryTimer = null;
    if (this.dead || this.gone || !this.served) return;
    const { RFB } = this.opts;
    this.setState('connecting…', 'wait');
    this.waiting.textContent = 'waiting for the first frame…';
    const rfb = new RFB(this.screen, this.url(), { shared: true, ...(this.password ? { credentials: { password: this.password } } : {}) });
    this.rfb = rfb;
    // Tight's JPEGs decoded on a worker thread instead of the page's (jpeg-off-thread.js).
    this.jpegs = this.opts.decodeJpegOffThread?.(rfb) ?? null;
    // A disconnect while a frame is still drawn must not leave noVNC parsing late data (novnc-late-data.js).
    this.opts.dropLateData?.(rfb);
    this.node.dataset.jpegOffThread = String(this.jpegs !== null);
    this.node.dataset.jpegPath = this.jpegs ? this.jpegs.path : 'novnc';
    rfb.viewOnly = this.opts.viewOnly;
    rfb.scaleViewport = true;
    // The display keeps its own mode unless the page asked for ?resize=remote (a watcher never asks).
    rfb.resizeSession = this.opts.remoteResize === true && !this.opts.viewOnly;
    rfb.focusOnClick = true;
    rfb.qualityLevel = 7;
    rfb.compressionLevel = 1;
    rfb.addEventListener('connect', () => {
      this.retryMs = RECONNECT_MIN_MS;
      this.node.dataset.connects = String(Number(this.node.dataset.connects) + 1);
      this.setState(this.opts.viewOnly ? 'live · view only' : 'live', 'ok');
      this.countFlips();
    });
    rfb.addEventListener('disconnect', (e) => {
      if (this.rfb === rfb) this.rfb = null;
      if (this.dead || this.gone) return;
      this.setState(e.detail.clean ? 'disconnected' : 'connection lost', 'bad');
      this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
    });
    rfb.addEventListener('credentialsrequired', () => {
      this.setState('password needed', 'wait');
      this.form.hidden = false;
      this.form.querySelector('input').focus();
    });
    rfb.addEventListener('securityfailure', (e) => {
      this.setState(`refused: ${e.detail.reason || 'security failure'}`, 'bad');
      this.password = null;
    });
  }

  /** Wraps the visible canvas's drawImage (noVNC calls it once per drawn update) to count frames. */
  countFlips() {
    const canvas = this.screen.querySelector('canvas');
    if (!canvas || canvas.dataset.counted) return;
    canvas.dataset.counted = '1';
    const ctx = canvas.getContext('2d');
    const draw = ctx.drawImage.bind(ctx);
    ctx.drawImage = (...args) => {
      this.drawn++;
      if (!this.waiting.hidden) this.waiting.hidden = true;
      return draw(...args);
    };
  }

  tick() {
    const now = performance.now();
    this.fps = ((this.drawn - this.drawnAtLast) * 1000) / (now - this.lastTick);
    this.drawnAtLast = this.drawn;
    this.lastTick = now;
    this.drawnFpsEl.textContent = this.fps.toFixed(1);
    this.node.querySelector('.shown-fps').textContent = this.fps.toFixed(1);
    this.node.dataset.drawn = String(this.drawn);
    if (this.jpegs) this.node.dataset.jpegsDecoded = String(this.jpegs.decoded);
  }

  /** This monitor's numbers from the server's stats (viewer-protocol.ts ViewerMonitorMessage). */
  update(m) {
    const q = (sel) => this.node.querySelector(sel);
    this.statsEl.hidden = false;
    if (m.mode) {
      q('.mode-label').textContent = modeText(m.mode);
      this.screen.style.aspectRatio = `${m.mode.width} / ${m.mode.height}`;
      const input = this.picker.querySelector('.mode-input');
      if (!input.value && document.activeElement !== input) input.placeholder = `${m.mode.width}x${m.mode.height}@${m.mode.refreshHz}`;
    }
    q('.display-fps').textContent = fmt(m.fps);
    if (m.ring) {
      const h = q('.ring-health');
      h.textContent = m.ring.health;
      h.className = `ring-health badge badge-${HEALTH_BADGE[m.ring.health] || 'bad'}`;
      q('.generation').textContent = m.present ? fmt(m.ring.generation) : '—';
    }
    const f = m.frames || {};
    q('.frames').textContent = `${fmt(f.published)} published · ${fmt(f.consumed)} consumed${f.integrityErrors ? ` · ${f.integrityErrors} integrity errors` : ''}`;
    q('.frames').className = f.integrityErrors ? 'frames nonzero' : 'frames';
    const drops = Object.entries(m.drops || {}).filter(([, n]) => n > 0);
    q('.drops').textContent = drops.length === 0 ? 'none' : drops.map(([reason, n]) => `${reason} ${n}`).join(' · ');
    q('.drops').className = drops.length === 0 ? 'drops' : 'drops nonzero';
    if (m.adapter) q('.render-adapter').textContent = m.adapter.kind;
    const i = m.input;
    q('.input').textContent = i ? `${i.keys} keys · ${i.pointer} pointer · ${i.clicks} clicks${i.dropped ? ` · ${i.dropped} dropped` : ''}` : '—';
    if (!m.present) this.markGone();
    else {
      if (m.dead) this.markDead(m.dead);
      this.setServed(m.rfb === true);
    }
  }

  showModeResult(text, kind) {
    this.modeResult.textContent = text;
    this.modeResult.className = `mode-result mode-${kind}`;
  }

  /** The server's answer to this panel's set-mode: done, or refused (red, with the error's code). */
  onModeResult(msg) {
    if (msg.ok) this.showModeResult(`mode ${msg.mode} set`, 'ok');
    else this.showModeResult(`refused: ${msg.error}${msg.code ? ` [${msg.code}]` : ''}`, 'failed');
  }

  stopLive() {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const rfb = this.rfb;
    this.rfb = null;
    if (rfb) rfb.disconnect();
  }

  /** The display is dead (critical error, display gone): say so, with why; stop reconnecting. */
  markDead(reason) {
    if (this.dead === reason || this.gone) return;
    this.dead = reason;
    this.deadEl.hidden = false;
    this.deadEl.querySelector('.reason').textContent = reason;
    this.node.classList.add('is-dead');
    this.setState('dead', 'bad');
    this.picker.querySelector('button').disabled = true;
  }

  /** The monitor departed: greyed and marked, its final counters kept, dismissable. */
  markGone() {
    if (this.gone) return;
    this.gone = true;
    this.stopLive();
    this.deadEl.hidden = true;
    this.goneEl.hidden = false;
    this.waiting.hidden = true;
    this.picker.hidden = true;
    this.node.classList.add('is-gone');
    this.node.querySelector('.dismiss').hidden = false;
    this.setState('unplugged', 'bad');
    this.goneAt = performance.now();
  }

  /** Removes the panel for good. */
  destroy() {
    clearInterval(this.ticker);
    this.stopLive();
    this.node.remove();
  }
}
