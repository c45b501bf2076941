import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { FramebufferHeaderError } from '../../../src/contract/errors.js';
import { FORMAT_BGRA8, FORMAT_XRGB2101010 } from '../../../src/contract/pixel-format.js';
import { parseXwdHeader, XWD_FIELD, XWD_FIXED_HEADER_BYTES } from '../../../src/backends/xvfb/xwd-header.js';
import { startXvfb } from '../../../src/backends/xvfb/xvfb-server.js';

/** A header as Xvfb writes it, for the malformed-input cases. */
function header(opts: { width: number; height: number; depth: 24 | 30 }): Uint8Array {
  const name = 'Xvfb vm:9.0';
  const size = XWD_FIXED_HEADER_BYTES + ((name.length + 1 + 3) & ~3);
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  const deep = opts.depth === 30;
  const put = (off: number, val: number): void => v.setUint32(off, val >>> 0, false);
  put(XWD_FIELD.headerSize, size);
  put(XWD_FIELD.fileVersion, 7);
  put(XWD_FIELD.pixmapFormat, 2);
  put(XWD_FIELD.pixmapDepth, opts.depth);
  put(XWD_FIELD.pixmapWidth, opts.width);
  put(XWD_FIELD.pixmapHeight, opts.height);
  put(XWD_FIELD.bitsPerPixel, 32);
  put(XWD_FIELD.bytesPerLine, opts.width * 4);
  put(XWD_FIELD.redMask, deep ? 0x3ff00000 : 0xff0000);
  put(XWD_FIELD.greenMask, deep ? 0xffc00 : 0xff00);
  put(XWD_FIELD.blueMask, deep ? 0x3ff : 0xff);
  put(XWD_FIELD.ncolors, deep ? 1024 : 256);
  for (let i = 0; i < name.length; i++) b[XWD_FIXED_HEADER_BYTES + i] = name.charCodeAt(i);
  return b;
}

function withField(b: Uint8Array, off: number, val: number): Uint8Array {
  const c = b.slice();
  new DataView(c.buffer).setUint32(off, val >>> 0, false);
  return c;
}

function refusedOn(b: Uint8Array, field: string, fileSize?: number): void {
  assert.throws(
    () => parseXwdHeader(b, fileSize),
    (e: unknown) => e instanceof FramebufferHeaderError && e.field === field && e.code === 'VDP_ERR_FRAMEBUFFER_HEADER',
  );
}

for (const depth of [24, 30] as const) {
  test(`the_header_of_a_real_depth_${depth}_xvfb_framebuffer_gives_its_size_stride_format_and_pixel_offset`, async () => {
    const server = await startXvfb({ width: 320, height: 200, depth });
    try {
      const bytes = readFileSync(server.framebufferPath);
      const h = parseXwdHeader(bytes, statSync(server.framebufferPath).size);
      assert.equal(h.width, 320);
      assert.equal(h.height, 200);
      assert.equal(h.depth, depth);
      assert.equal(h.bytesPerLine, 320 * 4);
      assert.equal(h.format, depth === 24 ? FORMAT_BGRA8 : FORMAT_XRGB2101010);
      assert.equal(h.pixelOffset, h.headerSize + h.ncolors * 12);
      assert.equal(bytes.length, h.pixelOffset + h.bytesPerLine * h.height);
      assert.match(h.name, /^Xvfb/);
    } finally {
      await server.stop();
    }
  });
}

test('a_well_formed_header_parses_and_its_pixel_offset_follows_ncolors', () => {
  const h = parseXwdHeader(header({ width: 64, height: 32, depth: 30 }));
  assert.equal(h.pixelOffset, h.headerSize + 1024 * 12);
  assert.equal(h.format, FORMAT_XRGB2101010);
});

test('a_header_shorter_than_the_fixed_fields_is_refused', () => {
  refusedOn(header({ width: 64, height: 32, depth: 24 }).subarray(0, 60), 'file');
});

test('a_header_size_outside_the_sane_range_is_refused', () => {
  const h = header({ width: 64, height: 32, depth: 24 });
  refusedOn(withField(h, XWD_FIELD.headerSize, 12), 'header_size');
  refusedOn(withField(h, XWD_FIELD.headerSize, 1 << 20), 'header_size');
});

test('a_file_that_is_not_xwd_version_7_is_refused', () => {
  refusedOn(withField(header({ width: 64, height: 32, depth: 24 }), XWD_FIELD.fileVersion, 6), 'file_version');
});

test('little_endian_fields_are_refused_rather_than_misread', () => {
  // A byte-swapped header_size reads as a huge number.
  const h = header({ width: 64, height: 32, depth: 24 });
  const swapped = h.slice();
  new DataView(swapped.buffer).setUint32(0, h.length, true);
  refusedOn(swapped, 'header_size');
});

test('a_non_zpixmap_a_zero_size_and_a_non_32_bit_pixel_are_refused', () => {
  const h = header({ width: 64, height: 32, depth: 24 });
  refusedOn(withField(h, XWD_FIELD.pixmapFormat, 1), 'pixmap_format');
  refusedOn(withField(h, XWD_FIELD.pixmapWidth, 0), 'pixmap_width');
  refusedOn(withField(h, XWD_FIELD.bitsPerPixel, 24), 'bits_per_pixel');
});

test('a_stride_too_small_for_the_width_is_refused', () => {
  refusedOn(withField(header({ width: 64, height: 32, depth: 24 }), XWD_FIELD.bytesPerLine, 64 * 4 - 4), 'bytes_per_line');
});

test('an_unsupported_depth_or_colour_layout_is_refused', () => {
  const h = header({ width: 64, height: 32, depth: 24 });
  refusedOn(withField(h, XWD_FIELD.pixmapDepth, 16), 'pixmap_depth');
  refusedOn(withField(h, XWD_FIELD.redMask, 0xff), 'pixmap_depth');
});

test('big_endian_pixels_are_refused', () => {
  refusedOn(withField(header({ width: 64, height: 32, depth: 24 }), XWD_FIELD.byteOrder, 1), 'byte_order');
});

test('an_absurd_colormap_count_is_refused', () => {
  refusedOn(withField(header({ width: 64, height: 32, depth: 24 }), XWD_FIELD.ncolors, 0xffffffff), 'ncolors');
});

test('a_file_too_short_for_the_pixels_its_header_promises_is_refused', () => {
  const h = header({ width: 64, height: 32, depth: 24 });
  const need = h.length + 256 * 12 + 64 * 4 * 32;
  assert.equal(parseXwdHeader(h, need).pixelOffset, h.length + 256 * 12);
  refusedOn(h, 'file', need - 1);
});
