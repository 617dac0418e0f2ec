// The Python exceptions, checked against CPython 3.13: str(e), repr(e),
// args and attributes of each, and the whole subclass matrix.

import { describe, it, expect, vi } from 'vitest';
import { PYTHON313, python313 } from '../support/python.js';
import { Code, LineKind } from '../../src/abi/index.js';
import { ParseError } from '../../src/core/errors.js';
import { HeadParser } from '../../src/core/head.js';
import { latin1Encode } from '../../src/core/latin1.js';
import * as exc from '../../src/http/exceptions.js';
import {
  BadStatusLine,
  BaseException,
  ConnectionError,
  ConnectionResetError,
  error,
  fromParseError,
  HTTPException,
  ImproperConnectionState,
  IncompleteRead,
  LineTooLong,
  MemoryError,
  OSError,
  pyRepr,
  RemoteDisconnected,
  TimeoutError,
  TypeError as PyTypeError,
  UnicodeEncodeError,
  UnknownProtocol,
  ValueError as PyValueError,
} from '../../src/http/exceptions.js';



const PY_SCOPE = String.raw`
import builtins, http.client, email.errors, json, sys
scope = dict(vars(builtins))
scope.update({k: getattr(email.errors, k) for k in dir(email.errors) if not k.startswith('_')})
scope.update({k: getattr(http.client, k) for k in dir(http.client) if not k.startswith('_')})
def attr(v):
    if isinstance(v, bytes): return {"bytes": v.decode("latin-1")}
    return v
`;

const PY_DESCRIBE = PY_SCOPE + String.raw`
out = []
for expr in json.load(sys.stdin):
    e = eval(expr, scope)
    attrs = {k: attr(getattr(e, k)) for k in ("line", "version", "partial", "expected", "errno", "strerror",
             "filename", "filename2", "encoding", "object", "start", "end", "reason") if hasattr(e, k)}
    out.append({"name": type(e).__name__, "str": str(e), "repr": repr(e),
                "args": [repr(a) for a in e.args], "attrs": attrs})
print(json.dumps(out))
`;

const PY_MATRIX = PY_SCOPE + String.raw`
names = json.load(sys.stdin)
print(json.dumps([[issubclass(scope[a], scope[b]) for b in names] for a in names]))
`;

const PY_ALL = String.raw`
import http.client, json, sys
print(json.dumps(http.client.__all__))
`;

const b = (s: string): Uint8Array => latin1Encode(s);

