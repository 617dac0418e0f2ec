// Python's exception classes outside http.client: the roots
// (BaseException, Exception), the built-ins the API raises (ValueError
// family, TypeError, LookupError family, MemoryError, the OSError family)
// and the socket and ssl modules' errors, with Python's names, hierarchy,
// constructor arguments, attributes and messages (checked against CPython
// 3.13).
//
// What a Python exception is here:
// - `args`: the positional arguments, as Python's `e.args` (a tuple: an array).
// - `message`: Python's `str(e)`, computed from `args` each time it is read
//   (a getter, so that `e.args = [...]` changes it as in Python). `__str__()`
//   is the same string; `__repr__()` is Python's `repr(e)`.
// - `name`: the Python class name (`"IncompleteRead"`), so that a stack
//   trace reads `IncompleteRead: IncompleteRead(3 bytes read)`.
// - `instanceof`: by a well-known tag, not the prototype chain (undici's
//   lib/core/errors.js idea). Each class owns a `Symbol.for` tag that its
//   instances (and its subclasses' instances) carry, so `instanceof` works
//   across two copies of this library, and `RemoteDisconnected`, which
//   Python derives from both `ConnectionResetError` and `BadStatusLine`, is
//   an instance of both although a JavaScript class has one parent.
//   A class defined outside this module that extends one of these (without
//   a tag of its own) falls back to the ordinary prototype-chain test.
//
// Python `None` is `null` in attributes (`IncompleteRead.expected`,
// `OSError.errno`). Python `bytes` are `Uint8Array`.
//
// This module imports nothing from node:* (it runs in browsers too).

import { hex, pyRepr, pyStr } from './repr.js';

// ---------------------------------------------------------------------------
// Tags and registration

/** Static slot holding a class's own tag symbol. */
const OWN_TAG: unique symbol = Symbol('httpwire.pythonTag');

function tagFor(pythonName: string): symbol {
  return Symbol.for(`httpwire.python.${pythonName}`);
}

/**
 * Gives `cls` its Python name and its tag; `alsoIs` adds the tags of extra
 * Python base classes (for multiple inheritance).
 */
export function register(cls: abstract new (...args: never[]) => unknown, pythonName: string, alsoIs: string[] = []): void {
  const tag = tagFor(pythonName);
  Object.defineProperty(cls, OWN_TAG, { value: tag });
  Object.defineProperty(cls.prototype, 'name', { value: pythonName, writable: true, configurable: true });
  for (const name of [pythonName, ...alsoIs]) {
    Object.defineProperty(cls.prototype, tagFor(name), { value: true });
  }
}

// ---------------------------------------------------------------------------
// The roots

/**
 * Python's `BaseException`: the root of every exception class here (itself
 * a JavaScript `Error`). `new X(...args)` stores `args`; `message` is
 * `str(e)`: '' for no argument, `str(arg)` for one, the tuple's repr for more.
 */
export class BaseException extends Error {
  /** Python's `e.args`. */
  declare args: unknown[];

  constructor(...args: unknown[]) {
    super();
    // A plain data property, as Python's; enumerable so that it shows in
    // Node's inspection of the error.
    this.args = args;
  }

  /**
   * `instanceof` by tag: true when `value` carries this class's tag (see
   * the module comment). Narrows like an ordinary `instanceof`.
   */
  static override [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    if (!Object.hasOwn(this, OWN_TAG)) return Function.prototype[Symbol.hasInstance].call(this, value);
    const tag = (this as unknown as Record<symbol, symbol>)[OWN_TAG]!;
    return (
      (typeof value === 'object' || typeof value === 'function') &&
      value !== null &&
      (value as Record<symbol, unknown>)[tag] === true
    );
  }

  /** Python's `str(e)`. */
  override get message(): string {
    return this.__str__();
  }

  /** Assigning `message` (as some tools do to any Error) stores that text on the instance. */
  override set message(text: string) {
    Object.defineProperty(this, 'message', { value: text, writable: true, configurable: true });
  }

  /** Python's `str(e)`. */
  __str__(): string {
    const a = this.args;
    if (a.length === 0) return '';
    if (a.length === 1) return pyStr(a[0]);
    return '(' + a.map(pyRepr).join(', ') + ')';
  }

  /** Python's `repr(e)`: `Name(arg, ...)`. */
  __repr__(): string {
    return `${this.name}(${this.args.map(pyRepr).join(', ')})`;
  }
}
register(BaseException, 'BaseException');

/** Python's `Exception`: base of every exception below. Arguments as `BaseException`. */
export class Exception extends BaseException {}
register(Exception, 'Exception');

