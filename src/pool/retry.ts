// urllib3's Retry (urllib3/util/retry.py, 2.x): an immutable budget of
// retries. Each attempt that fails (an error, a redirect, a status in
// status_forcelist) makes a new Retry with the counters decremented and
// one more RequestHistory entry; when a counter goes below zero the
// attempt raises MaxRetryError with the cause as `reason`.
//
// One addition to urllib3: an error that happened before a byte of the
// request was written (connect, TLS, or a reused connection found dead
// before writing) is a connect error, retried for any method — urllib3
// can only assume that for its connect phase.
import {
  ConnectTimeoutError,
  InvalidHeader,
  MaxRetryError,
  ProtocolError,
  ProxyError,
  ReadTimeoutError,
  ResponseError,
  type PoolLike,
} from './errors.js';

/** One failed attempt (urllib3's RequestHistory named tuple). */
export interface RequestHistory {
  method: string | null;
  url: string | null;
  error: unknown;
  status: number | null;
  redirect_location: string | null;
}

/** The parts of a response Retry looks at. */
export interface RetryResponse {
  status: number;
  headers: { get(name: string): string | null | undefined };
  get_redirect_location(): string | null | false;
}

/** A retry count: a number, null (no limit from this counter) or false (disabled: raise at once). */
export type RetryCount = number | null | false;

/** Options of `new Retry({...})`: urllib3's keyword arguments. */
export interface RetryOptions {
  /** All retries together (default 10); false disables retries and redirects. */
  total?: RetryCount;
  /** Errors before the request was sent (the server did not see it). */
  connect?: RetryCount;
  /** Errors after the request was sent (only for allowed_methods). */
  read?: RetryCount;
  /** Redirects to follow; false: return the redirect response. */
  redirect?: RetryCount;
  /** Responses with a status in status_forcelist. */
  status?: RetryCount;
  /** Any other error. */
  other?: RetryCount;
  /** Methods retried after the request was sent; null: any. Default: the idempotent ones. */
  allowed_methods?: Iterable<string> | null;
  status_forcelist?: Iterable<number> | null;
  backoff_factor?: number;
  backoff_max?: number;
  backoff_jitter?: number;
  raise_on_redirect?: boolean;
  raise_on_status?: boolean;
  history?: readonly RequestHistory[] | null;
  respect_retry_after_header?: boolean;
  remove_headers_on_redirect?: Iterable<string>;
  retry_after_max?: number;
}

