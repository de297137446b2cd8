// Finds complete top-level JSON values in a byte stream. OVSDB (RFC 7047) sends JSON-RPC
// messages back to back with no length prefix or delimiter, so a reader has to track nesting
// to know where one message ends. We scan bytes, not characters: every structural character
// (braces, brackets, quotes, backslash) is ASCII and never appears inside a multibyte UTF-8
// sequence, so a character split across chunks is harmless, and we decode a message only once
// it is complete. This runs on every byte a monitor receives, so the string body (most of the
// bytes: uuids, names, matches) is skipped with indexOf rather than byte by byte.
import { OvsdbProtocolError } from './errors';
import type { JsonValue } from './json-value';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

export interface JsonStreamOptions {
  /** a message larger than this is a protocol violation (protects memory from a runaway peer) */
  maxMessageBytes?: number;
}

export class JsonStreamScanner {
  private readonly maxMessageBytes: number;
  /** bytes of the current, incomplete value from earlier chunks */
  private parts: Buffer[] = [];
  private partBytes = 0;
  private depth = 0;
  private inString = false;
  /** the previous byte was a backslash inside a string (may straddle chunks) */
  private escaped = false;
  private failed: OvsdbProtocolError | undefined;

  constructor(opts: JsonStreamOptions = {}) {
    this.maxMessageBytes = opts.maxMessageBytes ?? 512 * 1024 * 1024;
  }

  /** Bytes of a value begun but not finished: non-zero at end of stream means a half message. */
  get pendingBytes(): number {
    return this.depth > 0 ? this.partBytes : 0;
  }

  /**
   * Feeds one chunk; returns the values it completed, in order. Throws OvsdbProtocolError on bytes
   * that cannot begin a JSON-RPC message or on a value that is not valid JSON; the scanner stays
   * failed after that (the stream has lost its framing and cannot be trusted).
   */
  push(chunk: Buffer): JsonValue[] {
    if (this.failed) throw this.failed;
    const out: JsonValue[] = [];
    const n = chunk.length;
    let start = this.depth > 0 ? 0 : -1;
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    let nextBackslash = -2; // lazily found position of the next backslash in this chunk
    let i = 0;
    while (i < n) {
      if (inString) {
        if (escaped) {
          escaped = false;
          i++;
          continue;
        }
        const q = chunk.indexOf(QUOTE, i);
        if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = chunk.indexOf(BACKSLASH, i);
        if (nextBackslash !== -1 && (q === -1 || nextBackslash < q)) {
          escaped = true;
          i = nextBackslash + 1;
          continue;
        }
        if (q === -1) {
          i = n;
          break;
        }
        inString = false;
        i = q + 1;
        continue;
      }
      const c = chunk[i];
      if (c === QUOTE) {
        if (depth === 0) this.fail(chunk, i, 'a bare string where a message should start');
        inString = true;
      } else if (c === LBRACE || c === LBRACKET) {
        if (depth === 0) start = i;
        depth++;
      } else if (c === RBRACE || c === RBRACKET) {
        if (depth === 0) this.fail(chunk, i, `an unmatched "${String.fromCharCode(c)}"`);
        depth--;
        if (depth === 0) {
          out.push(this.parse(chunk, start, i + 1));
          start = -1;
        }
      } else if (depth === 0 && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        this.fail(chunk, i, 'bytes that are not a JSON-RPC message');
      }
      i++;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    if (depth > 0) {
      const rest = chunk.subarray(start);
      this.parts.push(rest);
      this.partBytes += rest.length;
      if (this.partBytes > this.maxMessageBytes) {
        this.failed = new OvsdbProtocolError(`a message exceeded ${this.maxMessageBytes} bytes without ending: closing the connection`);
        throw this.failed;
      }
    }
    return out;
  }

  private parse(chunk: Buffer, start: number, end: number): JsonValue {
    let text: string;
    if (this.parts.length === 0) {
      text = chunk.toString('utf8', start, end);
    } else {
      this.parts.push(chunk.subarray(0, end));
      text = Buffer.concat(this.parts).toString('utf8');
      this.parts = [];
      this.partBytes = 0;
    }
    try {
      return JSON.parse(text) as JsonValue;
    } catch (e) {
      this.failed = new OvsdbProtocolError(`received a message that is not valid JSON (${(e as Error).message}): ${snippet(text)}`);
      throw this.failed;
    }
  }

  private fail(chunk: Buffer, at: number, what: string): never {
    this.failed = new OvsdbProtocolError(`received ${what}: ${snippet(chunk.toString('utf8', at, Math.min(chunk.length, at + 60)))}`);
    throw this.failed;
  }
}

function snippet(text: string): string {
  const t = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return JSON.stringify(t);
}
