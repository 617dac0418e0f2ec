"""An HTTP/1.1 server that answers every request with what it received.

Started by test/support/servers.ts as `python3 -u echo_server.py`; binds
127.0.0.1 on a free port and prints "port N" once it listens. The answer is
JSON: method, path, request version, the header lines as sent (name, value
pairs in order), the body (decoded from Content-Length or from chunked
framing, as Latin-1 text), whether it came chunked, its trailer lines, and
the client's port (the same port on two answers means one connection).
Keep-alive unless the client asks for close.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 64 * 1024 * 1024
MAX_LINES = 10_000


class EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "httpwire-echo/1"

    def log_message(self, format, *args):
        pass

    def read_chunked(self):
        body = bytearray()
        for _ in range(MAX_LINES):
            size_line = self.rfile.readline(1024)
            size = int(size_line.split(b";", 1)[0].strip(), 16)
            if size == 0:
                break
            if len(body) + size > MAX_BODY:
                raise ValueError("body too large")
            body += self.rfile.read(size)
            self.rfile.readline(1024)  # the CRLF after the data
        else:
            raise ValueError("too many chunks")
        trailers = []
        for _ in range(MAX_LINES):
            line = self.rfile.readline(65537)
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            trailers.append([name, value.strip()])
        return bytes(body), trailers

    def echo(self, send_body=True):
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        trailers = []
        if chunked:
            body, trailers = self.read_chunked()
        else:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise ValueError("body too large")
            body = self.rfile.read(length)
        answer = json.dumps({
            "method": self.command,
            "path": self.path,
            "version": self.request_version,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": body.decode("latin-1"),
            "chunked": chunked,
            "trailers": trailers,
            "client_port": self.client_address[1],
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        if send_body:
            self.wfile.write(answer)

    def do_HEAD(self):
        self.echo(send_body=False)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = echo


class Server(ThreadingHTTPServer):
    daemon_threads = True


def main():
    server = Server(("127.0.0.1", 0), EchoHandler)
    print("port", server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
