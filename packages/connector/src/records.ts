/**
 * Record events → Paimon rows with row kinds, one table schema at a time.
 *
 * Every problem with one record becomes that record's error (the batch goes on); messages
 * name fields, types and rules, never values. Two value encodings are accepted:
 * * "tapdata": the values the Tapdata engine hands a connector (numbers, strings, Dates,
 *   `{seconds, nanos}`, bigints, byte arrays), converted by @paimon-ts/type-mapping;
 * * "canonical": the JSON encoding of shared/fixtures/pypaimon/ENCODING.md (BIGINT and
 *   DECIMAL as strings, base64 bytes, ISO dates and times), decoded with paimon-core's
 *   canonicalDecode. This is what `paimon-ts write` and the `serve` protocol use.
 */
import {
  CanonicalDecodeError,
  RowKind,
  asSQLString,
  canonicalDecode,
  type CanonicalJson,
  type DataField,
  type DataType,
  type InternalRow,
  type InternalValue,
  type TableSchema,
  withNullability,
} from "@paimon-ts/paimon-core";
import { ConversionError, RowConversionError, rowToPaimon, valueKind, type ToPaimonOptions } from "@paimon-ts/type-mapping";
import { EventType, type DataMap, type TapRecordEvent } from "./pdk.js";

export type RecordEncoding = "tapdata" | "canonical";

/** A record that cannot be written, with the reason (field names and rules only). */
export class RecordError extends Error {
  override name = "RecordError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface RowOp {
  kind: RowKind;
  row: InternalRow;
}

export type OpCounter = "inserted" | "modified" | "removed";

export interface ConvertedEvent {
  ops: RowOp[];
  counter: OpCounter;
}

export interface RecordConverterOptions {
  encoding: RecordEncoding;
  /** Record members that are not columns are errors unless this is set. */
  ignoreUnknownFields: boolean;
  /** Updates must carry a before image (so a primary-key change can be detected). */
  requireBeforeForUpdate: boolean;
  /** type-mapping options for the "tapdata" encoding. */
  tapdata?: ToPaimonOptions;
}

type ImageConverter = (image: DataMap) => InternalRow | RowConversionError;

const ENCODING_HINT: Record<string, string> = {
  BIGINT: "a decimal integer string",
  DECIMAL: "a decimal string",
  BINARY: "base64 text",
  VARBINARY: "base64 text",
  DATE: '"YYYY-MM-DD"',
  TIME: '"HH:MM:SS[.fff]"',
  TIMESTAMP: '"YYYY-MM-DDTHH:MM:SS[.fffffffff]"',
  TIMESTAMP_LTZ: '"YYYY-MM-DDTHH:MM:SS[.fffffffff]Z"',
  MAP: "an array of [key, value] pairs",
  ARRAY: "a JSON array",
  ROW: "a JSON object",
};

function canonicalRule(e: unknown, v: unknown, type: DataType): ConversionError["rule"] {
  const m = e instanceof Error ? e.message : "";
  if (/expects an integer in/.test(m)) return typeof v !== "number" ? "type-mismatch" : Number.isInteger(v) ? "out-of-range" : "not-an-integer";
  if (/overflows/.test(m)) return type.root === "DECIMAL" ? "decimal-overflow" : "out-of-range";
  if (/out of range/.test(m)) return "out-of-range";
  if (/without rounding/.test(m)) return "excess-precision";
  if (/decimal integer string|not a floating-point|not a DECIMAL/.test(m)) return typeof v === "string" ? "invalid-number" : "type-mismatch";
  if (/expects (true|a string|base64|a JSON|an array)/.test(m)) return "type-mismatch";
  return typeof v === "string" ? "invalid-format" : "type-mismatch";
}

