// email.errors: the exceptions HTTPMessage.as_string() can raise.

import { Exception, register } from '../python/exceptions.js';

/** Python's `email.errors.MessageError(...args)`. */
export class MessageError extends Exception {}
register(MessageError, 'MessageError');

/** Python's `email.errors.MessageParseError(...args)`. */
export class MessageParseError extends MessageError {}
register(MessageParseError, 'MessageParseError');

/** Python's `email.errors.HeaderParseError(...args)`: a header value that would fold into a second header. */
export class HeaderParseError extends MessageParseError {}
register(HeaderParseError, 'HeaderParseError');

/** Python's `email.errors.HeaderWriteError(...args)` (3.13): a generated header contains a bare newline. */
export class HeaderWriteError extends MessageError {}
register(HeaderWriteError, 'HeaderWriteError');
