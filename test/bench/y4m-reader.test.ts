/**
 * The record bench reads every picture a recorder writes from a pipe, in chunks of any size; a
 * stream that is not what it claims is an error with the reason, never a wrong picture.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Y4mReader } from '../../bench/record/y4m-reader.js';

function stream(w: number, h: number, pictures: number, header = `YUV4MPEG2 W${w} H${h} F60:1 Ip A1:1 C420jpeg XCOLORRANGE=LIMITED`): Buffer {
  const parts: Buffer[] = [Buffer.from(header + '\n')];
  const chroma = 2 * Math.ceil(w / 2) * Math.ceil(h / 2);
  for (let p = 0; p < pictures; p++) {
    parts.push(Buffer.from(p % 2 ? 'FRAME Ixyz\n' : 'FRAME\n'));
    parts.push(Buffer.alloc(w * h, p + 1), Buffer.alloc(chroma, 200));
  }
  return Buffer.concat(parts);
}

test('pictures come out whole whatever the chunking, luma only', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 5 }), fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 20 }), (w, h, n, cuts) => {
      const s = stream(w, h, n);
      const got: number[][] = [];
      const r = new Y4mReader((luma) => got.push(Array.from(new Set(luma))));
      for (let at = 0, k = 0; at < s.length; k++) {
        const len = cuts[k % cuts.length]!;
        r.push(s.subarray(at, at + len));
        at += len;
      }
      r.end();
      assert.equal(r.frames, n);
      assert.deepEqual(got, Array.from({ length: n }, (_, p) => [p + 1]));
      assert.equal(r.bytes, s.length);
    }),
  );
});

test('a stream that is not Y4M, has no size, an unread colour space, a cut picture or a runaway line is refused with the reason', () => {
  const refuse = (bytes: Buffer, end: boolean, re: RegExp): void => {
    const r = new Y4mReader(() => undefined);
    assert.throws(() => {
      r.push(bytes);
      if (end) r.end();
    }, re);
  };
  refuse(Buffer.from('RIFF....\n'), false, /not a YUV4MPEG2 stream/);
  refuse(Buffer.from('YUV4MPEG2 F60:1\n'), false, /no usable size/);
  refuse(Buffer.from('YUV4MPEG2 W99999 H99999\n'), false, /no usable size/);
  refuse(Buffer.from('YUV4MPEG2 W4 H4 C411\n'), false, /C411/);
  refuse(stream(4, 4, 2).subarray(0, stream(4, 4, 2).length - 3), true, /ended inside picture 2/);
  refuse(Buffer.alloc(0), true, /empty/);
  refuse(Buffer.concat([Buffer.from('YUV4MPEG2 W4 H4\nFRAMX\n')]), false, /expected FRAME/);
  refuse(Buffer.from('YUV4MPEG2 ' + 'x'.repeat(2000)), false, /longer than 1024/);
});