/** A canonical-JSON decoder for one column; errors are value-free ConversionErrors. */
function canonicalColumn(field: DataField): (v: unknown) => InternalValue | ConversionError {
  const type = field.type;
  const target = asSQLString(type);
  const fail = (v: unknown, rule: ConversionError["rule"]) =>
    new ConversionError({ direction: "to-paimon", field: field.name, target, valueKind: valueKind(v), rule, detail: ENCODING_HINT[type.root] ? `expected ${ENCODING_HINT[type.root]}` : undefined });
  const floatCheck = (t: DataType, x: InternalValue, v: unknown): InternalValue | ConversionError => {
    // JSON numbers beyond float32 would silently become Infinity
    if ((t.root === "FLOAT" || t.root === "DOUBLE") && typeof x === "number" && !Number.isFinite(x) && typeof v === "number") return fail(v, "out-of-range");
    return x;
  };
  return (v) => {
    if (v === null || v === undefined) return type.nullable ? null : fail(v, "null-not-allowed");
    try {
      return floatCheck(type, canonicalDecode(type, v as CanonicalJson), v);
    } catch (e) {
      if (e instanceof CanonicalDecodeError || e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError) return fail(v, canonicalRule(e, v, type));
      throw e;
    }
  };
}

function canonicalRow(fields: readonly DataField[]): ImageConverter {
  const convs = fields.map(canonicalColumn);
  return (image) => {
    const row: InternalValue[] = new Array(fields.length);
    let errors: ConversionError[] | undefined;
    for (let i = 0; i < fields.length; i++) {
      const name = fields[i].name;
      const r = convs[i](Object.prototype.hasOwnProperty.call(image, name) ? image[name] : undefined);
      if (r instanceof ConversionError) (errors ??= []).push(r);
      else row[i] = r;
    }
    return errors ? new RowConversionError(errors) : row;
  };
}

function imageConverter(fields: readonly DataField[], opts: RecordConverterOptions): ImageConverter {
  if (opts.encoding === "canonical") return canonicalRow(fields);
  const conv = rowToPaimon(fields, opts.tapdata ?? {});
  return (image) => conv(image);
}

/** The smallest value of a type: what a retraction carries in a NOT NULL column it does not know. */
export function zeroValue(t: DataType): InternalValue {
  switch (t.root) {
    case "BOOLEAN":
      return false;
    case "BIGINT":
    case "DECIMAL":
      return 0n;
    case "CHAR":
    case "VARCHAR":
      return "";
    case "BINARY":
    case "VARBINARY":
      return new Uint8Array(0);
    case "TIMESTAMP":
    case "TIMESTAMP_LTZ":
      return { millis: 0n, nanoOfMilli: 0 };
    case "ARRAY":
      return [];
    case "MAP":
    case "MULTISET":
      return { keys: [], values: [] };
    case "ROW":
      return t.fields.map((f) => (f.type.nullable ? null : zeroValue(f.type)));
    default:
      return 0;
  }
}

function isPlainImage(v: unknown): v is DataMap {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function toObject(image: DataMap | Map<string, unknown>): DataMap {
  return image instanceof Map ? Object.fromEntries(image) : image;
}

function sameValue(a: InternalValue, b: InternalValue): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (typeof a === "object" && typeof b === "object") return JSON.stringify(a, bigintSafe) === JSON.stringify(b, bigintSafe);
  return false;
}

function bigintSafe(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? Array.from(v) : v;
}

/** Converts record events for one schema version of one table. */
export class RecordConverter {
  readonly fields: readonly DataField[];
  private readonly names: Set<string>;
  private readonly pkIndexes: number[];
  private readonly image: ImageConverter;
  /** For retractions (-D, -U): NOT NULL value columns may be missing (zero-filled). */
  private readonly retractImage: ImageConverter;
  private readonly completeUpdates: boolean;

