/** Debian's vncsnapshot as the tests run it: one snapshot, decoded to RGB (sharp). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import sharp from 'sharp';

export function requireVncsnapshot(): void {
  if (!existsSync('/usr/bin/vncsnapshot')) assert.fail('vncsnapshot is not installed: run scripts/setup-system.sh (Debian package "vncsnapshot")');
}

export function vncsnapshot(port: number, out: string, extra: string[] = []): Promise<{ width: number; height: number; rgb: Uint8Array }> {
  return new Promise((resolve, reject) => {
    execFile('vncsnapshot', ['-quiet', '-quality', '100', ...extra, `127.0.0.1::${port}`, out], { timeout: 20_000 }, (err, _stdout, stderr) => {
      if (err) return reject(new Error(`vncsnapshot failed: ${err.message}\n${stderr}`));
      sharp(out)
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true })
        .then(({ data, info }) => resolve({ width: info.width, height: info.height, rgb: new Uint8Array(data.buffer, data.byteOffset, data.length) }), reject);
    });
  });
}

