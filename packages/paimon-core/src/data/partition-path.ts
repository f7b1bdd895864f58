/**
 * Partition directory names (BINARY.md §4): `k1=v1/k2=v2/`, values rendered like Java's
 * `InternalRowPartitionComputer` and escaped like `PartitionPathUtils`. Readers find files
 * by recomputing these names, so the text must match Java exactly.
 */
import type { DataType } from "../types/datatype.js";
import {
  isNullOrWhitespaceOnly,
  javaDoubleToString,
  javaFloatToString,
  javaLocalDateTimeToString,
  paimonFormatDate,
  paimonFormatTime,
  paimonFormatTimestamp,
  plainDecimalString,
} from "./java-format.js";
import { utf8Decode } from "./utf8.js";
import type { InternalValue, Timestamp } from "./values.js";

export const DEFAULT_PARTITION_NAME = "__DEFAULT_PARTITION__";

export interface PartitionField {
  name: string;
  type: DataType;
}

export interface PartitionPathOptions {
  /** `partition.default-name`, used for null, empty and whitespace-only values. */
  defaultName?: string;
  /** `partition.legacy-name` (default true): Java `toString()` of the internal value instead of CAST to STRING. */
  legacyName?: boolean;
}

/**
 * The string of one partition value, before escaping and default-name substitution;
 * null for SQL NULL. Legacy mode is `toString()` of Java's internal object (DATE is the
 * epoch-day number, TIMESTAMP is `LocalDateTime.toString()`); otherwise CAST to STRING.
 * TIMESTAMP_LTZ is rendered in UTC in the CAST form, where Java uses the JVM time zone.
 */
export function partitionValueToString(type: DataType, value: InternalValue, legacyName = true): string | null {
  if (value === null || value === undefined) return null;
  switch (type.root) {
    case "CHAR":
    case "VARCHAR":
      return value as string;
    case "BOOLEAN":
      return value ? "true" : "false";
    case "TINYINT":
    case "SMALLINT":
    case "INT":
    case "BIGINT":
      return String(value);
    case "FLOAT":
      return javaFloatToString(value as number);
    case "DOUBLE":
      return javaDoubleToString(value as number);
    case "DECIMAL":
      return plainDecimalString(value as bigint, type.scale);
    case "DATE":
      return legacyName ? String(value) : paimonFormatDate(value as number);
    case "TIME":
      return legacyName ? String(value) : paimonFormatTime(value as number, type.precision);
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ": {
      const ts = value as Timestamp;
      return legacyName ? javaLocalDateTimeToString(ts.millis, ts.nanoOfMilli) : paimonFormatTimestamp(ts.millis, ts.nanoOfMilli, type.precision);
    }
    case "BINARY":
    case "VARBINARY":
      // legacy mode would print Java's byte[] identity ("[B@1b6d3586"), which nothing can reproduce
      if (legacyName) throw new Error(`a ${type.root} partition column needs partition.legacy-name=false`);
      return utf8Decode(value as Uint8Array);
    default:
      throw new Error(`${type.root} cannot be a partition column`);
  }
}

/** `generatePartValues`: (name, string) per partition field, default name substituted. */
export function partitionSpec(fields: readonly PartitionField[], values: readonly InternalValue[], opts: PartitionPathOptions = {}): [string, string][] {
  if (values.length !== fields.length) throw new RangeError(`${values.length} partition values for ${fields.length} fields`);
  const defaultName = opts.defaultName ?? DEFAULT_PARTITION_NAME;
  const legacy = opts.legacyName ?? true;
  return fields.map((f, i) => {
    const s = partitionValueToString(f.type, values[i], legacy);
    return [f.name, isNullOrWhitespaceOnly(s) ? defaultName : (s as string)];
  });
}

/** `generatePartitionPath`: `k1=v1/k2=v2/` with both sides escaped; "" when there are no partition fields. */
export function partitionPathFromSpec(spec: readonly (readonly [string, string])[]): string {
  if (spec.length === 0) return "";
  let out = "";
  for (const [k, v] of spec) {
    if (v.length === 0) throw new Error(`partition value of ${k} is empty`);
    out += `${escapePathName(k)}=${escapePathName(v)}/`;
  }
  return out;
}

/** The relative partition directory of these partition values, e.g. `dt=19723/region=eu/`. */
export function partitionPath(fields: readonly PartitionField[], values: readonly InternalValue[], opts: PartitionPathOptions = {}): string {
  return partitionPathFromSpec(partitionSpec(fields, values, opts));
}

// Java's set: controls 0x00-0x1F, 0x7F and "#%'*/:=?\{}[]^ (per UTF-16 unit; nothing above 0x7F)
const ESCAPED = new Uint8Array(128);
for (let c = 0; c < 0x20; c++) ESCAPED[c] = 1;
for (const ch of "\"#%'*/:=?\\\x7f{}[]^") ESCAPED[ch.charCodeAt(0)] = 1;

const HEX = "0123456789ABCDEF";

/** `PartitionPathUtils.escapePathName`: escaped characters become `%XX` (upper-case hex). */
export function escapePathName(s: string): string {
  if (s.length === 0) throw new Error("Path should not be null or empty");
  let out: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128 && ESCAPED[c] === 1) {
      out ??= s.slice(0, i);
      out += "%" + HEX[c >> 4] + HEX[c & 15];
    } else if (out !== null) {
      out += s[i];
    }
  }
  return out ?? s;
}

/**
 * `PartitionPathUtils.unescapePathName`: `%` plus the next two characters, if Java's
 * `Integer.parseInt(_, 16)` accepts them with a non-negative result, become that char.
 */
export function unescapePathName(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "%" && i + 2 < s.length) {
      const code = parseJavaHex2(s.slice(i + 1, i + 3));
      if (code >= 0) {
        out += String.fromCharCode(code);
        i += 2;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/** Integer.parseInt of a 2-char string in radix 16 (an optional sign is accepted), or -1. */
function parseJavaHex2(two: string): number {
  if (/^[0-9a-fA-F]{2}$/.test(two)) return parseInt(two, 16);
  if (/^\+[0-9a-fA-F]$/.test(two)) return parseInt(two.slice(1), 16);
  if (two === "-0") return 0;
  return -1;
}

/** The (unescaped) key/value pairs of a partition path such as `dt=2024-01-01/hr=09/`. */
export function partitionSpecFromPath(path: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of path.split("/")) {
    if (part.length === 0) continue;
    // the same greedy split as Java's "([^/]+)=([^/]+)"
    const m = /^(.+)=(.+)$/.exec(part);
    if (m === null) throw new Error(`not a partition directory: ${part}`);
    out.push([unescapePathName(m[1]), unescapePathName(m[2])]);
  }
  return out;
}