/** [Python expression, the same exception built here]. */
const CASES: [string, () => BaseException][] = [
  ['HTTPException()', () => new HTTPException()],
  ["HTTPException('x')", () => new HTTPException('x')],
  ["HTTPException('a', 1)", () => new HTTPException('a', 1)],
  ["HTTPException(None, True, 1.5, [1, 'a'], b'q')", () => new HTTPException(null, true, 1.5, [1, 'a'], b('q'))],
  ["error('e')", () => new error('e')],
  ["NotConnected('n')", () => new exc.NotConnected('n')],
  ['InvalidURL("nonnumeric port: \'x\'")', () => new exc.InvalidURL("nonnumeric port: 'x'")],
  ["InvalidURL(\"URL can't contain control characters. '/\\\\x00' (found at least '\\\\x00')\")", () =>
    new exc.InvalidURL("URL can't contain control characters. '/\\x00' (found at least '\\x00')")],
  ["UnknownProtocol('HTTP/2.0')", () => new UnknownProtocol('HTTP/2.0')],
  ['UnknownTransferEncoding()', () => new exc.UnknownTransferEncoding()],
  ['UnimplementedFileMode()', () => new exc.UnimplementedFileMode()],
  ["IncompleteRead(b'abc')", () => new IncompleteRead(b('abc'))],
  ["IncompleteRead(b'abc', 5)", () => new IncompleteRead(b('abc'), 5)],
  ["IncompleteRead(b'', 0)", () => new IncompleteRead(b(''), 0)],
  ["IncompleteRead(b'x' * 70000, None)", () => new IncompleteRead(new Uint8Array(70000).fill(0x78), null)],
  ["ImproperConnectionState('i')", () => new ImproperConnectionState('i')],
  ["CannotSendRequest('Request-sent')", () => new exc.CannotSendRequest('Request-sent')],
  ['CannotSendHeader()', () => new exc.CannotSendHeader()],
  ["ResponseNotReady('Idle')", () => new exc.ResponseNotReady('Idle')],
  ["BadStatusLine('')", () => new BadStatusLine('')],
  ["BadStatusLine('HTTP/1.1 xx\\r\\n')", () => new BadStatusLine('HTTP/1.1 xx\r\n')],
  ["BadStatusLine(\"it's \\xe9\\x85\\x00\")", () => new BadStatusLine("it's \xe9\x85\x00")],
  ["LineTooLong('header line')", () => new LineTooLong('header line')],
  ["LineTooLong('chunk size')", () => new LineTooLong('chunk size')],
  ["RemoteDisconnected('Remote end closed connection without response')", () =>
    new RemoteDisconnected('Remote end closed connection without response')],
  ['RemoteDisconnected()', () => new RemoteDisconnected()],
  ["RemoteDisconnected(104, 'reset')", () => new RemoteDisconnected(104, 'reset')],
  ["ConnectionResetError('x')", () => new ConnectionResetError('x')],
  ["ConnectionResetError(104, 'Connection reset by peer')", () => new ConnectionResetError(104, 'Connection reset by peer')],
  ["ConnectionError('c')", () => new ConnectionError('c')],
  ["ConnectionRefusedError(111, 'Connection refused')", () => new exc.ConnectionRefusedError(111, 'Connection refused')],
  ["ConnectionAbortedError('a')", () => new exc.ConnectionAbortedError('a')],
  ["BrokenPipeError(32, 'Broken pipe')", () => new exc.BrokenPipeError(32, 'Broken pipe')],
  ["TimeoutError('timed out')", () => new TimeoutError('timed out')],
  ['TimeoutError()', () => new TimeoutError()],
  ["OSError('plain')", () => new OSError('plain')],
  ["OSError(1000, 'Odd', 'f')", () => new OSError(1000, 'Odd', 'f')],
  ["OSError(1000, 'Odd', 'f', None, 'g')", () => new OSError(1000, 'Odd', 'f', null, 'g')],
  ["OSError(1000, 'Odd', None)", () => new OSError(1000, 'Odd', null)],
  ['OSError(None, None)', () => new OSError(null, null)],
  ['OSError(1, 2, 3, 4, 5, 6)', () => new OSError(1, 2, 3, 4, 5, 6)],
  ["ValueError('v')", () => new PyValueError('v')],
  ['ValueError()', () => new PyValueError()],
  ["TypeError('t')", () => new PyTypeError('t')],
  ["KeyError('x')", () => new exc.KeyError('x')],
  ['KeyError()', () => new exc.KeyError()],
  ["KeyError('a', 'b')", () => new exc.KeyError('a', 'b')],
  ["LookupError('l')", () => new exc.LookupError('l')],
  ["MemoryError('m')", () => new MemoryError('m')],
  ["UnicodeError('u')", () => new exc.UnicodeError('u')],
  ["UnicodeEncodeError('latin-1', 'ab\\u20accd', 2, 3, 'ordinal not in range(256)')", () =>
    new UnicodeEncodeError('latin-1', 'ab\u20accd', 2, 3, 'ordinal not in range(256)')],
  ["UnicodeEncodeError('latin-1', 'ab\\u20ac\\u20accd', 2, 4, 'ordinal not in range(256)')", () =>
    new UnicodeEncodeError('latin-1', 'ab\u20ac\u20accd', 2, 4, 'ordinal not in range(256)')],
  ["UnicodeEncodeError('latin-1', 'ab\\xffcd', 2, 3, 'r')", () => new UnicodeEncodeError('latin-1', 'ab\xffcd', 2, 3, 'r')],
  ["UnicodeEncodeError('latin-1', '\\U0001f600\\U0001f600x', 1, 2, 'r')", () =>
    new UnicodeEncodeError('latin-1', '\u{1f600}\u{1f600}x', 1, 2, 'r')],
  ["UnicodeEncodeError('latin-1', 'abc', 5, 6, 'r')", () => new UnicodeEncodeError('latin-1', 'abc', 5, 6, 'r')],
  ["UnicodeEncodeError('ascii', 'a\\u2028\\ud800', 1, 2, 'r')", () => new UnicodeEncodeError('ascii', 'a\u2028\ud800', 1, 2, 'r')],
  ["HeaderParseError('header value appears to contain an embedded header: \\'x\\\\nX: y\\'')", () =>
    new exc.HeaderParseError("header value appears to contain an embedded header: 'x\\nX: y'")],
  ["HeaderWriteError('w')", () => new exc.HeaderWriteError('w')],
  ["MessageError('m')", () => new exc.MessageError('m')],
];

