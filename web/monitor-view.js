// One display target on the page, drawn by noVNC's RFB client over `/rfb?target=N`: only what
// changed arrives, compressed (Tight with JPEG or zlib, ZRLE), and noVNC sends the keyboard and
// mouse back unless the session is view-only. The page builds one MonitorView per target from
// <template id="monitor-template">, so several monitors are several of these side by side.
//
// frames/s drawn: noVNC copies its back buffer to the visible canvas once per completed
// FramebufferUpdate (Display.flip → one drawImage on the canvas's context); counting those calls
// counts the frames this page actually drew.

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 8000;

export class MonitorView {
  /**
   * @param {HTMLElement} parent where the panel goes
   * @param {{ RFB: any, target: number, token: string|null, viewOnly: boolean, onState?: (s: string) => void }} opts
   */
  constructor(parent, opts) {
    this.opts = opts;
    const node = document.getElementById('monitor-template').content.firstElementChild.cloneNode(true);
    node.dataset.target = String(opts.target);
    this.node = node;
    this.screen = node.querySelector('.screen');
    this.state = node.querySelector('.rfb-state');
    this.drawnFpsEl = node.querySelector('.drawn-fps');
    this.deadEl = node.querySelector('.dead');
    this.waiting = node.querySelector('.waiting');
    this.form = node.querySelector('.credentials');
    node.querySelector('.target').textContent = `display ${opts.target}`;
    parent.append(node);
    this.rfb = null;
    this.drawn = 0;
    this.drawnAtLast = 0;
    this.lastTick = performance.now();
    this.fps = 0;
    this.retryMs = RECONNECT_MIN_MS;
    this.dead = null;
    this.password = null;
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.password = this.form.querySelector('input').value;
      this.form.hidden = true;
      if (this.rfb) this.rfb.sendCredentials({ password: this.password });
    });
    this.ticker = setInterval(() => this.tick(), 1000);
    this.connect();
  }

  url() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = new URLSearchParams({ target: String(this.opts.target) });
    if (this.opts.token) q.set('token', this.opts.token);
    return `${proto}//${location.host}/rfb?${q}`;
  }

  setState(text, kind) {
    this.state.textContent = text;
    this.state.className = `rfb-state badge badge-${kind}`;
    if (this.opts.onState) this.opts.onState(text);
  }

  connect() {
    const { RFB } = this.opts;
    this.setState('connecting…', 'wait');
    const rfb = new RFB(this.screen, this.url(), { shared: true, ...(this.password ? { credentials: { password: this.password } } : {}) });
    this.rfb = rfb;
    rfb.viewOnly = this.opts.viewOnly;
    rfb.scaleViewport = true;
    rfb.resizeSession = false;
    rfb.focusOnClick = true;
    rfb.qualityLevel = 7;
    rfb.compressionLevel = 1;
    rfb.addEventListener('connect', () => {
      this.retryMs = RECONNECT_MIN_MS;
      this.setState(this.opts.viewOnly ? 'live · view only' : 'live', 'ok');
      this.countFlips();
    });
    rfb.addEventListener('disconnect', (e) => {
      this.rfb = null;
      if (this.dead) return;
      this.setState(e.detail.clean ? 'disconnected' : 'connection lost', 'bad');
      setTimeout(() => !this.dead && this.connect(), this.retryMs);
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
      if (this.waiting && !this.waiting.hidden) this.waiting.hidden = true;
      return draw(...args);
    };
  }

  tick() {
    const now = performance.now();
    this.fps = ((this.drawn - this.drawnAtLast) * 1000) / (now - this.lastTick);
    this.drawnAtLast = this.drawn;
    this.lastTick = now;
    this.drawnFpsEl.textContent = this.fps.toFixed(1);
  }

  /** The display is dead (critical error, display gone): say so, with why; stop reconnecting. */
  markDead(reason) {
    if (this.dead === reason) return;
    this.dead = reason;
    this.deadEl.hidden = false;
    this.deadEl.querySelector('.reason').textContent = reason;
    this.node.classList.add('is-dead');
    this.setState('dead', 'bad');
  }
}
