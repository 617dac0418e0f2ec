// The client connection's states as a table (h11's idea, h11/_state.py):
// state x event -> next state. Pure data and one lookup; no I/O. The http
// layer asks the table before it changes anything and raises the Python
// exception itself where the table has no row.
//
//            START_REQUEST          END_HEADERS
//   IDLE ──────────────> STARTED ──────────────> SENT ──RESPONSE_HEAD──> IDLE
//    ^                  (PUT_HEADER)          (READ_RESPONSE,
//    │                                         PEER_CLOSED*)
//    └──── CLOSE, ABORT from any state; REFUSED from STARTED;
//          CONNECT_FAILED*, RESPONSE_FAILED from SENT
//
// The rows CPython has are its http.client's (`_CS_IDLE`, `_CS_REQ_STARTED`,
// `_CS_REQ_SENT`). The rows marked `own` are httpwire's: CPython leaves the
// connection stuck in those cases (every later request raises until
// close()), which docs/differences.md lists as a bug we do not copy.
// A row marked * holds only while no byte of the current request has
// reached the transport (`written` false): after that the byte stream is
// committed and only closing can recover it.

/** Where a client connection is. */
export const enum ConnectionState {
  /** No request in progress: a new one may start. */
  IDLE = 0,
  /** A request line was made; header lines may be added. */
  REQUEST_STARTED = 1,
  /** The head is complete and goes (or went) out; the response is next. */
  REQUEST_SENT = 2,
}

/** What happens to a client connection. */
export const enum ConnectionEvent {
  /** A request line is made (putrequest). */
  START_REQUEST = 0,
  /** A header line is added (putheader). */
  PUT_HEADER = 1,
  /** The head is complete and is sent (endheaders). */
  END_HEADERS = 2,
  /** The response is about to be read (getresponse). */
  READ_RESPONSE = 3,
  /** A final response head was read: the connection can take the next request. */
  RESPONSE_HEAD = 4,
  /** The connection is closed (close()); the next request reopens it. */
  CLOSE = 5,
  /** The request was refused before its head went out (a bad header, a body that cannot be encoded). */
  REFUSED = 6,
  /** Opening the transport failed before a byte of the request was written. */
  CONNECT_FAILED = 7,
  /** The peer closed a kept-alive transport before a byte of the request was written. */
  PEER_CLOSED = 8,
  /** Reading the response head failed (a broken status line, a timeout, no transport). */
  RESPONSE_FAILED = 9,
  /** A caller's AbortSignal fired during a call. */
  ABORT = 10,
}

/** One row of the table. */
export interface ConnectionRow {
  readonly from: ConnectionState;
  readonly event: ConnectionEvent;
  readonly to: ConnectionState;
  /** The row holds only while no byte of the request was written. */
  readonly unwritten?: true;
  /** httpwire's own row: CPython has none here, and stays stuck in `from`. */
  readonly own?: true;
}

// Short names for the rows below (const enum members inline).
const IDLE = ConnectionState.IDLE;
const STARTED = ConnectionState.REQUEST_STARTED;
const SENT = ConnectionState.REQUEST_SENT;

/** Every row; an event with no row in a state is refused there. */
export const CONNECTION_ROWS: readonly ConnectionRow[] = [
  // CPython's rows.
  { from: IDLE, event: ConnectionEvent.START_REQUEST, to: STARTED },
  { from: STARTED, event: ConnectionEvent.PUT_HEADER, to: STARTED },
  { from: STARTED, event: ConnectionEvent.END_HEADERS, to: SENT },
  { from: SENT, event: ConnectionEvent.READ_RESPONSE, to: SENT },
  { from: SENT, event: ConnectionEvent.RESPONSE_HEAD, to: IDLE },
  { from: IDLE, event: ConnectionEvent.CLOSE, to: IDLE },
  { from: STARTED, event: ConnectionEvent.CLOSE, to: IDLE },
  { from: SENT, event: ConnectionEvent.CLOSE, to: IDLE },
  // httpwire's own rows.
  // Validation refused the request after putrequest (a header, the body's
  // encoding): nothing was written, so the next request may start.
  { from: STARTED, event: ConnectionEvent.REFUSED, to: IDLE, own: true },
  // The connect (or the tunnel) failed under endheaders: nothing of the
  // request went out, so the connection is as if it had never started.
  { from: SENT, event: ConnectionEvent.CONNECT_FAILED, to: IDLE, unwritten: true, own: true },
  // nginx's keepalive_timeout or a proxy closed the kept-alive transport
  // while idle: it is replaced before the first byte, and the request goes
  // out on a new one. CPython cannot see the FIN and fails on the write.
  { from: SENT, event: ConnectionEvent.PEER_CLOSED, to: SENT, unwritten: true, own: true },
  // A failed response leaves the byte stream out of step: the connection
  // is closed, and the next request opens a new one.
  { from: SENT, event: ConnectionEvent.RESPONSE_FAILED, to: IDLE, own: true },
  // An abort closes the connection wherever it was (beyond Python).
  { from: IDLE, event: ConnectionEvent.ABORT, to: IDLE, own: true },
  { from: STARTED, event: ConnectionEvent.ABORT, to: IDLE, own: true },
  { from: SENT, event: ConnectionEvent.ABORT, to: IDLE, own: true },
];

const STATES = 3;
const EVENTS = 11;
/** next state + 1 per (state, event); 0: no row. Bit 4: only while unwritten. */
const TABLE = new Uint8Array(STATES * EVENTS);
const UNWRITTEN_ONLY = 0x10;
for (const row of CONNECTION_ROWS) {
  TABLE[row.from * EVENTS + row.event] = (row.to + 1) | (row.unwritten ? UNWRITTEN_ONLY : 0);
}

/**
 * The state after `event` in `state`, or -1 where the table has no row
 * (the http layer then raises CPython's exception and changes nothing).
 * `written`: some byte of the current request reached the transport; the
 * rows marked `unwritten` no longer hold then.
 */
export function nextState(state: ConnectionState, event: ConnectionEvent, written = false): ConnectionState | -1 {
  const cell = TABLE[state * EVENTS + event]!;
  if (cell === 0 || (written && cell & UNWRITTEN_ONLY)) return -1;
  return ((cell & 0x0f) - 1) as ConnectionState;
}