function describeTs(e: BaseException): unknown {
  const attrs: Record<string, unknown> = {};
  const src = e as unknown as Record<string, unknown>;
  for (const k of ['line', 'version', 'partial', 'expected', 'errno', 'strerror', 'filename', 'filename2', 'encoding', 'object', 'start', 'end', 'reason']) {
    if (k in e) {
      const v = src[k];
      attrs[k] = v instanceof Uint8Array ? { bytes: String.fromCharCode(...(v.length > 1000 ? [] : v)) } : v;
    }
  }
  return { name: e.name, str: e.message, repr: e.__repr__(), args: e.args.map(pyRepr), attrs };
}

describe('str(), repr(), args and attributes agree with CPython 3.13', () => {
  const expected = (python313(PY_DESCRIBE, CASES.map(([py]) => py)) as Record<string, unknown>[]);
  CASES.forEach(([py, make], i) => {
    it(py, () => {
      const want = { ...expected[i]! };
      const got = describeTs(make()) as Record<string, unknown>;
      // A 70000-byte partial is compared by length only.
      if (py.includes('70000')) {
        (want.attrs as Record<string, unknown>).partial = (got.attrs as Record<string, unknown>).partial;
        want.args = got.args;
      }
      expect(got).toStrictEqual(want);
    });
  });
});

const CLASSES: Record<string, new (...args: never[]) => BaseException> = {
  BaseException: exc.BaseException,
  Exception: exc.Exception,
  ValueError: exc.ValueError,
  UnicodeError: exc.UnicodeError,
  UnicodeEncodeError: exc.UnicodeEncodeError,
  TypeError: exc.TypeError,
  LookupError: exc.LookupError,
  KeyError: exc.KeyError,
  MemoryError: exc.MemoryError,
  OSError: exc.OSError,
  ConnectionError: exc.ConnectionError,
  ConnectionResetError: exc.ConnectionResetError,
  ConnectionRefusedError: exc.ConnectionRefusedError,
  ConnectionAbortedError: exc.ConnectionAbortedError,
  BrokenPipeError: exc.BrokenPipeError,
  TimeoutError: exc.TimeoutError,
  MessageError: exc.MessageError,
  MessageParseError: exc.MessageParseError,
  HeaderParseError: exc.HeaderParseError,
  HeaderWriteError: exc.HeaderWriteError,
  HTTPException: exc.HTTPException,
  error: exc.error,
  NotConnected: exc.NotConnected,
  InvalidURL: exc.InvalidURL,
  UnknownProtocol: exc.UnknownProtocol,
  UnknownTransferEncoding: exc.UnknownTransferEncoding,
  UnimplementedFileMode: exc.UnimplementedFileMode,
  IncompleteRead: exc.IncompleteRead,
  ImproperConnectionState: exc.ImproperConnectionState,
  CannotSendRequest: exc.CannotSendRequest,
  CannotSendHeader: exc.CannotSendHeader,
  ResponseNotReady: exc.ResponseNotReady,
  BadStatusLine: exc.BadStatusLine,
  LineTooLong: exc.LineTooLong,
  RemoteDisconnected: exc.RemoteDisconnected,
};

function sample(name: string): BaseException {
  const cls = CLASSES[name] as unknown as new (...args: unknown[]) => BaseException;
  if (name === 'UnicodeEncodeError') return new cls('latin-1', '\u20ac', 0, 1, 'r');
  if (name === 'IncompleteRead') return new cls(new Uint8Array(1), 2);
  return new cls('x');
}

describe('the class hierarchy is CPython 3.13\'s', () => {
  const names = Object.keys(CLASSES);
  const matrix = (python313(PY_MATRIX, names) as boolean[][]);
  names.forEach((a, i) => {
    it(`${a} is an instance of exactly its Python bases`, () => {
      const e = sample(a);
      const got = names.map((bName) => e instanceof CLASSES[bName]!);
      const want = matrix[i]!;
      const diff = names.filter((_, j) => got[j] !== want[j]).map((n, _j) => `${n}`);
      expect(diff).toEqual([]);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(a === 'error' ? 'HTTPException' : a);
    });
  });

  it('exports every exception of http.client.__all__', () => {
    const all = python313(PY_ALL, null) as string[];
    for (const n of all.filter((n) => !/^(HTTPResponse|HTTPConnection|HTTPSConnection|responses)$/.test(n))) {
      expect(typeof (exc as Record<string, unknown>)[n], n).toBe('function');
    }
  });
});