// ---------------------------------------------------------------------------
// Built-ins: ValueError family, TypeError, LookupError family, MemoryError

/** Python's `ValueError(...args)`. */
class PyValueError extends Exception {}
register(PyValueError, 'ValueError');
export { PyValueError as ValueError };

/** Python's `UnicodeError(...args)` (a ValueError). */
export class UnicodeError extends PyValueError {}
register(UnicodeError, 'UnicodeError');

/**
 * Python's `UnicodeEncodeError(encoding, object, start, end, reason)` (a
 * UnicodeError): `object[start:end]` could not be encoded. `start` and
 * `end` count code points, as Python's indexes do (not UTF-16 units), so
 * the message matches Python's for any text. str(e):
 * `'latin-1' codec can't encode character '\u20ac' in position 3: reason`
 * for one character, `... can't encode characters in position 3-5: reason`
 * for a range.
 */
export class UnicodeEncodeError extends UnicodeError {
  declare encoding: string;
  declare object: string;
  declare start: number;
  declare end: number;
  declare reason: string;

  constructor(encoding: string, object: string, start: number, end: number, reason: string) {
    super(encoding, object, start, end, reason);
    this.encoding = encoding;
    this.object = object;
    this.start = start;
    this.end = end;
    this.reason = reason;
  }

  override __str__(): string {
    const chars = Array.from(this.object);
    if (this.start < chars.length && this.end === this.start + 1) {
      const c = chars[this.start]!.codePointAt(0)!;
      const shown = c <= 0xff ? '\\x' + hex(c, 2) : c <= 0xffff ? '\\u' + hex(c, 4) : '\\U' + hex(c, 8);
      return `'${this.encoding}' codec can't encode character '${shown}' in position ${this.start}: ${this.reason}`;
    }
    return `'${this.encoding}' codec can't encode characters in position ${this.start}-${this.end - 1}: ${this.reason}`;
  }
}
register(UnicodeEncodeError, 'UnicodeEncodeError');

/**
 * The UnicodeEncodeError Python's `text.encode(encoding)` raises, or null
 * when `text` encodes: for 'latin-1' (any code point above U+00FF) and
 * 'ascii' (above U+007F), with Python's span (from the first character
 * that does not encode to the end of the run of such characters, in code
 * points) and reason (`ordinal not in range(256)` / `(128)`).
 */
export function unicodeEncodeError(text: string, encoding: 'latin-1' | 'ascii'): UnicodeEncodeError | null {
  const limit = encoding === 'ascii' ? 0x80 : 0x100;
  // The common case, checked without splitting the text into code points.
  if (!(encoding === 'ascii' ? NON_ASCII : NON_LATIN1).test(text)) return null;
  const chars = Array.from(text);
  const start = chars.findIndex((ch) => ch.codePointAt(0)! >= limit);
  if (start < 0) return null;
  let end = start + 1;
  while (end < chars.length && chars[end]!.codePointAt(0)! >= limit) end++;
  return new UnicodeEncodeError(encoding, text, start, end, `ordinal not in range(${limit})`);
}

const NON_ASCII = /[^\x00-\x7f]/;
const NON_LATIN1 = /[^\x00-\xff]/;

/** Python's `TypeError(...args)` (exported under that name; it shadows the global in importers). */
class PyTypeError extends Exception {}
register(PyTypeError, 'TypeError');
export { PyTypeError as TypeError };

/** Python's `LookupError(...args)`. */
export class LookupError extends Exception {}
register(LookupError, 'LookupError');

/** Python's `KeyError(...args)` (a LookupError): str(e) of one argument is its repr (`'x'`). */
export class KeyError extends LookupError {
  override __str__(): string {
    return this.args.length === 1 ? pyRepr(this.args[0]) : super.__str__();
  }
}
register(KeyError, 'KeyError');

/** Python's `MemoryError(...args)`. */
export class MemoryError extends Exception {}
register(MemoryError, 'MemoryError');

// ---------------------------------------------------------------------------
// OSError family

/**
 * Python's `OSError(...args)`. With 2 to 5 arguments, as Python's:
 * `errno = args[0]`, `strerror = args[1]`, `filename = args[2]`,
 * `filename2 = args[4]` (`args[3]` is Windows' winerror and is ignored),
 * and when a filename is given `args` keeps only the first two; str(e) is
 * then `[Errno 104] strerror` (`: 'filename'`, ` -> 'filename2'`). With
 * other argument counts the attributes are null and str(e) is
 * BaseException's: the errno-less shape in which this library raises them.
 * Unlike Python, `new OSError(errno, ...)` does not pick a subclass from
 * the errno (no errno table outside Node).
 */
