#!/usr/bin/env python3
"""CPython's http.client as an oracle for httpwire's parser.

Reads JSON lines from stdin: {"input": "<latin-1 text>", "method": "GET"}.
Writes one JSON line per input with the result shape of
docs/parser-semantics.md: the head fields after begin(), the body read(),
or the exception CPython raised. The socket is a fake one over the bytes,
as in CPython's own test_httplib (FakeSocket): reads hit EOF at the end.
"""
import http.client
import io
import json
import sys


class ClampedReader(io.BufferedReader):
    """A BufferedReader whose read(n) past the end is read(len(data)).

    It returns the same bytes. Plain BufferedReader.read(n) allocates n bytes
    first, so a huge Content-Length or chunk size would give MemoryError or
    not depending on this machine's memory; clamped, CPython reaches its own
    IncompleteRead on every machine.
    """

    def __init__(self, raw, total):
        super().__init__(raw)
        self.total = total

    def read(self, size=-1):
        if size is not None and size > self.total:
            size = self.total
        return super().read(size)


class FakeSocket:
    def __init__(self, data):
        self.data = data

    def makefile(self, mode, bufsize=None):
        return ClampedReader(io.BytesIO(self.data), len(self.data))


def head_fields(resp):
    return {
        "status": resp.status,
        "reason": resp.reason,
        "version": resp.version,
        "headers": [[k, v] for k, v in resp.msg.items()],
        "chunked": bool(resp.chunked),
        # JSON readers turn integers past 2^53 into floats (or Infinity):
        # such a length is reported as its decimal string.
        "length": str(resp.length) if (resp.length or 0) > 2**53 - 1 else resp.length,
        "will_close": bool(resp.will_close),
    }


def run(data, method):
    resp = http.client.HTTPResponse(FakeSocket(data), method=method)
    out = {}
    try:
        resp.begin()
        out = head_fields(resp)
        out["body"] = resp.read().decode("latin-1")
        return out
    except http.client.IncompleteRead as e:
        expected = e.expected
        if expected is not None and expected > 2**53 - 1:
            expected = str(expected)  # as `length`: exact, not rounded by JSON readers
        out.update(error="IncompleteRead", partial=e.partial.decode("latin-1"), expected=expected)
    except http.client.BadStatusLine as e:
        # RemoteDisconnected is a BadStatusLine too: name the subclass.
        if isinstance(e, http.client.RemoteDisconnected):
            out.update(error="RemoteDisconnected")
        else:
            out.update(error="BadStatusLine", line=e.line)
    except http.client.LineTooLong as e:
        out.update(error="LineTooLong", what=str(e).rsplit("reading ", 1)[1])
    except http.client.UnknownProtocol as e:
        out.update(error="UnknownProtocol", version=e.args[0])
    except http.client.HTTPException as e:
        out.update(error=type(e).__name__, message=str(e))
    except (MemoryError, OverflowError, ValueError) as e:
        # CPython itself fails outside http.client's exceptions on absurd
        # lengths (a 2^53-byte read(), read(-5)): report it as a result so
        # one process serves every input.
        out.update(error=type(e).__name__, message=str(e))
    return out


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        data = req["input"].encode("latin-1")
        print(json.dumps(run(data, req.get("method", "GET"))), flush=True)


if __name__ == "__main__":
    main()
