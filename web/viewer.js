// vdpush viewer page (an ES module; no build step, no framework). Two channels:
//  - the panel's: a WebSocket to /ws carrying stats, the recovery timeline, fault results and the
//    cursor (src/host/viewer/viewer-protocol.ts), with the token from this page's URL;
//  - the display's: noVNC's RFB client over /rfb?target=N (monitor-view.js), one per target, so
//    the page receives only what changed, compressed, and sends keyboard and mouse. A server
//    without an RFB endpoint sends raw frames on /ws instead (raw-frames.js).
// Every module URL carries the token too (the server checks every request).

const WS_PATH = '/ws';

const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.search).get('token');
const assetQuery = token ? `?token=${encodeURIComponent(token)}` : '';

const state = {
  ws: null,
  retryMs: 500,
  views: new Map(), // target → MonitorView | RawFrameView
  raw: null,
  pendingBinary: [],
  faultKinds: [],
  dead: null,
  lastEvent: null,
};

function wsUrl() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const q = new URLSearchParams({ rawFrames: 'auto' });
  if (token) q.set('token', token);
  return `${proto}//${location.host}${WS_PATH}?${q}`;
}

function setConn(text, kind) {
  const el = $('conn');
  el.textContent = text;
  el.className = `badge badge-${kind}`;
}

function connect() {
  const ws = new WebSocket(wsUrl());
  ws.binaryType = 'arraybuffer';
  state.ws = ws;
  setConn('connecting…', 'wait');
  ws.onopen = () => {
    state.retryMs = 500;
    setConn('live', 'ok');
  };
  ws.onmessage = (ev) => {
    if (typeof ev.data === 'string') onJson(JSON.parse(ev.data));
    else if (state.raw) state.raw.onBinary(ev.data);
    // Binary before the raw view's module loaded: keep it (at most two frames are in flight, and
    // each unanswered one holds back the next) and draw it once the view exists.
    else if (state.pendingBinary.length < 8) state.pendingBinary.push(ev.data);
  };
  ws.onclose = (ev) => {
    state.ws = null;
    setConn(ev.code === 1001 ? 'server stopped' : 'disconnected', 'bad');
    setTimeout(connect, state.retryMs);
    state.retryMs = Math.min(state.retryMs * 2, 8000);
  };
}

function send(msg) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(msg));
}

// ---- the display views -------------------------------------------------------------------

async function showDisplays(hello) {
  const box = $('monitors');
  $('view-only').hidden = !hello.viewOnly;
  if (hello.rawFrames) {
    if (state.raw) return;
    const { RawFrameView } = await import(`./raw-frames.js${assetQuery}`);
    state.raw = new RawFrameView(box, send);
    state.views.set(0, state.raw);
    for (const b of state.pendingBinary.splice(0)) state.raw.onBinary(b);
    $('transport').textContent = 'raw frames over /ws';
    return;
  }
  $('transport').textContent = 'RFB over /rfb (noVNC)';
  const missing = hello.rfbTargets.filter((t) => !state.views.has(t));
  if (missing.length === 0) return;
  const [{ default: RFB }, { MonitorView }] = await Promise.all([
    import(`./novnc/core/rfb.js${assetQuery}`),
    import(`./monitor-view.js${assetQuery}`),
  ]);
  for (const target of missing) {
    if (state.views.has(target)) continue;
    state.views.set(target, new MonitorView(box, { RFB, target, token, viewOnly: hello.viewOnly }));
  }
  if (state.dead) for (const v of state.views.values()) v.markDead(state.dead);
}

function drawnFps() {
  let sum = 0;
  for (const v of state.views.values()) sum += v.fps || 0;
  return sum;
}

// ---- JSON messages -------------------------------------------------------------------------

function onJson(m) {
  switch (m.type) {
    case 'hello':
      setFaultKinds(m.faultKinds || []);
      void showDisplays(m);
      break;
    case 'stats':
      showStats(m.stats || {}, m.viewer || {});
      break;
    case 'recovery':
      if (m.reset) clearTimeline();
      for (const e of m.events) addTimelineEntry(e);
      break;
    case 'cursor':
      if (state.raw) state.raw.setCursor(m.cursor);
      break;
    case 'fault':
      addTimelineEntry(
        m.ok
          ? { atMs: null, failure: m.kind, action: 'injected', injected: true }
          : { atMs: null, failure: m.kind, action: `not injected: ${m.error}`, injected: true, failed: true },
      );
      break;
  }
}

function setFaultKinds(kinds) {
  state.faultKinds = kinds;
  const box = $('fault-buttons');
  box.replaceChildren();
  for (const kind of kinds) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = kind;
    b.dataset.kind = kind;
    b.title = `inject "${kind}" now`;
    b.addEventListener('click', () => send({ type: 'inject', kind }));
    box.append(b);
  }
  $('faults').hidden = kinds.length === 0;
}

