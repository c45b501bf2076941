/**
 * The display side's report of the mode it composes when that is not the ring's (SOURCE_WIDTH /
 * HEIGHT / FORMAT + DRIVER_STATUS DescMismatch): the host reads it (HostRing.sourceDescChanged)
 * and recreates the ring at that mode. Withdrawn when the source returns to the ring's mode first.
 * A report wakes a host waiting for frames (nextFrame returnOnWake) through the frame-ready event.
 */
import {
  DriverStatus,
  OFF_DRIVER_STATUS,
  OFF_DRIVER_STATUS_DETAIL,
  OFF_SOURCE_FORMAT,
  OFF_SOURCE_HEIGHT,
  OFF_SOURCE_WIDTH,
} from '../contract/index.js';
import type { AutoResetEvent } from './auto-reset-event.js';
import type { HeaderView } from './header-view.js';
import type { RingDesc } from './slot-table.js';

export class SourceModeReport {
  /** True while the header says the source composes another mode. */
  reported: boolean;

  constructor(
    private readonly view: HeaderView,
    private readonly desc: RingDesc,
    private readonly event: AutoResetEvent,
    /** DRIVER_STATUS_DETAIL while Opened: the negotiated capabilities. */
    private readonly negotiated: number,
  ) {
    // A publisher re-attaching to a ring whose previous publisher already reported keeps it.
    const sw = view.load32(OFF_SOURCE_WIDTH);
    this.reported = sw !== 0 && (sw !== desc.width || view.load32(OFF_SOURCE_HEIGHT) !== desc.height || view.load32(OFF_SOURCE_FORMAT) !== desc.format);
  }

  /** The display composes `width x height` in `format`, which the ring cannot carry. */
  report(width: number, height: number, format: number): void {
    const v = this.view;
    if (this.reported && v.load32(OFF_SOURCE_FORMAT) === format && v.load32(OFF_SOURCE_WIDTH) === width && v.load32(OFF_SOURCE_HEIGHT) === height) return;
    v.store32(OFF_SOURCE_WIDTH, width);
    v.store32(OFF_SOURCE_HEIGHT, height);
    v.store32(OFF_SOURCE_FORMAT, format);
    v.store32(OFF_DRIVER_STATUS_DETAIL, format);
    v.store32(OFF_DRIVER_STATUS, DriverStatus.DescMismatch);
    this.reported = true;
    this.event.set();
  }

  /** The source matches the ring again (the mode flipped back before the host recreated). */
  withdraw(): void {
    const v = this.view;
    const d = this.desc;
    v.store32(OFF_SOURCE_WIDTH, d.width);
    v.store32(OFF_SOURCE_HEIGHT, d.height);
    v.store32(OFF_SOURCE_FORMAT, d.format);
    v.store32(OFF_DRIVER_STATUS_DETAIL, this.negotiated);
    v.store32(OFF_DRIVER_STATUS, DriverStatus.Opened);
    this.reported = false;
  }
}
