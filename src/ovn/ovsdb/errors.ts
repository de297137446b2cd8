// The errors the OVSDB client raises. Each names what went wrong and, where the user can act,
// what to do, so callers can print `message` as is.
import type { JsonValue } from './json-value';

/** An error the server returned: a JSON-RPC `error` or a failed transaction operation. */
export class OvsdbError extends Error {
  override readonly name = 'OvsdbError';
  constructor(
    /** the server's short error string, e.g. "constraint violation" or "unknown database" */
    readonly error: string,
    /** the server's explanation, when it sent one */
    readonly details?: string,
    /** for transactions: which operation failed (0-based) and the operation as sent */
    readonly operation?: { index: number; op: JsonValue },
    readonly method?: string,
  ) {
    const where = operation ? ` (operation ${operation.index}: ${describeOp(operation.op)})` : method ? ` (${method})` : '';
    super(`OVSDB error: ${error}${details ? `: ${details}` : ''}${where}`);
  }
}

/** The connection could not be made or was lost. */
export class OvsdbConnectionError extends Error {
  override readonly name = 'OvsdbConnectionError';
  constructor(message: string, readonly remote: string, override readonly cause?: unknown) {
    super(message);
  }
}

/** The peer broke the JSON-RPC/OVSDB protocol (garbage, a half message, a reply to nothing). */
export class OvsdbProtocolError extends Error {
  override readonly name = 'OvsdbProtocolError';
}

/** A request got no reply in time. */
export class OvsdbTimeoutError extends Error {
  override readonly name = 'OvsdbTimeoutError';
  constructor(readonly method: string, readonly timeoutMs: number, remote: string) {
    super(`OVSDB request "${method}" to ${remote} got no reply within ${timeoutMs} ms`);
  }
}

/** A table or column the caller asked for is not in the server's schema. */
export class OvsdbSchemaError extends Error {
  override readonly name = 'OvsdbSchemaError';
}

function describeOp(op: JsonValue): string {
  if (op && typeof op === 'object' && !Array.isArray(op)) {
    const o = op as { op?: unknown; table?: unknown };
    return [o.op, o.table].filter((x) => typeof x === 'string').join(' ');
  }
  return 'operation';
}
