/**
 * The local cloud's clock, one cell of shared memory: the instant (ms) time stands still at, or
 * NaN for the real time. The cloud reads it for its own records (server dates, the stand-ins),
 * and every function instance gets the same buffer (worker threads share a SharedArrayBuffer
 * rather than copy it), so a move reaches instances already running at once, between two
 * statements of a call in progress included.
 */
export class SharedClock {
  readonly buffer: SharedArrayBuffer;
  private readonly cell: Float64Array;

  constructor(initial: Date | null = null) {
    this.buffer = new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT);
    this.cell = new Float64Array(this.buffer);
    this.set(initial);
  }

  /** Stops time at `instant` for the cloud and every instance; null lets the real time run again. */
  set(instant: Date | null): void {
    const at = instant === null ? Number.NaN : instant.getTime();
    if (instant !== null && !Number.isFinite(at)) throw new RangeError('the clock needs a valid instant');
    this.cell[0] = at;
  }

  /** The instant time stands still at, or null while the real time runs. */
  get frozenAt(): Date | null {
    const at = this.cell[0];
    return Number.isNaN(at) ? null : new Date(at);
  }

  now(): Date {
    return new Date(clockMs(this.cell));
  }
}

/** The time a clock cell says, in ms: its instant, or the real time while it holds NaN. */
export function clockMs(cell: Float64Array): number {
  const at = cell[0];
  return Number.isNaN(at) ? Date.now() : at;
}

/**
 * A full ISO instant with its zone (`2025-03-03T09:30:00+08:00`), or null: a date alone or a
 * time without zone would depend on this machine.
 */
export function parseInstant(text: unknown): Date | null {
  if (typeof text !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d)$/.test(text)) return null;
  const instant = new Date(text);
  return Number.isNaN(instant.getTime()) ? null : instant;
}