  constructor(
    readonly schema: TableSchema,
    private readonly tableName: string,
    private readonly opts: RecordConverterOptions,
  ) {
    this.fields = schema.fields;
    this.names = new Set(schema.fields.map((f) => f.name));
    this.pkIndexes = schema.primaryKeys.map((k) => schema.fields.findIndex((f) => f.name === k));
    this.image = imageConverter(schema.fields, opts);
    const relaxed = schema.fields.map((f, i) => (!f.type.nullable && !this.pkIndexes.includes(i) ? i : -1)).filter((i) => i >= 0);
    if (relaxed.length === 0) this.retractImage = this.image;
    else {
      const conv = imageConverter(
        schema.fields.map((f, i) => (relaxed.includes(i) ? { ...f, type: withNullability(f.type, true) } : f)),
        opts,
      );
      this.retractImage = (image) => {
        const row = conv(image);
        if (row instanceof RowConversionError) return row;
        // a retraction only needs its key; Paimon still wants values in NOT NULL columns
        for (const i of relaxed) if (row[i] === null || row[i] === undefined) row[i] = zeroValue(schema.fields[i].type);
        return row;
      };
    }
    const engine = (schema.options["merge-engine"] ?? "deduplicate").toLowerCase();
    // a deduplicate row replaces the whole row: a partial after image would null the rest
    this.completeUpdates = schema.primaryKeys.length > 0 && engine === "deduplicate";
  }

  get hasPrimaryKey(): boolean {
    return this.pkIndexes.length > 0;
  }

  private err(code: string, message: string): RecordError {
    return new RecordError(code, `table ${this.tableName}: ${message}`);
  }

  private convert(raw: unknown, which: "after" | "before", retract = false): InternalRow | RecordError | RowConversionError {
    if (!isPlainImage(raw) && !(raw instanceof Map)) return this.err("PAIMON_MISSING_IMAGE", `the ${which} image is missing or not an object`);
    const image = toObject(raw as DataMap);
    if (!this.opts.ignoreUnknownFields) {
      const unknown = Object.keys(image).filter((k) => !this.names.has(k));
      if (unknown.length > 0) {
        return this.err(
          "PAIMON_UNKNOWN_FIELD",
          `the ${which} image has field(s) that are not columns: ${unknown.slice(0, 10).join(", ")}${unknown.length > 10 ? ", …" : ""} (columns: ${[...this.names].join(", ")}; add them with a new-field DDL, or set ignoreUnknownFields)`,
        );
      }
    }
    const nullKeys = this.pkIndexes.map((i) => this.fields[i].name).filter((k) => image[k] === null || image[k] === undefined);
    if (nullKeys.length > 0) return this.err("PAIMON_NULL_PRIMARY_KEY", `the ${which} image has a null or missing primary key field: ${nullKeys.join(", ")}`);
    return retract ? this.retractImage(image) : this.image(image);
  }

  private missingColumns(raw: DataMap): string[] {
    const image = toObject(raw);
    return this.fields.filter((f) => !Object.prototype.hasOwnProperty.call(image, f.name)).map((f) => f.name);
  }

  private samePk(a: InternalRow, b: InternalRow): boolean {
    return this.pkIndexes.every((i) => sameValue(a[i], b[i]));
  }

  private withPrefix(e: RowConversionError, which: string): RecordError {
    const parts = e.errors.map((x) => x.message.replace(/^PAIMON_VALUE_CONVERSION_FAILED: /, ""));
    return this.err(e.code, `${which} image: ${parts.join("; ")}`);
  }

