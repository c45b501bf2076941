// The fallback when the server has no RFB endpoint (the API's startViewerServer without `rfb`):
// whole frames as raw RGBA over /ws, drawn on a canvas, the cursor on a canvas above it. The
// binary layout is defined in src/host/viewer/viewer-protocol.ts; the constants below mirror it
// (a test checks that they match).

export const FRAME_MAGIC = 0x31465056; // 'VPF1'
export const CURSOR_MAGIC = 0x31435056; // 'VPC1'
const FRAME_HEADER_BYTES = 32;
const CURSOR_HEADER_BYTES = 24;

export class RawFrameView {
  /** @param {HTMLElement} parent @param {(msg: object) => void} send */
  constructor(parent, send) {
    this.send = send;
    const node = document.getElementById('monitor-template').content.firstElementChild.cloneNode(true);
    node.querySelector('.target').textContent = 'display';
    node.querySelector('.rfb-state').textContent = 'raw frames';
    node.querySelector('.rfb-state').className = 'rfb-state badge';
    const screen = node.querySelector('.screen');
    screen.classList.add('raw');
    this.display = document.createElement('canvas');
    this.display.id = 'display';
    this.display.width = 640;
    this.display.height = 360;
    this.cursorCanvas = document.createElement('canvas');
    this.cursorCanvas.id = 'cursor';
    this.cursorCanvas.width = 640;
    this.cursorCanvas.height = 360;
    this.cursorCanvas.setAttribute('aria-hidden', 'true');
    screen.append(this.display, this.cursorCanvas);
    this.displayCtx = this.display.getContext('2d', { alpha: false });
    this.cursorCtx = this.cursorCanvas.getContext('2d');
    this.waiting = node.querySelector('.waiting');
    this.waiting.id = 'waiting';
    this.drawnFpsEl = node.querySelector('.drawn-fps');
    this.deadEl = node.querySelector('.dead');
    this.node = node;
    parent.append(node);
    this.sourceWidth = 0;
    this.sourceHeight = 0;
    this.cursor = null;
    this.cursorShape = null;
    this.sequence = 0;
    this.drawn = 0;
    this.drawnAtLast = 0;
    this.lastTick = performance.now();
    this.fps = 0;
    setInterval(() => {
      const now = performance.now();
      this.fps = ((this.drawn - this.drawnAtLast) * 1000) / (now - this.lastTick);
      this.drawnAtLast = this.drawn;
      this.lastTick = now;
      this.drawnFpsEl.textContent = this.fps.toFixed(1);
    }, 1000);
  }

  onBinary(buf) {
    const dv = new DataView(buf);
    const magic = dv.getUint32(0, true);
    if (magic === FRAME_MAGIC) this.onFrame(buf, dv);
    else if (magic === CURSOR_MAGIC) this.onCursorShape(buf, dv);
  }

  onFrame(buf, dv) {
    const sequence = dv.getUint32(4, true);
    const w = dv.getUint32(8, true);
    const h = dv.getUint32(12, true);
    this.sourceWidth = dv.getUint32(16, true);
    this.sourceHeight = dv.getUint32(20, true);
    if (this.display.width !== w || this.display.height !== h) {
      this.display.width = this.cursorCanvas.width = w;
      this.display.height = this.cursorCanvas.height = h;
    }
    this.displayCtx.putImageData(new ImageData(new Uint8ClampedArray(buf, FRAME_HEADER_BYTES, w * h * 4), w, h), 0, 0);
    this.sequence = sequence;
    this.drawn++;
    this.waiting.hidden = true;
    this.drawCursor();
    // Acknowledge once drawn: the server sends the next (newest) frame only then.
    this.send({ type: 'ack', sequence });
  }

  onCursorShape(buf, dv) {
    const id = dv.getUint32(4, true);
    const w = dv.getUint32(8, true);
    const h = dv.getUint32(12, true);
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    c.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(buf, CURSOR_HEADER_BYTES, w * h * 4), w, h), 0, 0);
    this.cursorShape = { id, canvas: c, hotX: dv.getUint32(16, true), hotY: dv.getUint32(20, true) };
    this.drawCursor();
  }

  setCursor(cursor) {
    this.cursor = cursor;
    this.drawCursor();
  }

  drawCursor() {
    const ctx = this.cursorCtx;
    ctx.clearRect(0, 0, this.cursorCanvas.width, this.cursorCanvas.height);
    const c = this.cursor;
    const shape = this.cursorShape;
    if (!c || !c.visible || !this.sourceWidth) return;
    const sx = this.cursorCanvas.width / this.sourceWidth;
    const sy = this.cursorCanvas.height / this.sourceHeight;
    if (shape && shape.id === c.shapeId) {
      ctx.drawImage(shape.canvas, (c.x - c.hotX) * sx, (c.y - c.hotY) * sy, shape.canvas.width * sx, shape.canvas.height * sy);
    } else {
      // No image yet: a plain arrow at the hotspot.
      const x = c.x * sx;
      const y = c.y * sy;
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x, y + 16);
      ctx.lineTo(x + 11, y + 11);
      ctx.closePath();
      ctx.fillStyle = '#fff';
      ctx.strokeStyle = '#000';
      ctx.fill();
      ctx.stroke();
    }
  }

  markDead(reason) {
    this.deadEl.hidden = false;
    this.deadEl.querySelector('.reason').textContent = reason;
    this.node.classList.add('is-dead');
  }
}
