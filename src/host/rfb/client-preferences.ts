/**
 * What a client asked for with SetEncodings: the encoding for pixel data (the first of Tight,
 * ZRLE, Raw in the client's order of preference; Raw when none), the pseudo-encodings it
 * understands, and its JPEG quality and compression levels.
 *
 * CopyRect is never chosen: it needs to know that a region MOVED, and neither source reports
 * moves (the simulated display reports damage, X DAMAGE reports damage), so vdpush never claims
 * one.
 */
import { Encoding } from './rfb-constants.js';

export const DEFAULT_COMPRESSION = 6;

export class ClientPreferences {
  pixelEncoding: number = Encoding.Raw;
  cursor = false;
  desktopSize = false;
  extendedDesktopSize = false;
  lastRect = false;
  /** The Fence and ContinuousUpdates extensions (pushed updates need both: fences pace them). */
  fence = false;
  continuousUpdates = false;
  /** Tight JPEG quality level 0..9, or -1 (no JPEG). */
  quality = -1;
  /** zlib level 0..9 for ZRLE and Tight. */
  compression = DEFAULT_COMPRESSION;

  static from(encodings: Int32Array): ClientPreferences {
    const p = new ClientPreferences();
    let chosen = false;
    let qualitySet = false;
    let compressionSet = false;
    for (const e of encodings) {
      if (!chosen && (e === Encoding.Tight || e === Encoding.ZRLE || e === Encoding.Raw)) {
        p.pixelEncoding = e;
        chosen = true;
      } else if (e === Encoding.Cursor) p.cursor = true;
      else if (e === Encoding.DesktopSize) p.desktopSize = true;
      else if (e === Encoding.ExtendedDesktopSize) p.extendedDesktopSize = true;
      else if (e === Encoding.LastRect) p.lastRect = true;
      else if (e === Encoding.Fence) p.fence = true;
      else if (e === Encoding.ContinuousUpdates) p.continuousUpdates = true;
      else if (!qualitySet && e >= Encoding.QualityLevel0 && e <= Encoding.QualityLevel9) {
        p.quality = e - Encoding.QualityLevel0;
        qualitySet = true;
      } else if (!compressionSet && e >= Encoding.CompressLevel0 && e <= Encoding.CompressLevel9) {
        p.compression = e - Encoding.CompressLevel0;
        compressionSet = true;
      }
    }
    return p;
  }

  /** The client can follow a mode change without reconnecting. */
  get canResize(): boolean {
    return this.desktopSize || this.extendedDesktopSize;
  }
}
