// vdpush viewer page (an ES module; no build step, no framework). Two channels:
//  - the panel's: a WebSocket to /ws carrying stats, the recovery timeline, fault results and the
//    cursor (src/host/viewer/viewer-protocol.ts), with the token from this page's URL;
//  - the display's: noVNC's RFB client over /rfb?target=N (monitor-view.js), one per monitor, so
//    the page receives only what changed, compressed, and sends keyboard and mouse. A server
//    without an RFB endpoint sends raw frames on /ws instead (raw-frames.js).
// Every module URL carries the token too (the server checks every request).
//
// Several monitors: the stats carry one entry per monitor (live and departed); the page keeps one
// panel per entry, made when a monitor first appears (at start, or plugged in later) and marked
// "unplugged" when it departs. Departed panels stay, with their final counters, until dismissed;
// beyond MAX_GONE_PANELS the oldest departed ones go by themselves, so a long plug/unplug run does
// not pile up panels. Timeline entries name the monitor they concern.

const WS_PATH = '/ws';
const MAX_GONE_PANELS = 4;

const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.search).get('token');
// ?resize=remote: each panel asks its display to take the panel's size (SetDesktopSize, as
// noVNC's own page does with the same query); the display may refuse (view-only, too large).
const remoteResize = new URLSearchParams(location.search).get('resize') === 'remote';
const assetQuery = token ? `?token=${encodeURIComponent(token)}` : '';

const state = {
  ws: null,
  retryMs: 500,
  views: new Map(), // target → MonitorView | RawFrameView
  dismissed: new Set(), // targets of departed panels the user (or the page) removed
  modules: null, // Promise of { RFB, MonitorView }
  viewOnly: false,
  monitors: [], // the last stats' monitors (ViewerMonitorMessage[])
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

function noVncModules() {
  state.modules ??= Promise.all([
    import(`./novnc/core/rfb.js${assetQuery}`),
    import(`./monitor-view.js${assetQuery}`),
    import(`./jpeg-off-thread.js${assetQuery}`),
    import(`./novnc-late-data.js${assetQuery}`),
  ]).then(([{ default: RFB }, { MonitorView }, { decodeJpegOffThread }, { dropLateData }]) => ({ RFB, MonitorView, decodeJpegOffThread, dropLateData }));
  return state.modules;
}

/** A panel for monitor `target` (once; a dismissed departed monitor never comes back). */
async function ensureView(target, served) {
  if (state.views.has(target) || state.dismissed.has(target)) return state.views.get(target);
  const { RFB, MonitorView, decodeJpegOffThread, dropLateData } = await noVncModules();
  if (state.views.has(target)) return state.views.get(target);
  const view = new MonitorView($('monitors'), {
    RFB,
    decodeJpegOffThread,
    dropLateData,
    target,
    token,
    viewOnly: state.viewOnly,
    remoteResize,
    served,
    setMode: (t, mode) => send({ type: 'set-mode', targetId: t, mode }),
    onDismiss: (v) => dismiss(v),
  });
  // Panels in targetId order, whenever they arrive.
  const after = [...state.views.entries()].filter(([t]) => t > target).sort((a, b) => a[0] - b[0])[0];
  if (after) after[1].node.before(view.node);
  state.views.set(target, view);
  if (state.dead && view.markDead) view.markDead(state.dead);
  return view;
}

function dismiss(view) {
  state.views.delete(view.target);
  state.dismissed.add(view.target);
  view.destroy();
}

/** One panel per monitor in the stats: new ones made, each updated, departed ones kept (a few). */
async function showMonitors(monitors) {
  state.monitors = monitors;
  for (const m of monitors) {
    const view = await ensureView(m.targetId, m.rfb);
    if (view && view.update) view.update(m);
  }
  const gone = [...state.views.values()].filter((v) => v.gone).sort((a, b) => a.goneAt - b.goneAt);
  for (const v of gone.slice(0, Math.max(0, gone.length - MAX_GONE_PANELS))) dismiss(v);
  showFaultTargets(monitors.filter((m) => m.present).map((m) => m.targetId));
}

async function showDisplays(hello) {
  const box = $('monitors');
  state.viewOnly = hello.viewOnly;
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
  for (const target of hello.rfbTargets) await ensureView(target, true);
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
      // The server sends the whole timeline next (as a reset), so a reconnect never shows it twice.
      clearTimeline();
      setFaultKinds(m.faultKinds || []);
      void showDisplays(m);
      break;
    case 'stats':
      showStats(m.stats || {}, m.viewer || {}, m.monitors);
      if (m.monitors && !state.raw) void showMonitors(m.monitors);
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
          ? { atMs: null, failure: m.kind, action: 'injected', injected: true, targetId: m.targetId }
          : { atMs: null, failure: m.kind, action: `not injected: ${m.error}${m.code ? ` [${m.code}]` : ''}`, injected: true, failed: true, targetId: m.targetId },
      );
      break;
    case 'mode': {
      const view = state.views.get(m.targetId);
      if (view && view.onModeResult) view.onModeResult(m);
      if (!m.ok) addTimelineEntry({ atMs: null, failure: `mode ${m.mode || '(empty)'}`, action: `refused: ${m.error}${m.code ? ` [${m.code}]` : ''}`, class: 'host', failed: true, targetId: m.targetId });
      break;
    }
  }
}