describe('instanceof by tag', () => {
  it('RemoteDisconnected is both a ConnectionResetError and a BadStatusLine, with line "\'\'"', () => {
    const e = new RemoteDisconnected('Remote end closed connection without response');
    expect(e).toBeInstanceOf(ConnectionResetError);
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e).toBeInstanceOf(OSError);
    expect(e).toBeInstanceOf(BadStatusLine);
    expect(e).toBeInstanceOf(HTTPException);
    expect(e).toBeInstanceOf(error);
    expect(e.line).toBe("''");
    expect(e.errno).toBeNull();
    expect(new BadStatusLine('x')).not.toBeInstanceOf(ConnectionResetError);
  });

  it('works across two copies of the module', async () => {
    vi.resetModules();
    const second = '../../src/http/exceptions.js?copy';
    const copy = (await import(/* @vite-ignore */ second)) as typeof exc;
    expect(copy.HTTPException).not.toBe(HTTPException);
    const theirs = new copy.RemoteDisconnected();
    expect(theirs).toBeInstanceOf(BadStatusLine);
    expect(theirs).toBeInstanceOf(ConnectionResetError);
    expect(theirs).not.toBeInstanceOf(IncompleteRead);
    expect(new IncompleteRead(new Uint8Array(0))).toBeInstanceOf(copy.HTTPException);
    expect(new PyValueError()).not.toBeInstanceOf(copy.HTTPException);
  });

  it('narrows types like an ordinary instanceof', () => {
    const e: unknown = new IncompleteRead(new Uint8Array(3), 4);
    if (e instanceof IncompleteRead) {
      const n: number | null = e.expected;
      expect(n).toBe(4);
      expect(e.partial.length).toBe(3);
    } else throw new Error('not narrowed');
  });

  it('a subclass defined elsewhere falls back to the prototype chain', () => {
    class Mine extends HTTPException {}
    expect(new Mine('x')).toBeInstanceOf(Mine);
    expect(new Mine('x')).toBeInstanceOf(HTTPException);
    expect(new HTTPException('x')).not.toBeInstanceOf(Mine);
    expect(new Mine('x').name).toBe('HTTPException');
  });

  it('is false for plain errors and non-objects', () => {
    expect(new Error('x')).not.toBeInstanceOf(HTTPException);
    expect((null as unknown) instanceof HTTPException).toBe(false);
    expect(('HTTPException' as unknown) instanceof HTTPException).toBe(false);
    expect(new TypeError('native')).not.toBeInstanceOf(PyTypeError);
  });
});

const PY_ENCODE = String.raw`
import json, sys
out = []
for text, enc in json.load(sys.stdin):
    try:
        text.encode(enc)
        out.append(None)
    except UnicodeEncodeError as e:
        out.append([e.encoding, e.start, e.end, e.reason, str(e)])
print(json.dumps(out))
`;

describe('unicodeEncodeError is what str.encode raises', () => {
  const cases: [string, 'latin-1' | 'ascii'][] = [
    ['plain', 'latin-1'],
    ['caf\xe9', 'latin-1'],
    ['caf\xe9', 'ascii'],
    ['a\u20ac\u20acb\u20ac', 'latin-1'],
    ['\u{1F600}x', 'latin-1'],
    ['x\u{1F600}\u{1F600}', 'ascii'],
    ['\xff\u0100', 'latin-1'],
    ['', 'ascii'],
  ];
  const expected = (python313(PY_ENCODE, cases) as unknown[]);
  cases.forEach(([text, enc], i) => {
    it(`${JSON.stringify(text)} as ${enc}`, () => {
      const e = exc.unicodeEncodeError(text, enc);
      expect(e === null ? null : [e.encoding, e.start, e.end, e.reason, e.message]).toStrictEqual(expected[i]);
    });
  });
});

