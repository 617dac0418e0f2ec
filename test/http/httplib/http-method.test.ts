// CPython 3.13 test_httplib.py: HttpMethodTests, over the in-memory transport.
import { describe, it, expect } from 'vitest';
import { HTTPConnection, ValueError as PyValueError, pyRepr } from '../../../src/index.js';
import { fakeSocket, thrown } from './support.js';

describe('HttpMethodTests', () => {
  it('test_invalid_method_names', async () => {
    const methods = [
      'GET\r',
      'POST\n',
      'PUT\n\r',
      'POST\nValue',
      'POST\nHOST:abc',
      'GET\nrHost:abc\n',
      'POST\rRemainder:\r',
      'GET\rHOST:\n',
      '\nPUT',
    ];
    for (const method of methods) {
      const conn = new HTTPConnection('example.com');
      conn.sock = fakeSocket(null);
      const e = await thrown(() => conn.request(method, '/'));
      expect(e, JSON.stringify(method)).toBeInstanceOf(PyValueError);
      // CPython: the method's repr and the first control character found.
      const found = /[\x00-\x1f]/.exec(method)![0];
      expect((e as Error).message).toBe(
        `method can't contain control characters. ${pyRepr(method)} (found at least ${pyRepr(found)})`,
      );
    }
  });
});