/** The monitor the fault buttons aim at: a choice once there are several. */
function showFaultTargets(targets) {
  const sel = $('fault-target');
  const key = targets.join(',');
  if (sel.dataset.key === key) return;
  sel.dataset.key = key;
  const chosen = sel.value;
  sel.replaceChildren(
    ...targets.map((t) => {
      const o = document.createElement('option');
      o.value = String(t);
      o.textContent = `monitor ${t}`;
      return o;
    }),
  );
  if (targets.map(String).includes(chosen)) sel.value = chosen;
  $('fault-target-box').hidden = targets.length < 2;
}

function faultTarget() {
  const sel = $('fault-target');
  return $('fault-target-box').hidden || sel.value === '' ? undefined : Number(sel.value);
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
    b.addEventListener('click', () => {
      // A plug adds a monitor: it is aimed at none.
      const targetId = kind === 'plug' ? undefined : faultTarget();
      send(targetId === undefined ? { type: 'inject', kind } : { type: 'inject', kind, targetId });
    });
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

/** Sums of the live monitors' numbers for the adapter's panel, when there are several. */
function totals(live) {
  const input = {};
  let fps = 0;
  for (const m of live) {
    fps += m.fps || 0;
    for (const [k, n] of Object.entries(m.input || {})) input[k] = (input[k] || 0) + n;
  }
  return { fps, input };
}

function showStats(s, v, monitors) {
  // With several monitors each panel shows its own numbers and death; this panel is the adapter's:
  // sums, the worst ring health, and "dead" once every monitor is.
  const live = monitors ? monitors.filter((m) => m.present) : null;
  const several = live !== null && live.length > 1;
  const sum = several ? totals(live) : null;
  $('source-fps').textContent = fmt(sum ? Math.round(sum.fps * 10) / 10 : typeof s.fps === 'number' ? s.fps : v.sourceFps);
  $('shown-fps').textContent = state.raw ? fmt(state.raw.fps) : fmt(drawnFps());
  $('skipped').textContent = fmt(v.skipped);
  if (several) $('mode').textContent = `${live.length} monitors`;
  else if (s.mode) $('mode').textContent = modeLine(s.mode);
  const health = $('health');
  if (s.ring) {
    health.textContent = s.ring.health;
    health.className = `badge badge-${HEALTH_BADGE[s.ring.health] || 'bad'}`;
    $('generation').textContent = several ? 'per monitor' : fmt(s.ring.generation);
  }
  const adapter = $('adapter');
  if (s.adapter) {
    adapter.textContent = s.adapter.kind;
    adapter.className = `badge ${s.adapter.kind === 'software' ? 'badge-soft' : ''}`;
  }
  const dead = live && live.length > 0 ? (live.every((m) => m.dead) ? live[0].dead : null) : deathOf(s);
  const ds = $('display-state');
  ds.textContent = dead ? 'dead' : 'alive';
  ds.className = `badge badge-${dead ? 'bad' : 'ok'}`;
  ds.title = dead || '';
  // A source without monitor panels is one display: its death is every view's.
  if (dead && state.dead !== dead && !monitors) {
    state.dead = dead;
    for (const view of state.views.values()) view.markDead(dead);
  }
  showInput(sum ? sum.input : s.input);
  showDrops(s.drops || {});
  const { mode, ring, adapter: a, drops, fps, input, ...rest } = s;
  $('raw-stats').textContent = JSON.stringify(rest, null, 2);
}

const modeLine = (m) => `${m.width}×${m.height}${m.refreshHz ? ` @ ${m.refreshHz} Hz` : ''}${m.format ? ` · ${m.format}` : ''}`;

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
  const empty = document.createElement('li');
  empty.className = 'muted empty';
  empty.textContent = 'no faults yet';
  $('timeline').replaceChildren(empty);
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
  const own = e.class === 'monitor' || e.class === 'host'; // the host's doing, not a failure
  li.className = [e.injected ? 'injected' : '', own ? 'host-event' : '', failed ? 'failed' : ''].filter(Boolean).join(' ');
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
  if (typeof e.targetId === 'number') {
    li.dataset.target = String(e.targetId);
    const tag = document.createElement('span');
    tag.className = 'target-tag';
    tag.textContent = `monitor ${e.targetId}`;
    li.append(tag);
  } else if (!e.injected && e.class !== 'host') {
    li.dataset.target = 'adapter';
  }
  li.append(t, failure, ' → ', action, meta);
  list.prepend(li);
}

connect();
