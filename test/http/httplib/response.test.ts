// CPython 3.13 test_httplib.py: HTTPResponseTest (getheader and its
// default), over the in-memory transport.
import { describe, it, expect, beforeEach } from 'vitest';
import { HTTPResponse } from '../../../src/index.js';
import { fakeSocket } from './support.js';

describe('HTTPResponseTest', () => {
  let resp: HTTPResponse;

  beforeEach(async () => {
    const body =
      'HTTP/1.1 200 Ok\r\nMy-Header: first-value\r\nMy-Header: ' +
      '                second-value\r\n\r\nText';
    resp = new HTTPResponse(fakeSocket(body));
    await resp.begin();
  });

  it('test_getting_header', () => {
    expect(resp.getheader('My-Header')).toBe('first-value, second-value');
    expect(resp.getheader('My-Header', 'some default')).toBe('first-value, second-value');
  });

  it('test_getting_nonexistent_header_with_string_default', () => {
    expect(resp.getheader('No-Such-Header', 'default-value')).toBe('default-value');
  });

  it('test_getting_nonexistent_header_with_iterable_default', () => {
    expect(resp.getheader('No-Such-Header', ['default', 'values'])).toBe('default, values');
    // a tuple: a frozen array
    expect(resp.getheader('No-Such-Header', Object.freeze(['default', 'values']))).toBe('default, values');
  });

  it('test_getting_nonexistent_header_without_default', () => {
    expect(resp.getheader('No-Such-Header')).toBeNull();
  });

  it('test_getting_header_defaultint', () => {
    expect(resp.getheader('No-Such-Header', 42)).toBe(42);
  });
});
