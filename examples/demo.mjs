// `npm start`: the example sessions of Python's http.client documentation
// ("Examples": GET, reading in chunks, a 404, HEAD, POST, PUT), run with
// httpwire against a server this demo starts on 127.0.0.1. Each Python
// statement is printed as a `>>>` line, followed by what httpwire printed,
// in Python's format. The docs talk to public hosts (some over HTTPS); here
// every session talks plain HTTP to the local server, and a note says so.
import http from 'node:http';
import { once } from 'node:events';
import { HTTPConnection, pyRepr, pyStr } from '../dist/index.js';
import { ResponseEvent, ResponseMachine } from '../dist/core/index.js';

// ---------------------------------------------------------------------------
// The server: a stand-in for www.python.org, docs.python.org,
// bugs.python.org and the docs' localhost:8080.

const PAGE = `<!doctype html>
<!--[if lt IE 7]>   <html class="no-js ie6 lt-ie7 lt-ie8 lt-ie9">   <![endif]-->
<!--[if gt IE 8]><!--><html class="no-js" lang="en" dir="ltr">  <!--<![endif]-->
<head>
    <meta charset="utf-8">
    <title>Welcome to the httpwire demo server</title>
</head>
<body>
    <h1>It works</h1>
    <p>This page was read by httpwire, 200 bytes at a time.</p>
    <ul>
        <li><a href="/parrot.spam">a page that is not here</a></li>
        <li><a href="/issue12524">issue 12524</a></li>
    </ul>
</body>
</html>
`;
const NOT_FOUND_PAGE = '<!doctype html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n';

function answer(res, status, body = '', type = 'text/html; charset=utf-8', extra = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

async function route(req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks).toString('latin1');
  const where = `${req.method} ${req.url}`;
  if (where === 'GET /' || where === 'HEAD /') return answer(res, 200, PAGE);
  if (where === 'POST /') {
    // bugs.python.org answered the docs' form with a redirect to the issue.
    const form = new URLSearchParams(body);
    if (form.get('@action') !== 'show' || !form.get('@number')) return answer(res, 400, 'Bad form\n', 'text/plain');
    const url = `http://${req.headers.host}/issue${form.get('@number')}`;
    return answer(res, 302, `Redirecting to <a href="${url}">${url}</a>`, 'text/html', { Location: url });
  }
  if (where === 'PUT /file' && body) return answer(res, 200);
  return answer(res, 404, NOT_FOUND_PAGE);
}

