// urllib3's Timeout (urllib3/util/timeout.py): connect, read and total, in
// seconds. `connect` bounds opening the connection (and TLS); `read` bounds
// each wait for response bytes; `total` caps connect + read together: the
// read timeout is what is left of it once connected (urllib3's rule — not a
// hard deadline for the whole body; pass an AbortSignal for that).
import { TimeoutStateError } from './errors.js';
import { ValueError } from '../http/exceptions.js';

/** urllib3's `_DEFAULT_TIMEOUT` sentinel: "the default" — for httpwire, no timeout. */
export const DEFAULT_TIMEOUT: unique symbol = Symbol('urllib3.DEFAULT_TIMEOUT');

/** A timeout value: seconds, null (none), or the default sentinel. */
export type TimeoutValue = number | null | typeof DEFAULT_TIMEOUT;

function validate(value: unknown, name: string): TimeoutValue {
  if (value === undefined || value === DEFAULT_TIMEOUT) return DEFAULT_TIMEOUT;
  if (value === null) return null;
  if (typeof value === 'boolean') throw new ValueError('Timeout cannot be a boolean value. It must be an int, float or None.');
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new ValueError(`Timeout value ${name} was ${String(value)}, but it must be an int, float or None.`);
  }
  if (value <= 0) {
    throw new ValueError(`Attempted to set ${name} timeout to ${value}, but the timeout cannot be set to a value less than or equal to 0.`);
  }
  return value;
}

const now = (): number => performance.now() / 1000;

/** Options of `new Timeout({ connect, read, total })`. */
export interface TimeoutOptions {
  connect?: TimeoutValue;
  read?: TimeoutValue;
  total?: number | null;
}

/**
 * urllib3's `Timeout`. A pool clones it for each request (the connect
 * timer is per request). Values must be positive seconds or null;
 * anything else raises ValueError with urllib3's text.
 */
export class Timeout {
  static readonly DEFAULT_TIMEOUT = DEFAULT_TIMEOUT;
  /** The total budget in seconds, or null. */
  readonly total: number | null;
  private readonly _connect: TimeoutValue;
  private readonly _read: TimeoutValue;
  private _start_connect: number | null = null;

  constructor(options: TimeoutOptions = {}) {
    this._connect = validate(options.connect, 'connect');
    this._read = validate(options.read, 'read');
    const total = validate(options.total ?? null, 'total');
    this.total = total === DEFAULT_TIMEOUT ? null : total;
  }

  /** `Timeout.from_float(t)`: connect and read both `t` (what a bare number means for `timeout`). */
  static from_float(timeout: TimeoutValue): Timeout {
    return new Timeout({ connect: timeout, read: timeout });
  }

  /** A copy with the timer not started. */
  clone(): Timeout {
    return new Timeout({ connect: this._connect, read: this._read, total: this.total });
  }

  /** Starts the connect timer; TimeoutStateError if it already ran. Returns the start time (seconds). */
  start_connect(): number {
    if (this._start_connect !== null) throw new TimeoutStateError('Timeout timer has already been started.');
    this._start_connect = now();
    return this._start_connect;
  }

  /** Seconds since start_connect(); TimeoutStateError before it. */
  get_connect_duration(): number {
    if (this._start_connect === null) throw new TimeoutStateError("Can't get connect duration for timer that has not started.");
    return now() - this._start_connect;
  }

  /** The connect timeout: `connect`, capped by `total`; null for none. */
  get connect_timeout(): number | null {
    if (this.total === null) return resolve(this._connect);
    if (this._connect === null || this._connect === DEFAULT_TIMEOUT) return this.total;
    return Math.min(this._connect, this.total);
  }

  /**
   * The read timeout: `read`, capped by what `total` has left after the
   * connect phase (never negative); null for none.
   */
  get read_timeout(): number | null {
    if (this.total !== null && this._read !== null && this._read !== DEFAULT_TIMEOUT) {
      if (this._start_connect === null) return this._read;
      return Math.max(0, Math.min(this.total - this.get_connect_duration(), this._read));
    }
    if (this.total !== null) return Math.max(0, this.total - this.get_connect_duration());
    return resolve(this._read);
  }

  /** The values as given (`connect`, `read`: seconds, null or DEFAULT_TIMEOUT). */
  get connect(): TimeoutValue {
    return this._connect;
  }

  get read(): TimeoutValue {
    return this._read;
  }

  __repr__(): string {
    const r = (v: TimeoutValue) => (v === DEFAULT_TIMEOUT ? '<_TYPE_DEFAULT.token: -1>' : v === null ? 'None' : String(v));
    return `Timeout(connect=${r(this._connect)}, read=${r(this._read)}, total=${r(this.total)})`;
  }

  toString(): string {
    return this.__repr__();
  }
}

function resolve(v: TimeoutValue): number | null {
  return v === DEFAULT_TIMEOUT ? null : v;
}

/** A `timeout` argument (Timeout, seconds, null or the sentinel) as a fresh Timeout. */
export function toTimeout(value: Timeout | TimeoutValue | undefined, fallback: Timeout): Timeout {
  if (value === undefined) return fallback.clone();
  if (value instanceof Timeout) return value.clone();
  return Timeout.from_float(value);
}