  /** The row operations of one event, or why it cannot be written. */
  convertEvent(event: TapRecordEvent): ConvertedEvent | RecordError {
    const fix = (x: InternalRow | RecordError | RowConversionError, which: string): InternalRow | RecordError =>
      x instanceof RowConversionError ? this.withPrefix(x, which) : x;
    switch (event.type) {
      case EventType.INSERT: {
        const after = fix(this.convert(event.after, "after"), "after");
        if (after instanceof RecordError) return after;
        return { ops: [{ kind: RowKind.INSERT, row: after }], counter: "inserted" };
      }
      case EventType.UPDATE: {
        if (!this.hasPrimaryKey) return this.err("PAIMON_APPEND_ONLY_TABLE", "the table has no primary key, so an UPDATE cannot be applied (append-only table)");
        const after = fix(this.convert(event.after, "after"), "after");
        if (after instanceof RecordError) return after;
        if (this.completeUpdates && isPlainImage(event.after)) {
          const missing = this.missingColumns(event.after);
          if (missing.length > 0) {
            return this.err("PAIMON_INCOMPLETE_UPDATE_AFTER", `the update's after image lacks column(s) ${missing.join(", ")}; a deduplicate table replaces whole rows, so they would become null (send full after images, or use merge-engine=partial-update)`);
          }
        }
        const hasBefore = event.before !== undefined && event.before !== null && (event.before instanceof Map ? event.before.size > 0 : Object.keys(event.before).length > 0);
        if (!hasBefore) {
          if (this.opts.requireBeforeForUpdate) return this.err("PAIMON_MISSING_BEFORE_IMAGE", "enablePrimaryKeyUpdate is on, so an UPDATE needs a before image with the primary key");
          return { ops: [{ kind: RowKind.UPDATE_AFTER, row: after }], counter: "modified" };
        }
        const before = fix(this.convert(event.before, "before", true), "before");
        if (before instanceof RecordError) {
          if (this.opts.requireBeforeForUpdate) return before;
          // a before image with a bad value still tells whether the key changed: look at the key alone
          const image = toObject(event.before as DataMap);
          const keyOnly: DataMap = {};
          for (const i of this.pkIndexes) keyOnly[this.fields[i].name] = image[this.fields[i].name];
          const key = fix(this.convert(keyOnly, "before", true), "before");
          if (key instanceof RecordError) return before;
          if (!this.samePk(key, after)) return { ops: [{ kind: RowKind.DELETE, row: key }, { kind: RowKind.INSERT, row: after }], counter: "modified" };
          return { ops: [{ kind: RowKind.UPDATE_AFTER, row: after }], counter: "modified" };
        }
        if (!this.samePk(before, after)) {
          return { ops: [{ kind: RowKind.DELETE, row: before }, { kind: RowKind.INSERT, row: after }], counter: "modified" };
        }
        return { ops: [{ kind: RowKind.UPDATE_BEFORE, row: before }, { kind: RowKind.UPDATE_AFTER, row: after }], counter: "modified" };
      }
      case EventType.DELETE: {
        if (!this.hasPrimaryKey) return this.err("PAIMON_APPEND_ONLY_TABLE", "the table has no primary key, so a DELETE cannot be applied (append-only table)");
        const before = fix(this.convert(event.before, "before", true), "before");
        if (before instanceof RecordError) return before;
        return { ops: [{ kind: RowKind.DELETE, row: before }], counter: "removed" };
      }
      default:
        return this.err("PAIMON_UNKNOWN_EVENT", `event type ${(event as { type: unknown }).type} is not a record event (300 insert, 301 delete, 302 update)`);
    }
  }
}

/** Normalizes friendly event shapes (`{"type":"insert"}`) to PDK record events. */
export function normalizeRecordEvent(e: unknown): TapRecordEvent | RecordError {
  if (e === null || typeof e !== "object" || Array.isArray(e)) return new RecordError("PAIMON_INVALID_EVENT", "an event must be a JSON object");
  const o = e as Record<string, unknown>;
  const type = o.type;
  const map: Record<string, number> = { insert: EventType.INSERT, i: EventType.INSERT, update: EventType.UPDATE, u: EventType.UPDATE, delete: EventType.DELETE, d: EventType.DELETE };
  const code = typeof type === "string" ? map[type.toLowerCase()] : typeof type === "number" ? type : undefined;
  if (code !== EventType.INSERT && code !== EventType.UPDATE && code !== EventType.DELETE) {
    return new RecordError("PAIMON_INVALID_EVENT", `unknown event type${typeof type === "string" || typeof type === "number" ? ` '${String(type).slice(0, 20)}'` : ""}: expected insert, update or delete (300, 302, 301)`);
  }
  if (code === EventType.INSERT && !isPlainImage(o.after)) return new RecordError("PAIMON_MISSING_IMAGE", "an insert needs an 'after' object");
  if (code === EventType.UPDATE && !isPlainImage(o.after)) return new RecordError("PAIMON_MISSING_IMAGE", "an update needs an 'after' object");
  if (code === EventType.DELETE && !isPlainImage(o.before)) return new RecordError("PAIMON_MISSING_IMAGE", "a delete needs a 'before' object");
  return { ...o, type: code } as TapRecordEvent;
}
