// What email.feedparser does after the header fields, for str(msg): where
// the header section ends, the envelope `From ` line, and the payload.

/** email.feedparser.headerRE: a line the parser reads as part of the header section. */
const HEADER_LINE = /^(From |[\x21-\x39\x3b-\x7e]*:|[\t ])/;

export interface Tail {
  /** The envelope `From ` line when it is the first line (Message.get_unixfrom()). */
  unixfrom: string | undefined;
  /** What the email parser keeps as the payload (only malformed heads have one). */
  payload: string;
}

/**
 * Where Python's email feed parser ends the header section of `text` (the
 * header bytes, Latin-1): the fields themselves come from the core; this
 * finds only the envelope line and the payload, which CPython keeps and
 * prints in str(msg). The section ends at an empty line (dropped) or at the
 * first line that is neither a header, a continuation nor a `From ` line
 * (kept in the payload). A `From ` line that is the last of several header
 * lines is pushed back to the payload (FeedParser._parse_headers).
 */
export function scanTail(text: string): Tail {
  const lines = text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
  let end = lines.length;
  let payloadFrom = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!HEADER_LINE.test(line)) {
      end = i;
      payloadFrom = line[0] === '\r' || line[0] === '\n' ? i + 1 : i;
      break;
    }
  }
  let unixfrom: string | undefined;
  if (end > 0 && lines[0]!.startsWith('From ')) unixfrom = lines[0]!.replace(/(\r\n|\r|\n)$/, '');
  let payload = lines.slice(payloadFrom).join('');
  if (end > 1 && lines[end - 1]!.startsWith('From ')) payload = lines[end - 1]! + payload;
  return { unixfrom, payload };
}
