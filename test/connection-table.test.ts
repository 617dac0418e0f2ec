// The client connection's state table (src/core/connection.ts), row by
// row: every (state, event) pair is checked against the table written out
// below, the rows that hold only while nothing of the request was written
// are checked both ways, and the rows CPython has are exactly its
// http.client's (the rest are marked as httpwire's own).
import { describe, expect, it } from 'vitest';
import { CONNECTION_ROWS, ConnectionEvent, ConnectionState, nextState } from '../src/core/index.js';

const IDLE = ConnectionState.IDLE;
const STARTED = ConnectionState.REQUEST_STARTED;
const SENT = ConnectionState.REQUEST_SENT;
const STATES: [string, ConnectionState][] = [
  ['IDLE', IDLE],
  ['REQUEST_STARTED', STARTED],
  ['REQUEST_SENT', SENT],
];
const EVENTS: [string, ConnectionEvent][] = [
  ['START_REQUEST', ConnectionEvent.START_REQUEST],
  ['PUT_HEADER', ConnectionEvent.PUT_HEADER],
  ['END_HEADERS', ConnectionEvent.END_HEADERS],
  ['READ_RESPONSE', ConnectionEvent.READ_RESPONSE],
  ['RESPONSE_HEAD', ConnectionEvent.RESPONSE_HEAD],
  ['CLOSE', ConnectionEvent.CLOSE],
  ['REFUSED', ConnectionEvent.REFUSED],
  ['CONNECT_FAILED', ConnectionEvent.CONNECT_FAILED],
  ['PEER_CLOSED', ConnectionEvent.PEER_CLOSED],
  ['RESPONSE_FAILED', ConnectionEvent.RESPONSE_FAILED],
  ['ABORT', ConnectionEvent.ABORT],
];

// The whole table: next state from IDLE, REQUEST_STARTED, REQUEST_SENT;
// '-' no row, '*' only while no byte of the request was written.
const TABLE: Record<string, [string, string, string]> = {
  START_REQUEST: ['REQUEST_STARTED', '-', '-'],
  PUT_HEADER: ['-', 'REQUEST_STARTED', '-'],
  END_HEADERS: ['-', 'REQUEST_SENT', '-'],
  READ_RESPONSE: ['-', '-', 'REQUEST_SENT'],
  RESPONSE_HEAD: ['-', '-', 'IDLE'],
  CLOSE: ['IDLE', 'IDLE', 'IDLE'],
  REFUSED: ['-', 'IDLE', '-'],
  CONNECT_FAILED: ['-', '-', 'IDLE*'],
  PEER_CLOSED: ['-', '-', 'REQUEST_SENT*'],
  RESPONSE_FAILED: ['-', '-', 'IDLE'],
  ABORT: ['IDLE', 'IDLE', 'IDLE'],
};

const stateName = (s: number) => (s < 0 ? '-' : STATES.find(([, v]) => v === s)![0]);
const eventName = (e: number) => EVENTS.find(([, v]) => v === e)![0];

describe('connection table', () => {
  for (const [event, e] of EVENTS) {
    STATES.forEach(([state, s], column) => {
      const cell = TABLE[event]![column]!;
      it(`${state} x ${event} -> ${cell}`, () => {
        const to = cell.replace('*', '');
        // Nothing written yet: the row holds (or there is none).
        expect(stateName(nextState(s, e, false))).toBe(to);
        // Something written: a '*' row no longer holds; the others do not care.
        expect(stateName(nextState(s, e, true))).toBe(cell.endsWith('*') ? '-' : to);
        // The default is "nothing written".
        expect(nextState(s, e)).toBe(nextState(s, e, false));
      });
    });
  }

  it('lists every row once, and each as the table above says', () => {
    const seen = new Set<string>();
    for (const row of CONNECTION_ROWS) {
      const key = `${row.from}/${row.event}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      const cell = TABLE[eventName(row.event)]![row.from]!;
      expect(stateName(row.to) + (row.unwritten ? '*' : '')).toBe(cell);
    }
    const cells = Object.values(TABLE).flat().filter((c) => c !== '-').length;
    expect(seen.size).toBe(cells);
  });

  it("marks as CPython's exactly http.client's transitions, and the recovery rows as httpwire's own", () => {
    const rows = (own: boolean) =>
      CONNECTION_ROWS.filter((r) => Boolean(r.own) === own)
        .map((r) => `${stateName(r.from)} ${eventName(r.event)} ${stateName(r.to)}`)
        .sort();
    // CPython 3.13: putrequest needs _CS_IDLE, putheader and endheaders
    // _CS_REQ_STARTED, getresponse _CS_REQ_SENT and leaves _CS_IDLE after
    // begin(); close() sets _CS_IDLE from anywhere.
    expect(rows(false)).toEqual(
      [
        'IDLE START_REQUEST REQUEST_STARTED',
        'REQUEST_STARTED PUT_HEADER REQUEST_STARTED',
        'REQUEST_STARTED END_HEADERS REQUEST_SENT',
        'REQUEST_SENT READ_RESPONSE REQUEST_SENT',
        'REQUEST_SENT RESPONSE_HEAD IDLE',
        'IDLE CLOSE IDLE',
        'REQUEST_STARTED CLOSE IDLE',
        'REQUEST_SENT CLOSE IDLE',
      ].sort(),
    );
    // Where CPython stays stuck (docs/differences.md), httpwire recovers.
    expect(rows(true)).toEqual(
      [
        'REQUEST_STARTED REFUSED IDLE',
        'REQUEST_SENT CONNECT_FAILED IDLE',
        'REQUEST_SENT PEER_CLOSED REQUEST_SENT',
        'REQUEST_SENT RESPONSE_FAILED IDLE',
        'IDLE ABORT IDLE',
        'REQUEST_STARTED ABORT IDLE',
        'REQUEST_SENT ABORT IDLE',
      ].sort(),
    );
    // Only the two rows about the transport depend on what was written.
    expect(CONNECTION_ROWS.filter((r) => r.unwritten).map((r) => eventName(r.event)).sort()).toEqual(['CONNECT_FAILED', 'PEER_CLOSED']);
  });

  it('walks a request, a refused one and a failed one as the client does', () => {
    const walk = (start: ConnectionState, events: ConnectionEvent[], written = false) =>
      events.reduce<number>((s, e) => (s < 0 ? s : nextState(s as ConnectionState, e, written)), start);
    const E = ConnectionEvent;
    expect(walk(IDLE, [E.START_REQUEST, E.PUT_HEADER, E.PUT_HEADER, E.END_HEADERS, E.READ_RESPONSE, E.RESPONSE_HEAD])).toBe(IDLE);
    expect(walk(IDLE, [E.START_REQUEST, E.PUT_HEADER, E.REFUSED, E.START_REQUEST])).toBe(STARTED);
    expect(walk(IDLE, [E.START_REQUEST, E.END_HEADERS, E.CONNECT_FAILED, E.START_REQUEST])).toBe(STARTED);
    // Once a byte went out, a failed connect is no way back: only close.
    expect(walk(IDLE, [E.START_REQUEST, E.END_HEADERS, E.CONNECT_FAILED], true)).toBe(-1);
    // A second request before the response was read is refused (CannotSendRequest).
    expect(walk(IDLE, [E.START_REQUEST, E.END_HEADERS, E.START_REQUEST])).toBe(-1);
    // getresponse() with no request sent (ResponseNotReady).
    expect(walk(IDLE, [E.READ_RESPONSE])).toBe(-1);
  });
});
