/**
 * Tag files `tag/tag-<name>`: a snapshot JSON plus `tagCreateTime` (a Java `LocalDateTime`)
 * and `tagTimeRetained` (a Java `Duration`), both omitted when null. Jackson writes them
 * as `"tagCreateTime" : [ 2024, 1, 2, 3, 4, 5, 6000000 ]` (seconds and nanos omitted when
 * they are zero) and `"tagTimeRetained" : 86400.000000000` (decimal seconds).
 */
import { JsonObject, JsonStyle, JsonValue, RawJson, isJsonObject, parseJson, stringifyJson } from "../util/json.js";
import { Snapshot, SnapshotFormatError, snapshotFromJsonObject, snapshotToJsonObject } from "./snapshot.js";

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nano: number;
}

export interface Duration {
  seconds: bigint;
  /** 0..999_999_999 */
  nanos: number;
}

export interface Tag extends Snapshot {
  tagCreateTime: LocalDateTime | null;
  tagTimeRetained: Duration | null;
}

export const TAG_PREFIX = "tag-";

export function tagFileName(name: string): string {
  return TAG_PREFIX + name;
}

function localDateTimeFromJson(v: JsonValue, what: string): LocalDateTime {
  if (Array.isArray(v)) {
    if (v.length < 5 || v.length > 7 || !v.every((x) => typeof x === "number" && Number.isInteger(x))) {
      throw new SnapshotFormatError(`${what}: tagCreateTime must be [year, month, day, hour, minute(, second(, nano))]`);
    }
    const [year, month, day, hour, minute, second = 0, nano = 0] = v as number[];
    return { year, month, day, hour, minute, second, nano };
  }
  if (typeof v === "string") {
    const m = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(v);
    if (!m) throw new SnapshotFormatError(`${what}: invalid tagCreateTime ${JSON.stringify(v)}`);
    return {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: Number(m[6] ?? 0),
      nano: Number((m[7] ?? "").padEnd(9, "0")),
    };
  }
  throw new SnapshotFormatError(`${what}: invalid tagCreateTime`);
}

/** Jackson's array form: seconds only when seconds or nanos are non-zero, nanos only when non-zero. */
export function localDateTimeToJson(t: LocalDateTime): number[] {
  const out = [t.year, t.month, t.day, t.hour, t.minute];
  if (t.second !== 0 || t.nano !== 0) out.push(t.second);
  if (t.nano !== 0) out.push(t.nano);
  return out;
}

function durationFromJson(v: JsonValue, what: string): Duration {
  if (typeof v === "number" || typeof v === "bigint") {
    if (typeof v === "bigint") return { seconds: v, nanos: 0 };
    const seconds = Math.floor(v);
    return { seconds: BigInt(seconds), nanos: Math.round((v - seconds) * 1e9) };
  }
  if (typeof v === "string") {
    // ISO-8601 (days/hours/minutes/seconds), as Jackson also accepts
    const m = /^PT?(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d{1,9}))?S)?$/i.exec(v);
    if (m && v.length > 2) {
      const s = BigInt(m[1] ?? 0) * 86400n + BigInt(m[2] ?? 0) * 3600n + BigInt(m[3] ?? 0) * 60n + BigInt(m[4] ?? 0);
      return { seconds: s, nanos: Number((m[5] ?? "").padEnd(9, "0")) };
    }
  }
  throw new SnapshotFormatError(`${what}: invalid tagTimeRetained ${JSON.stringify(v)}`);
}

/** Jackson's decimal-seconds form, e.g. `86400.000000000`. */
export function durationToJson(d: Duration): RawJson {
  return new RawJson(`${d.seconds}.${String(d.nanos).padStart(9, "0")}`);
}

export function tagFromJsonObject(o: JsonValue, what = "tag"): Tag {
  const s = snapshotFromJsonObject(o, what);
  const j = o as JsonObject;
  const ct = j.tagCreateTime;
  const tr = j.tagTimeRetained;
  return {
    ...s,
    tagCreateTime: ct === null || ct === undefined ? null : localDateTimeFromJson(ct, what),
    tagTimeRetained: tr === null || tr === undefined ? null : durationFromJson(tr, what),
  };
}

/** Parses a tag file. pypaimon writes plain snapshot JSON there (no tag fields): both null. */
export function tagFromJson(text: string, what = "tag"): Tag {
  let j: JsonValue;
  try {
    j = parseJson(text);
  } catch (e) {
    throw new SnapshotFormatError(`${what}: invalid JSON: ${(e as Error).message}`);
  }
  if (!isJsonObject(j)) throw new SnapshotFormatError(`${what}: expected a JSON object`);
  return tagFromJsonObject(j, what);
}

export function tagToJson(t: Tag, style: JsonStyle = "jackson"): string {
  const o = snapshotToJsonObject(t);
  if (t.tagCreateTime) o.tagCreateTime = localDateTimeToJson(t.tagCreateTime);
  if (t.tagTimeRetained) o.tagTimeRetained = durationToJson(t.tagTimeRetained);
  return stringifyJson(o, style);
}

/** The snapshot part of a tag. */
export function tagToSnapshot(t: Tag): Snapshot {
  const { tagCreateTime: _created, tagTimeRetained: _retained, ...s } = t;
  return s;
}