export class OSError extends Exception {
  declare errno: unknown;
  declare strerror: unknown;
  declare filename: unknown;
  declare filename2: unknown;
  /** errno and strerror were given (Python's non-NULL myerrno/strerror). */
  declare private readonly errnoSet: boolean;

  constructor(...args: unknown[]) {
    super(...args);
    const n = args.length;
    const errnoSet = n >= 2 && n <= 5;
    Object.defineProperty(this, 'errnoSet', { value: errnoSet });
    this.errno = errnoSet ? args[0] : null;
    this.strerror = errnoSet ? args[1] : null;
    this.filename = null;
    this.filename2 = null;
    if (errnoSet && n >= 3 && args[2] !== null && args[2] !== undefined) {
      this.filename = args[2];
      if (n === 5 && args[4] !== null && args[4] !== undefined) this.filename2 = args[4];
      this.args = args.slice(0, 2);
    }
  }

  override __str__(): string {
    if (this.filename !== null) {
      const head = `[Errno ${pyStr(this.errno)}] ${pyStr(this.strerror)}: ${pyRepr(this.filename)}`;
      return this.filename2 !== null ? `${head} -> ${pyRepr(this.filename2)}` : head;
    }
    if (this.errnoSet) return `[Errno ${pyStr(this.errno)}] ${pyStr(this.strerror)}`;
    return super.__str__();
  }
}
register(OSError, 'OSError');

/** Python's `FileNotFoundError(errno, strerror)` (an OSError), e.g. a CA file that does not exist. */
export class FileNotFoundError extends OSError {}
register(FileNotFoundError, 'FileNotFoundError');

/** Python's `RuntimeError(...args)` (e.g. set_tunnel on a connected HTTPConnection). */
export class RuntimeError extends Exception {}
register(RuntimeError, 'RuntimeError');

/** Python's `socket.gaierror(errno, strerror)` (an OSError): a host name did not resolve. */
export class gaierror extends OSError {}
register(gaierror, 'gaierror');

/**
 * Python's `ssl.SSLError(errno, strerror)` (an OSError). `reason` is the
 * OpenSSL reason (`CERTIFICATE_VERIFY_FAILED`), `library` 'SSL'.
 */
export class SSLError extends OSError {
  declare reason: string | null;
  declare library: string | null;

  constructor(...args: unknown[]) {
    super(...args);
    this.reason = null;
    this.library = null;
  }

  /** As _ssl.c's SSLError_str: the strerror alone when there is one. */
  override __str__(): string {
    return typeof this.strerror === 'string' ? this.strerror : super.__str__();
  }
}
register(SSLError, 'SSLError');

/**
 * Python's `ssl.SSLCertVerificationError` (an SSLError and a ValueError):
 * the peer's certificate or host name did not verify. `verify_code` and
 * `verify_message` are OpenSSL's (18, 'self-signed certificate').
 */
export class SSLCertVerificationError extends SSLError {
  declare verify_code: number | null;
  declare verify_message: string | null;

  constructor(...args: unknown[]) {
    super(...args);
    this.verify_code = null;
    this.verify_message = null;
  }
}
register(SSLCertVerificationError, 'SSLCertVerificationError', ['ValueError']);

/**
 * Python's `ssl.SSLEOFError` (an SSLError): the peer closed the connection
 * cleanly in the middle of the TLS handshake (OpenSSL's
 * UNEXPECTED_EOF_WHILE_READING); a reset there is a ConnectionResetError.
 */
export class SSLEOFError extends SSLError {}
register(SSLEOFError, 'SSLEOFError');

/** Python's `ConnectionError(...args)` (an OSError). */
export class ConnectionError extends OSError {}
register(ConnectionError, 'ConnectionError');

/** Python's `ConnectionResetError(...args)` (a ConnectionError). */
export class ConnectionResetError extends ConnectionError {}
register(ConnectionResetError, 'ConnectionResetError');

/** Python's `ConnectionRefusedError(...args)` (a ConnectionError). */
export class ConnectionRefusedError extends ConnectionError {}
register(ConnectionRefusedError, 'ConnectionRefusedError');

/** Python's `ConnectionAbortedError(...args)` (a ConnectionError). */
export class ConnectionAbortedError extends ConnectionError {}
register(ConnectionAbortedError, 'ConnectionAbortedError');

/** Python's `BrokenPipeError(...args)` (a ConnectionError). */
export class BrokenPipeError extends ConnectionError {}
register(BrokenPipeError, 'BrokenPipeError');

/** Python's `TimeoutError(...args)` (an OSError; socket.timeout is this class). */
export class TimeoutError extends OSError {}
register(TimeoutError, 'TimeoutError');