const HEALTH_BADGE = { active: 'ok', initializing: 'wait', rebuilding: 'wait', dead: 'bad' };

function fmt(n) {
  return typeof n === 'number' ? (Number.isInteger(n) ? String(n) : n.toFixed(1)) : '—';
}

const hex = (n) => `0x${Number(n).toString(16).toUpperCase()}`;

/** Why the display is dead, or null while it lives. */
function deathOf(s) {
  if (s.criticalError) {
    const last = state.lastEvent;
    const why = last ? ` after ${last.failure}${last.hresult ? ` (${last.hresult})` : ''}` : '';
    return `critical error ${hex(s.criticalError.major)}/${hex(s.criticalError.minor)}${why}`;
  }
  if (s.ended) return s.endReason ? `the display is gone: ${s.endReason}` : 'the display is gone';
  if (s.ring && s.ring.health === 'dead') return 'the ring reports the display dead';
  return null;
}

function showStats(s, v) {
  $('source-fps').textContent = fmt(typeof s.fps === 'number' ? s.fps : v.sourceFps);
  $('shown-fps').textContent = state.raw ? fmt(state.raw.fps) : fmt(drawnFps());
  $('skipped').textContent = fmt(v.skipped);
  if (s.mode) {
    const m = s.mode;
    $('mode').textContent = `${m.width}×${m.height}${m.refreshHz ? ` @ ${m.refreshHz} Hz` : ''}${m.format ? ` · ${m.format}` : ''}`;
  }
  const health = $('health');
  if (s.ring) {
    health.textContent = s.ring.health;
    health.className = `badge badge-${HEALTH_BADGE[s.ring.health] || 'bad'}`;
    $('generation').textContent = fmt(s.ring.generation);
  }
  const adapter = $('adapter');
  if (s.adapter) {
    adapter.textContent = s.adapter.kind;
    adapter.className = `badge ${s.adapter.kind === 'software' ? 'badge-soft' : ''}`;
  }
  const dead = deathOf(s);
  const ds = $('display-state');
  ds.textContent = dead ? 'dead' : 'alive';
  ds.className = `badge badge-${dead ? 'bad' : 'ok'}`;
  ds.title = dead || '';
  if (dead && state.dead !== dead) {
    state.dead = dead;
    for (const view of state.views.values()) view.markDead(dead);
  }
  showInput(s.input);
  showDrops(s.drops || {});
  const { mode, ring, adapter: a, drops, fps, input, ...rest } = s;
  $('raw-stats').textContent = JSON.stringify(rest, null, 2);
}

function showInput(input) {
  if (!input) return;
  for (const k of ['keys', 'pointer', 'clicks', 'wheel', 'clipboard', 'dropped']) {
    const el = $(`input-${k}`);
    el.textContent = fmt(input[k]);
    if (k === 'dropped') el.className = input[k] > 0 ? 'nonzero' : '';
  }
}

function showDrops(drops) {
  const body = $('drops').tBodies[0];
  const rows = Object.entries(drops);
  body.replaceChildren();
  if (rows.length === 0) {
    const tr = body.insertRow();
    tr.insertCell().textContent = 'none reported';
    tr.cells[0].className = 'muted';
    return;
  }
  for (const [reason, count] of rows) {
    const tr = body.insertRow();
    tr.insertCell().textContent = reason;
    const n = tr.insertCell();
    n.textContent = fmt(count);
    n.className = count > 0 ? 'n nonzero' : 'n';
  }
}

function clearTimeline() {
  $('timeline').replaceChildren();
}

/** Actions that are failures, shown in red: the device stopped, or a request was refused. */
const FAILED_ACTIONS = new Set(['critical-error']);

function addTimelineEntry(e) {
  const list = $('timeline');
  const empty = list.querySelector('.empty');
  if (empty) empty.remove();
  if (!e.injected) state.lastEvent = e;
  const li = document.createElement('li');
  const failed = e.failed || FAILED_ACTIONS.has(e.action);
  li.className = [e.injected ? 'injected' : '', failed ? 'failed' : ''].filter(Boolean).join(' ');
  const t = document.createElement('span');
  t.className = 't';
  t.textContent = typeof e.atMs === 'number' ? `${(e.atMs / 1000).toFixed(3)} s` : 'now';
  const failure = document.createElement('span');
  failure.className = 'failure';
  failure.textContent = e.failure;
  const action = document.createElement('span');
  action.className = failed ? 'action action-failed' : 'action';
  action.textContent = e.action;
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.textContent = [e.class, e.hresult, e.adapter && `on ${e.adapter}`].filter(Boolean).join(' · ');
  li.append(t, failure, ' → ', action, meta);
  list.prepend(li);
}

connect();
