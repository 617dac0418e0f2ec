#!/usr/bin/env python3
"""CPython's http.server as an oracle for httpwire's request reader.

Reads JSON lines from stdin: {"input": "<latin-1 text>", "protocol": "HTTP/1.1"}.
The input is everything one client sent on one connection, EOF after it.
Writes one JSON line per input: {"requests": [...]}, one entry per request
BaseHTTPRequestHandler.handle() reads (handle_one_request until
close_connection), each one of:

- {"command", "path", "request_version", "headers", "close_connection",
   "expect_100", "chunked", "length", "body"} for a request parse_request
  accepted; its body read by http.client's own rules applied to the request
  (HTTPResponse.begin()'s chunked and length, _read_chunked, a Content-Length
  read), with "body_error" (the exception's name) instead of "body" when
  the body cannot be read;
- {"status", "message", "explain"}: what send_error sent (defaults resolved);
- {"closed": true}: the connection closed without an answer (EOF before a
  request line, or a blank request line).
"""
import http.client
import http.server
import io
import json
import sys

from oracle import ClampedReader  # this script's folder is on sys.path


class KeepOpen:
    """The connection's file as HTTPResponse sees it: _read_chunked closes
    its fp at the end of the body, but the next request follows on it."""

    def __init__(self, f):
        self.f = f

    def readline(self, *args):
        return self.f.readline(*args)

    def read(self, *args):
        return self.f.read(*args)

    def close(self):
        pass


class Handler(http.server.BaseHTTPRequestHandler):
    def __init__(self, rfile, protocol):
        # No socket, no server: only what parse_request and send_error use.
        self.rfile = rfile
        self.wfile = io.BytesIO()
        self.protocol_version = protocol
        self.client_address = ("127.0.0.1", 0)
        self.close_connection = True
        self.requestline = ""
        self.request_version = ""
        self.command = ""
        self.sent_error = None
        self.sent_continue = False

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        short, long = self.responses.get(code, ("???", "???"))
        self.sent_error = {
            "status": int(code),
            "message": short if message is None else message,
            "explain": long if explain is None else explain,
        }
        super().send_error(code, message, explain)

    def handle_expect_100(self):
        self.sent_continue = True
        return super().handle_expect_100()


def read_body(h):
    """The body as http.client frames a message with these headers."""
    te = h.headers.get("transfer-encoding")
    chunked = te is not None and te.lower() == "chunked"
    length = None
    cl = h.headers.get("content-length")
    if cl and not chunked:
        try:
            length = int(cl)
        except ValueError:
            length = None
        else:
            if length < 0:
                length = None
    # A length past 2^53-1 cannot survive JSON readers (httpwire clamps it
    # there, docs/differences.md): reported as "huge".
    out = {"chunked": chunked, "length": "huge" if (length or 0) > 2**53 - 1 else length}
    if chunked:
        resp = http.client.HTTPResponse.__new__(http.client.HTTPResponse)
        resp.fp = KeepOpen(h.rfile)
        resp.chunked = True
        resp.chunk_left = None
        resp.length = None
        try:
            out["body"] = resp._read_chunked().decode("latin-1")
        except http.client.HTTPException as e:  # IncompleteRead, LineTooLong
            out["body_error"] = type(e).__name__
        except (ValueError, OverflowError):
            # A negative chunk size: _safe_read(-n) makes read() raise these,
            # outside http.client's exceptions. httpwire refuses the size line
            # as IncompleteRead (docs/differences.md, "A negative chunk size").
            out["body_error"] = "IncompleteRead"
    elif length:
        data = h.rfile.read(length)
        if len(data) < length:
            out["body_error"] = "IncompleteRead"
        else:
            out["body"] = data.decode("latin-1")
    else:
        out["body"] = ""
    return out


def run(data, protocol):
    rfile = ClampedReader(io.BytesIO(data), len(data))
    results = []
    while True:
        h = Handler(rfile, protocol)
        # handle_one_request, step by step, to see which way it went.
        h.raw_requestline = rfile.readline(65537)
        if len(h.raw_requestline) > 65536:
            h.send_error(414)
            results.append(h.sent_error)
            break
        if not h.raw_requestline:
            results.append({"closed": True})
            break
        if not h.parse_request():
            results.append(h.sent_error or {"closed": True})
            break
        r = {
            "command": h.command,
            "path": h.path,
            "request_version": h.request_version,
            "headers": [[k, v] for k, v in h.headers.items()],
            "close_connection": bool(h.close_connection),
            "expect_100": h.sent_continue,
        }
        r.update(read_body(h))
        results.append(r)
        if h.close_connection or "body_error" in r:
            break
    return {"requests": results}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        print(json.dumps(run(req["input"].encode("latin-1"), req.get("protocol", "HTTP/1.1"))), flush=True)


if __name__ == "__main__":
    main()
