// OpenFlow cookie → the OVSDB rows behind it. ovn-controller writes the first 32 bits of a row's
// uuid (a Logical_Flow, Port_Binding, MAC_Binding…) into the cookie of every flow it makes from
// that row, and a logical flow's stage-hint holds the same 8 digits of its NB row. ovn-detrace
// pads the printed cookie to 8 digits and matches it as a uuid prefix; so do we, over either row
// shape we hold (the OVSDB client's typed cache rows, or the rows of an ovn-*ctl JSON snapshot).

/** "0x3b8ad6a3" / "3B8AD6A3" / 0x3b8ad6a3n / "0x0" → the bare lower-case hex digits without leading zeros ("0" for zero). */
export function cookieHex(cookie: string | bigint | number): string {
  const digits = typeof cookie === 'string' ? cookie.toLowerCase().replace(/^0x/, '') : BigInt(cookie).toString(16);
  const h = digits.replace(/^0+/, '');
  return h === '' ? '0' : h;
}

/**
 * The uuid prefix a cookie stands for: its hex digits padded to 8 ("" for cookie 0, which no row
 * owns). A cookie wider than 32 bits keeps all its digits and so, as in ovn-detrace, names no row.
 */
export function cookiePrefix(cookie: string | bigint | number): string {
  const h = cookieHex(cookie);
  return h === '0' ? '' : h.padStart(8, '0');
}

/** Rows indexed by the first 8 hex digits of their uuid, looked up by cookie (or stage-hint). */
export class CookieIndex<T extends { readonly _uuid: string }> {
  private readonly byPrefix = new Map<string, T[]>();

  constructor(rows: Iterable<T>) {
    for (const r of rows) {
      const k = r._uuid.slice(0, 8);
      const l = this.byPrefix.get(k);
      if (l) l.push(r);
      else this.byPrefix.set(k, [r]);
    }
  }

  /** The rows whose uuid starts with the cookie's digits; none for cookie 0 or a wider cookie. */
  find(cookie: string | bigint | number): readonly T[] {
    const p = cookiePrefix(cookie);
    // a uuid's 9th character is "-", so more than 8 digits is no uuid's prefix
    return p.length === 8 ? (this.byPrefix.get(p) ?? []) : [];
  }
}
