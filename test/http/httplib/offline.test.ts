// CPython 3.13 test_httplib.py: OfflineTest. CPython checks that __all__
// lists every documented module object; JavaScript has no __all__, so the
// port checks that the root entry exports every name in CPython's
// http.client.__all__ (taken from CPython 3.13 itself).
import { describe, it, expect } from 'vitest';
import * as client from '../../../src/index.js';
import { python313 } from '../../support/python.js';

describe('OfflineTest', () => {
  it('test_all', () => {
    const expected = python313('import http.client, json; print(json.dumps(http.client.__all__))', null) as string[];
    expect(expected).toContain('responses');
    const missing = expected.filter((name) => !(name in client));
    expect(missing).toEqual([]);
  });

  it('test_responses', () => {
    expect(client.responses[client.NOT_FOUND]).toBe('Not Found');
  });

  it('test_client_constants', () => {
    // Make sure we don't break backward compatibility with 3.4
    const expected = [
      'CONTINUE', 'SWITCHING_PROTOCOLS', 'PROCESSING', 'OK', 'CREATED', 'ACCEPTED',
      'NON_AUTHORITATIVE_INFORMATION', 'NO_CONTENT', 'RESET_CONTENT', 'PARTIAL_CONTENT',
      'MULTI_STATUS', 'IM_USED', 'MULTIPLE_CHOICES', 'MOVED_PERMANENTLY', 'FOUND', 'SEE_OTHER',
      'NOT_MODIFIED', 'USE_PROXY', 'TEMPORARY_REDIRECT', 'BAD_REQUEST', 'UNAUTHORIZED',
      'PAYMENT_REQUIRED', 'FORBIDDEN', 'NOT_FOUND', 'METHOD_NOT_ALLOWED', 'NOT_ACCEPTABLE',
      'PROXY_AUTHENTICATION_REQUIRED', 'REQUEST_TIMEOUT', 'CONFLICT', 'GONE', 'LENGTH_REQUIRED',
      'PRECONDITION_FAILED', 'CONTENT_TOO_LARGE', 'REQUEST_ENTITY_TOO_LARGE', 'URI_TOO_LONG',
      'REQUEST_URI_TOO_LONG', 'UNSUPPORTED_MEDIA_TYPE', 'RANGE_NOT_SATISFIABLE',
      'REQUESTED_RANGE_NOT_SATISFIABLE', 'EXPECTATION_FAILED', 'IM_A_TEAPOT', 'MISDIRECTED_REQUEST',
      'UNPROCESSABLE_CONTENT', 'UNPROCESSABLE_ENTITY', 'LOCKED', 'FAILED_DEPENDENCY',
      'UPGRADE_REQUIRED', 'PRECONDITION_REQUIRED', 'TOO_MANY_REQUESTS',
      'REQUEST_HEADER_FIELDS_TOO_LARGE', 'UNAVAILABLE_FOR_LEGAL_REASONS', 'INTERNAL_SERVER_ERROR',
      'NOT_IMPLEMENTED', 'BAD_GATEWAY', 'SERVICE_UNAVAILABLE', 'GATEWAY_TIMEOUT',
      'HTTP_VERSION_NOT_SUPPORTED', 'INSUFFICIENT_STORAGE', 'NOT_EXTENDED',
      'NETWORK_AUTHENTICATION_REQUIRED', 'EARLY_HINTS', 'TOO_EARLY',
    ];
    for (const name of expected) expect(name in client, name).toBe(true);
  });
});
