// vdpush viewer page. No build step, no framework: it connects to the server's WebSocket with the
// token from this page's URL, draws each frame on a canvas, the cursor on a canvas above it, and
// keeps the panel current. The protocol is defined in src/host/viewer/viewer-protocol.ts; the
// constants below mirror it (a test checks that they match).
'use strict';

const FRAME_MAGIC = 0x31465056; // 'VPF1'
const CURSOR_MAGIC = 0x31435056; // 'VPC1'
const FRAME_HEADER_BYTES = 32;
const CURSOR_HEADER_BYTES = 24;
const WS_PATH = '/ws';

const $ = (id) => document.getElementById(id);
const display = $('display');
const displayCtx = display.getContext('2d', { alpha: false });
const cursorCanvas = $('cursor');
const cursorCtx = cursorCanvas.getContext('2d');

const token = new URLSearchParams(location.search).get('token');
const state = {
  ws: null,
  retryMs: 500,
  sequence: 0,
  sourceWidth: 0,
  sourceHeight: 0,
  cursor: null,
  cursorShape: null, // { id, canvas, hotX, hotY }
  faultKinds: [],
};

function wsUrl() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${WS_PATH}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
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
    else onBinary(ev.data);
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

// ---- frames and cursor (binary) -----------------------------------------------------------

function onBinary(buf) {
  const dv = new DataView(buf);
  const magic = dv.getUint32(0, true);
  if (magic === FRAME_MAGIC) onFrame(buf, dv);
  else if (magic === CURSOR_MAGIC) onCursorShape(buf, dv);
}

function onFrame(buf, dv) {
  const sequence = dv.getUint32(4, true);
  const w = dv.getUint32(8, true);
  const h = dv.getUint32(12, true);
  state.sourceWidth = dv.getUint32(16, true);
  state.sourceHeight = dv.getUint32(20, true);
  if (display.width !== w || display.height !== h) {
    display.width = cursorCanvas.width = w;
    display.height = cursorCanvas.height = h;
  }
  displayCtx.putImageData(new ImageData(new Uint8ClampedArray(buf, FRAME_HEADER_BYTES, w * h * 4), w, h), 0, 0);
  state.sequence = sequence;
  $('sequence').textContent = String(sequence);
  $('waiting').hidden = true;
  drawCursor();
  // Acknowledge once drawn: the server sends the next (newest) frame only then.
  send({ type: 'ack', sequence });
}

function onCursorShape(buf, dv) {
  const id = dv.getUint32(4, true);
  const w = dv.getUint32(8, true);
  const h = dv.getUint32(12, true);
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  c.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(buf, CURSOR_HEADER_BYTES, w * h * 4), w, h), 0, 0);
  state.cursorShape = { id, canvas: c, hotX: dv.getUint32(16, true), hotY: dv.getUint32(20, true) };
  drawCursor();
}

function drawCursor() {
  cursorCtx.clearRect(0, 0, cursorCanvas.width, cursorCanvas.height);
  const c = state.cursor;
  const shape = state.cursorShape;
  if (!c || !c.visible || !state.sourceWidth) return;
  const sx = cursorCanvas.width / state.sourceWidth;
  const sy = cursorCanvas.height / state.sourceHeight;
  if (shape && shape.id === c.shapeId) {
    cursorCtx.drawImage(shape.canvas, (c.x - c.hotX) * sx, (c.y - c.hotY) * sy, shape.canvas.width * sx, shape.canvas.height * sy);
  } else {
    // No image yet: a plain arrow at the hotspot.
    const x = c.x * sx;
    const y = c.y * sy;
    cursorCtx.beginPath();
    cursorCtx.moveTo(x, y);
    cursorCtx.lineTo(x, y + 16);
    cursorCtx.lineTo(x + 11, y + 11);
    cursorCtx.closePath();
    cursorCtx.fillStyle = '#fff';
    cursorCtx.strokeStyle = '#000';
    cursorCtx.fill();
    cursorCtx.stroke();
  }
}

// ---- JSON messages -------------------------------------------------------------------------

function onJson(m) {
  switch (m.type) {
    case 'hello':
      setFaultKinds(m.faultKinds || []);
      break;
    case 'stats':
      showStats(m.stats || {}, m.viewer || {});
      break;
    case 'recovery':
      if (m.reset) clearTimeline();
      for (const e of m.events) addTimelineEntry(e);
      break;
    case 'cursor':
      state.cursor = m.cursor;
      drawCursor();
      break;
    case 'fault':
      if (!m.ok) addTimelineEntry({ atMs: null, failure: m.kind, action: `not injected: ${m.error}`, injected: true });
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

function showStats(s, v) {
  $('source-fps').textContent = fmt(typeof s.fps === 'number' ? s.fps : v.sourceFps);
  $('shown-fps').textContent = fmt(v.sentFps);
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
  showDrops(s.drops || {});
  const { mode, ring, adapter: a, drops, fps, ...rest } = s;
  $('raw-stats').textContent = JSON.stringify(rest, null, 2);
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

function addTimelineEntry(e) {
  const list = $('timeline');
  const empty = list.querySelector('.empty');
  if (empty) empty.remove();
  const li = document.createElement('li');
  if (e.injected) li.className = 'injected';
  const t = document.createElement('span');
  t.className = 't';
  t.textContent = typeof e.atMs === 'number' ? `${(e.atMs / 1000).toFixed(3)} s` : 'now';
  const failure = document.createElement('span');
  failure.className = 'failure';
  failure.textContent = e.failure;
  const action = document.createElement('span');
  action.className = 'action';
  action.textContent = e.action;
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.textContent = [e.class, e.hresult, e.adapter && `on ${e.adapter}`].filter(Boolean).join(' · ');
  li.append(t, failure, ' → ', action, meta);
  list.prepend(li);
}

connect();