describe('JavaScript shape', () => {
  it('message can be assigned, as on any Error', () => {
    const e = new HTTPException('x');
    e.message = 'changed';
    expect(e.message).toBe('changed');
    expect(e.__str__()).toBe('x');
  });

  it('message is str(e), follows args, and heads the stack', () => {
    const e = new HTTPException('first');
    expect(e.message).toBe('first');
    expect(String(e)).toBe('HTTPException: first');
    expect(e.stack!.split('\n')[0]).toBe('HTTPException: first');
    e.args = ['a', 2];
    expect(e.message).toBe("('a', 2)");
    expect(e.__str__()).toBe("('a', 2)");
    expect(e.__repr__()).toBe("HTTPException('a', 2)");
  });

  it('IncompleteRead reads like CPython in a stack trace', () => {
    const e = new IncompleteRead(new Uint8Array(3), 5);
    expect(e.stack!.split('\n')[0]).toBe('IncompleteRead: IncompleteRead(3 bytes read, 5 more expected)');
    expect(e.args).toEqual([new Uint8Array(3)]);
  });

  it('BadStatusLine replaces an empty line by its repr', () => {
    expect(new BadStatusLine('').line).toBe("''");
    expect(new BadStatusLine('').message).toBe("''");
  });
});

describe('fromParseError', () => {
  const parse = (text: string): ParseError => {
    try {
      new HeadParser().execute(latin1Encode(text), true);
    } catch (e) {
      if (e instanceof ParseError) return e;
      throw e;
    }
    throw new Error('parsed');
  };

  it('maps every head error of the core to CPython\'s exception', () => {
    const rd = fromParseError(parse(''));
    expect(rd).toBeInstanceOf(RemoteDisconnected);
    expect(rd.message).toBe('Remote end closed connection without response');
    expect((rd as RemoteDisconnected).line).toBe("''");

    const bsl = fromParseError(parse('HTTP/1.1 abc OK\r\n\r\n'));
    expect(bsl).toBeInstanceOf(BadStatusLine);
    expect((bsl as BadStatusLine).line).toBe('HTTP/1.1 abc OK\r\n');
    expect(bsl).not.toBeInstanceOf(RemoteDisconnected);

    const status = fromParseError(parse('HTTP/1.1 200 ' + 'x'.repeat(70000) + '\r\n\r\n'));
    expect(status).toBeInstanceOf(LineTooLong);
    expect(status.message).toBe('got more than 65536 bytes when reading status line');

    const header = fromParseError(parse('HTTP/1.1 200 OK\r\nA: ' + 'x'.repeat(70000) + '\r\n\r\n'));
    expect(header.message).toBe('got more than 65536 bytes when reading header line');

    const many = fromParseError(parse('HTTP/1.1 200 OK\r\n' + 'A: b\r\n'.repeat(100) + '\r\n'));
    expect(many.name).toBe('HTTPException');
    expect(many.message).toBe('got more than 100 headers');

    const proto = fromParseError(parse('HTTP/2.0 200 OK\r\n\r\n'));
    expect(proto).toBeInstanceOf(UnknownProtocol);
    expect((proto as UnknownProtocol).version).toBe('HTTP/2.0');
    expect(proto.cause).toBeInstanceOf(ParseError);
  });

  it('builds IncompleteRead from the bytes read', () => {
    const body = fromParseError(new ParseError(Code.INCOMPLETE_BODY, 0, 0, '', 7), { partial: latin1Encode('abc') });
    expect(body).toBeInstanceOf(IncompleteRead);
    expect(body.message).toBe('IncompleteRead(3 bytes read, 7 more expected)');
    const chunk = fromParseError(new ParseError(Code.BAD_CHUNK_SIZE, 0), { partial: latin1Encode('ab') });
    expect(chunk.message).toBe('IncompleteRead(2 bytes read)');
    const eof = fromParseError(new ParseError(Code.INCOMPLETE_CHUNK, 0));
    expect((eof as IncompleteRead).partial).toEqual(new Uint8Array(0));
    expect((eof as IncompleteRead).expected).toBeNull();
    expect(fromParseError(new ParseError(Code.INCOMPLETE_BODY, 0, 0, '', 7), { expected: 9 }).message).toBe(
      'IncompleteRead(0 bytes read, 9 more expected)',
    );
    expect(fromParseError(new ParseError(Code.LINE_TOO_LONG, 0, LineKind.TRAILER)).message).toBe(
      'got more than 65536 bytes when reading trailer line',
    );
    expect(fromParseError(new ParseError(Code.INPUT_TOO_LARGE, 0))).toBeInstanceOf(MemoryError);
  });
});