const server = http.createServer((req, res) => {
  route(req, res).catch(() => res.destroy());
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const HOST = '127.0.0.1';
const { port: PORT } = server.address();

// ---------------------------------------------------------------------------
// Printing a session the way the docs show it.

/** A statement typed at the Python prompt (continuation lines after '\n'). */
function py(statement) {
  const [first, ...rest] = statement.split('\n');
  console.log(`>>> ${first}`);
  for (const line of rest) console.log(line ? `... ${line}` : '...');
}
/** Python's print(): str() of each argument, joined by spaces. */
const print = (...values) => console.log(values.map(pyStr).join(' '));
/** What the prompt echoes for an expression: its repr(). */
const echo = (value) => console.log(pyRepr(value));
/** Where this demo departs from the docs' session. */
const note = (text) => console.log(`  [demo: ${text}]`);
const title = (text) => console.log(`\n=== ${text} ===`);
const LOCAL = `HTTPConnection("${HOST}", ${PORT})`;

const opened = [];
/**
 * `conn = http.client.HTTPConnection(...)`: the docs' host is `docsHost`;
 * the demo connects to its own server instead, and says so.
 */
function connect(docsHost) {
  note(`the docs use ${docsHost}; here ${LOCAL}, the demo's server`);
  py(`conn = http.client.${LOCAL}`);
  const conn = new HTTPConnection(HOST, PORT);
  opened.push(conn); // so that the demo can close it however it ends
  return conn;
}

/**
 * `conn.request(<args>)`, `<name> = conn.getresponse()` and, with
 * `status`, `print(<name>.status, <name>.reason)`.
 */
async function exchange(conn, name, pyArgs, args, status = true) {
  py(`conn.request(${pyArgs})`);
  await conn.request(...args);
  py(`${name} = conn.getresponse()`);
  const response = await conn.getresponse();
  if (status) {
    py(`print(${name}.status, ${name}.reason)`);
    print(response.status, response.reason);
  }
  return response;
}

async function sessions() {
  title('GET, and reading a body in chunks');
  py('import http.client');
  let conn = connect('HTTPSConnection("www.python.org")');
  let r1 = await exchange(conn, 'r1', '"GET", "/"', ['GET', '/']);
  py('data1 = r1.read() # This will return entire content.');
  const data1 = await r1.read();
  py('len(data1)');
  echo(data1.length);
  py('# The following example demonstrates reading data in chunks.');
  r1 = await exchange(conn, 'r1', '"GET", "/"', ['GET', '/'], false);
  py('while chunk := r1.read(200):\n    print(repr(chunk))\n');
  for (let chunk; (chunk = await r1.read(200)).length > 0; ) echo(chunk);

  title('A 404');
  py('# Example of an invalid request');
  conn.close(); // Python drops the old connection when `conn` is rebound
  conn = connect('HTTPSConnection("docs.python.org")');
  const r2 = await exchange(conn, 'r2', '"GET", "/parrot.spam"', ['GET', '/parrot.spam']);
  py('data2 = r2.read()');
  await r2.read();
  py('conn.close()');
  conn.close();

  title('HEAD: no body, but the headers say how long it would be');
  py('import http.client');
  conn = connect('HTTPSConnection("www.python.org")');
  const res = await exchange(conn, 'res', '"HEAD", "/"', ['HEAD', '/']);
  py('data = res.read()');
  const data = await res.read();
  py('print(len(data))');
  print(data.length);
  py("data == b''");
  echo(data.length === 0);
  py('res.getheader("Content-Length")');
  echo(res.getheader('Content-Length'));
  conn.close();

  title('POST with urlencoded parameters');
  py('import http.client, urllib.parse');
  py("params = urllib.parse.urlencode({'@number': 12524, '@type': 'issue', '@action': 'show'})");
  const params = new URLSearchParams({ '@number': 12524, '@type': 'issue', '@action': 'show' }).toString();
  py('headers = {"Content-type": "application/x-www-form-urlencoded",\n           "Accept": "text/plain"}');
  const headers = { 'Content-type': 'application/x-www-form-urlencoded', Accept: 'text/plain' };
  conn = connect('HTTPConnection("bugs.python.org")');
  const response = await exchange(conn, 'response', '"POST", "", params, headers', ['POST', '', params, headers]);
  py('data = response.read()');
  const posted = await response.read();
  py('data');
  echo(posted);
  py('conn.close()');
  conn.close();

  title('PUT');
  py('# This creates an HTTP request');
  py('# with the content of BODY as the enclosed representation');
  py('# for the resource http://localhost:8080/file');
  py('import http.client');
  py('BODY = "***filecontents***"');
  const BODY = '***filecontents***';
  conn = connect('HTTPConnection("localhost", 8080)');
  await exchange(conn, 'response', '"PUT", "/file", BODY', ['PUT', '/file', BODY]);
  conn.close();
}

// The core alone: no sockets, no Python names; bytes in, structure out.
function core() {
  title('httpwire/core: the sans-IO parser on bytes');
  const bytes = new TextEncoder().encode(
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n',
  );
  const machine = new ResponseMachine();
  machine.receive(bytes);
  machine.receiveEof();
  const body = [];
  for (let e = machine.next(); e !== ResponseEvent.END; e = machine.next()) {
    if (e === ResponseEvent.DATA) body.push(new TextDecoder().decode(machine.data));
    else if (e === ResponseEvent.ERROR) throw machine.error;
  }
  const { status, reason, chunked } = machine.head;
  console.log(`ResponseMachine over <${bytes.length} bytes> ->`, { status, reason, chunked, body: body.join('') });
}

try {
  console.log(`httpwire: the example sessions of Python's http.client docs, against http://${HOST}:${PORT}/`);
  await sessions();
  core();
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  for (const conn of opened) conn.close();
  server.closeAllConnections();
  server.close();
}
