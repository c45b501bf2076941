/**
 * A known X drawing with flat areas and detail side by side: a bitmap that `xsetroot -bitmap`
 * tiles over the root window, and the check that a client's image shows it.
 */
/**
 * A 128x128 tile for `xsetroot -bitmap`: its top-left and bottom-right quadrants foreground, the
 * top-left one with a 16x16 hole of background in the middle. Tiled over the root it makes Tight
 * tiles that are palettes with flat 64x64 blocks and some that are not (flat-blocks.ts), so an
 * image of it shows fills and palette rectangles side by side.
 */
export function patternBit(x: number, y: number): boolean {
  const qx = (x & 127) >> 6;
  const qy = (y & 127) >> 6;
  if (qx === 0 && qy === 0) return !((x & 63) >= 24 && (x & 63) < 40 && (y & 63) >= 24 && (y & 63) < 40);
  return qx === qy;
}

export function patternXbm(): string {
  const bytes: string[] = [];
  for (let y = 0; y < 128; y++) {
    for (let k = 0; k < 16; k++) {
      let v = 0;
      for (let b = 0; b < 8; b++) if (patternBit(8 * k + b, y)) v |= 1 << b; // XBM: least significant bit first
      bytes.push(`0x${v.toString(16).padStart(2, '0')}`);
    }
  }
  return `#define p_width 128\n#define p_height 128\nstatic unsigned char p_bits[] = {\n${bytes.join(',')}};\n`;
}

/**
 * Share of the pattern's pixels (3 or more pixels from an edge, where JPEG rings) that show their
 * colour in an image of `channels` bytes per pixel (3: RGB, 4: a canvas's RGBA).
 */
export function patternShare(img: { width: number; height: number; rgb: ArrayLike<number> }, fg: number[], bg: number[], tol = 24, channels = 3): number {
  let checked = 0;
  let ok = 0;
  for (let y = 3; y < img.height - 3; y += 2) {
    for (let x = 3; x < img.width - 3; x += 2) {
      const b = patternBit(x, y);
      if (patternBit(x - 3, y) !== b || patternBit(x + 3, y) !== b || patternBit(x, y - 3) !== b || patternBit(x, y + 3) !== b) continue;
      const want = b ? fg : bg;
      const i = (y * img.width + x) * channels;
      checked++;
      if (want.every((c, k) => Math.abs(img.rgb[i + k]! - c) <= tol)) ok++;
    }
  }
  return ok / checked;
}