/** Waits `seconds`; rejects with the signal's reason when it aborts first. */
export function sleepSeconds(seconds: number, signal?: AbortSignal | null): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (!(seconds > 0)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.min(seconds * 1000, 2_147_483_647));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Seconds until an HTTP-date, or null if `text` is not one (email.utils.parsedate_tz's job). */
function secondsUntilDate(text: string): number | null {
  // An HTTP-date names its month (and day) in letters; Date.parse alone takes '-1' as a year.
  if (!/[A-Za-z]{3}/.test(text)) return null;
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : (t - Date.now()) / 1000;
}

/**
 * urllib3's `Retry`. Instances are immutable in use: `increment()`
 * returns a new one. Defaults are urllib3's: total 10, backoff off,
 * idempotent methods only for read retries, Retry-After honoured on 413,
 * 429 and 503, Cookie/Authorization/Proxy-Authorization dropped on a
 * redirect to another host.
 */
export class Retry {
  static readonly DEFAULT_ALLOWED_METHODS: ReadonlySet<string> = new Set(['HEAD', 'GET', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);
  static readonly RETRY_AFTER_STATUS_CODES: ReadonlySet<number> = new Set([413, 429, 503]);
  static readonly DEFAULT_REMOVE_HEADERS_ON_REDIRECT: ReadonlySet<string> = new Set(['Cookie', 'Authorization', 'Proxy-Authorization']);
  static readonly DEFAULT_BACKOFF_MAX = 120;
  static readonly DEFAULT_RETRY_AFTER_MAX = 21600;
  /** `Retry.DEFAULT`: Retry(3), what `retries` means when not given. */
  static DEFAULT: Retry;

  readonly total: RetryCount;
  readonly connect: RetryCount;
  readonly read: RetryCount;
  readonly redirect: RetryCount;
  readonly status: RetryCount;
  readonly other: RetryCount;
  readonly allowed_methods: ReadonlySet<string> | null;
  readonly status_forcelist: ReadonlySet<number>;
  readonly backoff_factor: number;
  readonly backoff_max: number;
  readonly backoff_jitter: number;
  readonly raise_on_redirect: boolean;
  readonly raise_on_status: boolean;
  readonly history: readonly RequestHistory[];
  readonly respect_retry_after_header: boolean;
  /** Lower-cased header names. */
  readonly remove_headers_on_redirect: ReadonlySet<string>;
  readonly retry_after_max: number;

  /** `new Retry(3)` is `new Retry({ total: 3 })`, as Python's positional `total`. */
  constructor(options: RetryOptions | RetryCount = {}) {
    const o: RetryOptions = typeof options === 'object' && options !== null ? options : { total: options };
    this.total = o.total === undefined ? 10 : o.total;
    this.connect = o.connect ?? null;
    this.read = o.read ?? null;
    this.status = o.status ?? null;
    this.other = o.other ?? null;
    let redirect = o.redirect ?? null;
    let raiseOnRedirect = o.raise_on_redirect ?? true;
    if (o.redirect === false || this.total === false) {
      redirect = 0;
      raiseOnRedirect = false;
    }
    if (o.connect === false) this.connect = false;
    if (o.read === false) this.read = false;
    this.redirect = redirect;
    this.allowed_methods = o.allowed_methods === null ? null : new Set(o.allowed_methods ?? Retry.DEFAULT_ALLOWED_METHODS);
    this.status_forcelist = new Set(o.status_forcelist ?? []);
    this.backoff_factor = o.backoff_factor ?? 0;
    this.backoff_max = o.backoff_max ?? Retry.DEFAULT_BACKOFF_MAX;
    this.backoff_jitter = o.backoff_jitter ?? 0;
    this.raise_on_redirect = raiseOnRedirect;
    this.raise_on_status = o.raise_on_status ?? true;
    this.history = o.history ?? [];
    this.respect_retry_after_header = o.respect_retry_after_header ?? true;
    this.remove_headers_on_redirect = new Set(Array.from(o.remove_headers_on_redirect ?? Retry.DEFAULT_REMOVE_HEADERS_ON_REDIRECT, (h) => h.toLowerCase()));
    this.retry_after_max = o.retry_after_max ?? Retry.DEFAULT_RETRY_AFTER_MAX;
  }

  /** A copy with some options changed. */
  new(changes: RetryOptions = {}): Retry {
    const C = this.constructor as typeof Retry;
    return new C({
      total: this.total,
      connect: this.connect,
      read: this.read,
      redirect: this.redirect,
      status: this.status,
      other: this.other,
      allowed_methods: this.allowed_methods,
      status_forcelist: this.status_forcelist,
      backoff_factor: this.backoff_factor,
      backoff_max: this.backoff_max,
      backoff_jitter: this.backoff_jitter,
      raise_on_redirect: this.raise_on_redirect,
      raise_on_status: this.raise_on_status,
      history: this.history,
      respect_retry_after_header: this.respect_retry_after_header,
      remove_headers_on_redirect: this.remove_headers_on_redirect,
      retry_after_max: this.retry_after_max,
      ...changes,
    });
  }

  /**
   * urllib3's `Retry.from_int`: a Retry from what `retries` may be — a
   * Retry (returned as is), a number (total), false, or null/undefined
   * (`default`, else Retry.DEFAULT). `redirect` false turns redirects off.
   */
  static from_int(retries: Retry | number | boolean | null | undefined, redirect: boolean | number | null = true, default_: Retry | number | boolean | null = null): Retry {
    if (retries === null || retries === undefined) retries = default_ !== null ? default_ : Retry.DEFAULT;
    if (retries instanceof Retry) return retries;
    // Python's `bool(redirect) and None`: false stays false, true becomes None.
    const r = redirect ? null : false;
    return new Retry({ total: retries === true ? null : retries, redirect: r });
  }

  /** Seconds to wait before the next attempt: backoff_factor * 2^(n-1) for n consecutive errors (none for the first), plus jitter, capped. */
  get_backoff_time(): number {
    let consecutive = 0;
    for (let i = this.history.length - 1; i >= 0 && this.history[i]!.redirect_location === null; i--) consecutive++;
    if (consecutive <= 1) return 0;
    let value = this.backoff_factor * 2 ** (consecutive - 1);
    if (this.backoff_jitter !== 0) value += Math.random() * this.backoff_jitter;
    return Math.max(0, Math.min(this.backoff_max, value));
  }

  /** Seconds from a Retry-After value (delay-seconds or HTTP-date), at least 0, at most retry_after_max. InvalidHeader otherwise. */
  parse_retry_after(retry_after: string): number {
    let seconds: number;
    if (/^\s*[0-9]+\s*$/.test(retry_after)) {
      seconds = parseInt(retry_after, 10);
    } else {
      const s = secondsUntilDate(retry_after);
      if (s === null) throw new InvalidHeader(`Invalid Retry-After header: ${retry_after}`);
      seconds = s;
    }
    return Math.min(Math.max(seconds, 0), this.retry_after_max);
  }

  /** The response's Retry-After in seconds, or null when it has none. */
  get_retry_after(response: RetryResponse): number | null {
    const value = response.headers.get('Retry-After');
    if (value === null || value === undefined) return null;
    return this.parse_retry_after(value);
  }

  /** Waits for the response's Retry-After, if it has a positive one; returns whether it waited. */
  async sleep_for_retry(response: RetryResponse, signal?: AbortSignal | null): Promise<boolean> {
    const after = this.get_retry_after(response);
    if (after) {
      await sleepSeconds(after, signal);
      return true;
    }
    return false;
  }

  /** Waits before the next attempt: Retry-After when respected and present, else the backoff. */
  async sleep(response?: RetryResponse | null, signal?: AbortSignal | null): Promise<void> {
    if (this.respect_retry_after_header && response) {
      if (await this.sleep_for_retry(response, signal)) return;
    }
    const backoff = this.get_backoff_time();
    if (backoff > 0) await sleepSeconds(backoff, signal);
  }

  /** Errors the server did not see the request for (safe to retry for any method). */
  _is_connection_error(err: unknown): boolean {
    if (err instanceof ProxyError) err = err.original_error;
    return err instanceof ConnectTimeoutError;
  }

  /** Errors after the request was started (the server may have acted on it). */
  _is_read_error(err: unknown): boolean {
    return err instanceof ReadTimeoutError || err instanceof ProtocolError;
  }

  /** Whether `method` may be retried after it was sent (allowed_methods; null allows all). */
  _is_method_retryable(method: string): boolean {
    return !(this.allowed_methods && this.allowed_methods.size > 0 && !this.allowed_methods.has(method.toUpperCase()));
  }

  /** Whether a response with `status_code` should be retried (status_forcelist, or Retry-After on 413/429/503). */
  is_retry(method: string, status_code: number, has_retry_after = false): boolean {
    if (!this._is_method_retryable(method)) return false;
    if (this.status_forcelist.size > 0 && this.status_forcelist.has(status_code)) return true;
    return Boolean(this.total && this.respect_retry_after_header && has_retry_after && Retry.RETRY_AFTER_STATUS_CODES.has(status_code));
  }

  /** Whether some counter went below zero (counters that are 0, null or false are not looked at, as urllib3). */
  is_exhausted(): boolean {
    const counts = [this.total, this.connect, this.read, this.redirect, this.status, this.other].filter((x): x is number => typeof x === 'number' && x !== 0);
    if (counts.length === 0) return false;
    return Math.min(...counts) < 0;
  }

  /**
   * The Retry for the next attempt after `error` or `response`. Throws
   * `error` itself when that kind of retry is disabled (total false,
   * connect/read false, a read error on a method not allowed), and
   * MaxRetryError(pool, url, reason) when the budget is exhausted.
   */
  increment(
    method: string | null = null,
    url: string | null = null,
    response: RetryResponse | null = null,
    error: unknown = null,
    _pool: PoolLike | null = null,
  ): Retry {
    const hasError = error !== null && error !== undefined;
    if (this.total === false && hasError) throw error;
    let total = this.total;
    if (typeof total === 'number') total -= 1;
    let connect = this.connect;
    let read = this.read;
    let redirect = this.redirect;
    let statusCount = this.status;
    let other = this.other;
    let cause = 'unknown';
    let status: number | null = null;
    let redirectLocation: string | null = null;
    if (hasError && this._is_connection_error(error)) {
      if (connect === false) throw error;
      if (typeof connect === 'number') connect -= 1;
    } else if (hasError && this._is_read_error(error)) {
      if (read === false || method === null || !this._is_method_retryable(method)) throw error;
      if (typeof read === 'number') read -= 1;
    } else if (hasError) {
      if (typeof other === 'number') other -= 1;
    } else if (response && response.get_redirect_location()) {
      if (typeof redirect === 'number') redirect -= 1;
      cause = 'too many redirects';
      redirectLocation = response.get_redirect_location() || null;
      status = response.status;
    } else {
      cause = ResponseError.GENERIC_ERROR;
      if (response && response.status) {
        if (typeof statusCount === 'number') statusCount -= 1;
        cause = ResponseError.SPECIFIC_ERROR.replace('{status_code}', String(response.status));
        status = response.status;
      }
    }
    const history = [...this.history, { method, url, error: hasError ? error : null, status, redirect_location: redirectLocation }];
    const next = this.new({ total, connect, read, redirect, status: statusCount, other, history });
    if (next.is_exhausted()) {
      const reason = hasError ? error : new ResponseError(cause);
      throw new MaxRetryError(_pool, url ?? '', reason);
    }
    return next;
  }

  __repr__(): string {
    const r = (v: RetryCount) => (v === null ? 'None' : v === false ? 'False' : String(v));
    return `Retry(total=${r(this.total)}, connect=${r(this.connect)}, read=${r(this.read)}, redirect=${r(this.redirect)}, status=${r(this.status)})`;
  }

  toString(): string {
    return this.__repr__();
  }
}

Retry.DEFAULT = new Retry(3);
