// `npm start`: the example sessions of Python's http.client documentation
// ("Examples": GET, reading in chunks, a 404, HEAD, POST, PUT), run with
// httpwire against a server this demo starts on 127.0.0.1. Each step shows
// the Python statement (`>>>`), the JavaScript that runs in its place
// (`js>`), and what it printed. The docs talk to public hosts (some over
// HTTPS); here every session talks plain HTTP to the local server, and a
// note says so: no network.
import http from 'node:http';
import { once } from 'node:events';
// The package imports itself by its name (package.json "exports"), as your code would.
import { HTTPConnection, pyRepr } from 'httpwire';
import { ResponseEvent, ResponseMachine } from 'httpwire/core';

// `npm start | head` closes the pipe early: not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

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
// Printing a session: each step is the Python statement of the docs (`>>>`)
// and the JavaScript that does the same with httpwire (`js>`), then what it
// printed. The JavaScript shown is the source text of the function that
// runs (Function.prototype.toString), so what you read is what ran.

/** The body of an arrow function's source, dedented. */
function source(fn) {
  const text = fn.toString().replace(/^async\s*\(\)\s*=>\s*/, '');
  if (!text.startsWith('{')) return text.endsWith(';') ? text : `${text};`;
  const lines = text.slice(1, -1).split('\n').filter((l) => l.trim() !== '');
  const indent = Math.min(...lines.map((l) => /^ */.exec(l)[0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/**
 * A step: the docs' Python (continuation lines after '\n'), then the
 * JavaScript, run; `js` is a string for a statement of this file that is
 * not in a function (the imports at its top).
 */
async function step(python, fn) {
  const [first, ...rest] = python.split('\n');
  console.log(`>>> ${first}`);
  for (const line of rest) console.log(line ? `... ${line}` : '...');
  if (typeof fn === 'string') {
    console.log(`js> ${fn}`);
  } else if (fn) {
    const [jsFirst, ...jsRest] = source(fn).split('\n');
    console.log(`js> ${jsFirst}`);
    for (const line of jsRest) console.log(`... ${line}`);
    await fn();
  }
}
/** Where this demo departs from the docs' session. */
const note = (text) => console.log(`  [demo: ${text}]`);
const title = (text) => console.log(`\n=== ${text} ===`);

// The sessions' variables, as at the Python prompt.
let conn, r1, r2, res, response, data, data1, chunk, params, headers, BODY;
const opened = [];

async function sessions() {
  title('GET, and reading a body in chunks');
  await step('import http.client', "import { HTTPConnection, pyRepr } from 'httpwire'; // the demo's first lines");
  note(`the docs use HTTPSConnection("www.python.org"); here the demo's server, ${HOST}:${PORT}`);
  await step(`conn = http.client.HTTPConnection("${HOST}", ${PORT})`, async () => {
    conn = new HTTPConnection(HOST, PORT);
  });
  opened.push(conn);
  await step('conn.request("GET", "/")', async () => {
    await conn.request('GET', '/');
  });
  await step('r1 = conn.getresponse()', async () => {
    r1 = await conn.getresponse();
  });
  await step('print(r1.status, r1.reason)', async () => console.log(r1.status, r1.reason));
  await step('data1 = r1.read() # This will return entire content.', async () => {
    data1 = await r1.read(); // a Uint8Array
  });
  await step('len(data1)', async () => console.log(data1.length));
  await step('# The following example demonstrates reading data in chunks.');
  await step('conn.request("GET", "/")', async () => {
    await conn.request('GET', '/');
  });
  await step('r1 = conn.getresponse()', async () => {
    r1 = await conn.getresponse();
  });
  await step('while chunk := r1.read(200):\n    print(repr(chunk))\n', async () => {
    while ((chunk = await r1.read(200)).length > 0) console.log(pyRepr(chunk)); // pyRepr: Python's repr()
  });

  title('A 404');
  await step('# Example of an invalid request');
  conn.close(); // Python drops the old connection when `conn` is rebound
  note(`the docs use HTTPSConnection("docs.python.org"); here the demo's server`);
  await step(`conn = http.client.HTTPConnection("${HOST}", ${PORT})`, async () => {
    conn = new HTTPConnection(HOST, PORT);
  });
  opened.push(conn);
  await step('conn.request("GET", "/parrot.spam")', async () => {
    await conn.request('GET', '/parrot.spam');
  });
  await step('r2 = conn.getresponse()', async () => {
    r2 = await conn.getresponse();
  });
  await step('print(r2.status, r2.reason)', async () => console.log(r2.status, r2.reason));
  await step('data2 = r2.read()', async () => {
    await r2.read();
  });
  await step('conn.close()', async () => conn.close());

  title('HEAD: no body, but the headers say how long it would be');
  note(`the docs use HTTPSConnection("www.python.org"); here the demo's server`);
  await step(`conn = http.client.HTTPConnection("${HOST}", ${PORT})`, async () => {
    conn = new HTTPConnection(HOST, PORT);
  });
  opened.push(conn);
  await step('conn.request("HEAD", "/")', async () => {
    await conn.request('HEAD', '/');
  });
  await step('res = conn.getresponse()', async () => {
    res = await conn.getresponse();
  });
  await step('print(res.status, res.reason)', async () => console.log(res.status, res.reason));
  await step('data = res.read()', async () => {
    data = await res.read();
  });
  await step('print(len(data))', async () => console.log(data.length));
  await step("data == b''", async () => console.log(data.length === 0));
  await step('res.getheader("Content-Length")', async () => console.log(pyRepr(res.getheader('Content-Length'))));
  conn.close();

  title('POST with urlencoded parameters');
  await step('import http.client, urllib.parse', "import { HTTPConnection } from 'httpwire'; // URLSearchParams (urllib.parse's urlencode) is a global");
  await step("params = urllib.parse.urlencode({'@number': 12524, '@type': 'issue', '@action': 'show'})", async () => {
    params = new URLSearchParams({ '@number': 12524, '@type': 'issue', '@action': 'show' }).toString();
  });
  await step('headers = {"Content-type": "application/x-www-form-urlencoded",\n           "Accept": "text/plain"}', async () => {
    headers = { 'Content-type': 'application/x-www-form-urlencoded', Accept: 'text/plain' };
  });
  note(`the docs use HTTPConnection("bugs.python.org"); here the demo's server`);
  await step(`conn = http.client.HTTPConnection("${HOST}", ${PORT})`, async () => {
    conn = new HTTPConnection(HOST, PORT);
  });
  opened.push(conn);
  await step('conn.request("POST", "", params, headers)', async () => {
    await conn.request('POST', '', params, headers);
  });
  await step('response = conn.getresponse()', async () => {
    response = await conn.getresponse();
  });
  await step('print(response.status, response.reason)', async () => console.log(response.status, response.reason));
  await step('data = response.read()', async () => {
    data = await response.read();
  });
  await step('data', async () => console.log(pyRepr(data)));
  await step('conn.close()', async () => conn.close());

  title('PUT');
  await step('# This creates an HTTP request');
  await step('# with the content of BODY as the enclosed representation');
  await step('# for the resource http://localhost:8080/file');
  await step('BODY = "***filecontents***"', async () => {
    BODY = '***filecontents***';
  });
  note(`the docs use HTTPConnection("localhost", 8080); here the demo's server`);
  await step(`conn = http.client.HTTPConnection("${HOST}", ${PORT})`, async () => {
    conn = new HTTPConnection(HOST, PORT);
  });
  opened.push(conn);
  await step('conn.request("PUT", "/file", BODY)', async () => {
    await conn.request('PUT', '/file', BODY);
  });
  await step('response = conn.getresponse()', async () => {
    response = await conn.getresponse();
  });
  await step('print(response.status, response.reason)', async () => console.log(response.status, response.reason));
  conn.close();
}

// The core alone: no sockets, no Python names; bytes in, structure out.
async function core() {
  title('httpwire/core: the sans-IO parser on bytes (no Python counterpart)');
  const show = (fn) => {
    console.log(`js> ${source(fn).split('\n').join('\n... ')}`);
    return fn();
  };
  await show(async () => {
    const m = new ResponseMachine();
    m.receive(new TextEncoder().encode(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n'));
    m.receiveEof();
    let body = '';
    for (let e = m.next(); e !== ResponseEvent.END; e = m.next()) {
      if (e === ResponseEvent.DATA) body += new TextDecoder().decode(m.data);
      else if (e === ResponseEvent.ERROR) throw m.error;
    }
    const { status, reason, chunked } = m.head;
    console.log({ status, reason, chunked, body });
  });
}

try {
  console.log(`httpwire: the example sessions of Python's http.client docs, against http://${HOST}:${PORT}/`);
  console.log('Each step: the Python of the docs (>>>), the JavaScript that ran (js>), then what it printed.');
  await sessions();
  await core();
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  for (const conn of opened) conn.close();
  server.closeAllConnections();
  server.close();
}
