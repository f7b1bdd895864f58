/**
 * UTF-8 the way Paimon's Java `BinaryString` does it. Strings are JS (UTF-16) strings
 * internally, but everything persisted, hashed or compared works on their UTF-8 bytes,
 * so encoding, ordering and code-point counting must agree with Java byte for byte.
 */

const QUESTION_MARK = 0x3f;

/**
 * Worst-case UTF-8 size of a JS string: 3 bytes per UTF-16 unit (a surrogate pair is two
 * units and encodes to 4 bytes, so 3 per unit still bounds it).
 */
export function utf8MaxBytes(s: string): number {
  return s.length * 3;
}

/**
 * Encodes `s` into `out` at `pos` and returns the number of bytes written. `out` must
 * have `utf8MaxBytes(s)` bytes free. A lone surrogate becomes `?`, as Java's
 * `String.getBytes(UTF_8)` (and therefore `BinaryString.fromString`) does; the
 * standard TextEncoder would write U+FFFD instead and change hashes.
 */
export function utf8EncodeInto(s: string, out: Uint8Array, pos: number): number {
  const start = pos;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[pos++] = c;
    } else if (c < 0x800) {
      out[pos++] = 0xc0 | (c >> 6);
      out[pos++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        out[pos++] = 0xf0 | (c >> 18);
        out[pos++] = 0x80 | ((c >> 12) & 0x3f);
        out[pos++] = 0x80 | ((c >> 6) & 0x3f);
        out[pos++] = 0x80 | (c & 0x3f);
      } else {
        out[pos++] = QUESTION_MARK;
      }
    } else {
      out[pos++] = 0xe0 | (c >> 12);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos - start;
}

export function utf8Encode(s: string): Uint8Array {
  const buf = new Uint8Array(utf8MaxBytes(s));
  return buf.slice(0, utf8EncodeInto(s, buf, 0));
}

const decoder = new TextDecoder("utf-8");

/** Decodes UTF-8; short ASCII runs skip TextDecoder, which dominates for tiny strings. */
export function utf8Decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const len = end - start;
  if (len <= 16) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (bytes[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      let s = "";
      for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
      return s;
    }
  }
  return decoder.decode(bytes.subarray(start, end));
}

/** The code point Java's UTF-8 encoder would emit for the UTF-16 unit at `i` (lone surrogate → `?`). */
function javaCodePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0xd800 || c > 0xdfff) return c;
  if (c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
  }
  if (c >= 0xdc00 && i > 0) {
    const h = s.charCodeAt(i - 1);
    // the low half of a pair: its pair starts one unit earlier
    if (h >= 0xd800 && h <= 0xdbff) return -1;
  }
  return QUESTION_MARK;
}

/**
 * Orders strings by their UTF-8 bytes, unsigned (Java `BinaryString.compareTo`). This is
 * code-point order, which differs from JS `<` (UTF-16 unit order) once characters above
 * U+FFFF meet characters in U+E000..U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) {
    if (a.length === b.length) return 0;
    // one is a prefix of the other in UTF-16, but a split pair at the boundary changes bytes
    if (i > 0 && isHigh(a.charCodeAt(i - 1))) return compareFrom(a, b, i - 1);
    return a.length - b.length;
  }
  // step back to the start of a surrogate pair if the difference falls inside one
  if (i > 0 && isHigh(a.charCodeAt(i - 1))) i--;
  return compareFrom(a, b, i);
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function compareFrom(a: string, b: string, i: number): number {
  let ia = i;
  let ib = i;
  while (ia < a.length && ib < b.length) {
    let ca = javaCodePointAt(a, ia);
    let cb = javaCodePointAt(b, ib);
    if (ca < 0) ca = QUESTION_MARK; // orphan low half (cannot start here in practice)
    if (cb < 0) cb = QUESTION_MARK;
    if (ca !== cb) return ca - cb;
    ia += ca > 0xffff ? 2 : 1;
    ib += cb > 0xffff ? 2 : 1;
  }
  return (a.length - ia) - (b.length - ib);
}

/** Unsigned lexicographic byte order, shorter first on a common prefix (Java `SortUtil.compareBinary`). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}
