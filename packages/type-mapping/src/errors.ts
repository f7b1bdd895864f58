/**
 * Error values. Conversions return them instead of throwing, so a connector can put a
 * failed record into the PDK's per-record error map and carry on with the batch. They
 * extend Error only so they fit that map (`Map<record, Error>`) as they are.
 *
 * Nothing here ever holds or prints the offending value: records routinely carry
 * secrets, and error messages end up in logs. An error names the column, the position
 * inside a nested value (indexes and schema field names only), the kind of value that
 * arrived, the target type and the rule that failed.
 */

export type ValueKind =
  | "null"
  | "undefined"
  | "boolean"
  | "number"
  | "bigint"
  | "string"
  | "bytes"
  | "date"
  | "datetime"
  | "timestamp"
  | "array"
  | "map"
  | "object"
  | "symbol"
  | "function";

export type ConversionRule =
  /** null for a NOT NULL type. */
  | "null-not-allowed"
  /** The kind of value cannot become the target type at all (a string for BINARY…). */
  | "type-mismatch"
  /** A fractional value for an integer type. */
  | "not-an-integer"
  /** Outside the target type's range (integers, dates, times, timestamps, float overflow). */
  | "out-of-range"
  /** NaN or ±Infinity where only finite numbers are allowed. */
  | "not-finite"
  /** A string that is not a number. */
  | "invalid-number"
  /** After HALF_UP rounding to the scale, more digits than the precision. */
  | "decimal-overflow"
  /** Longer than a declared CHAR/VARCHAR/BINARY/VARBINARY length (only with enforceLength). */
  | "too-long"
  /** A date, time or timestamp string or object that does not parse. */
  | "invalid-format"
  /** Non-zero digits finer than the TIME/TIMESTAMP precision. */
  | "excess-precision"
  /** A string with unpaired UTF-16 surrogates, which UTF-8 cannot hold. */
  | "invalid-unicode"
  /** Text that is not JSON where JSON was expected. */
  | "invalid-json"
  /** Something JSON cannot represent (a cycle, a symbol, a class instance…). */
  | "unsupported-in-json"
  /** An object key that is not a field of the ROW type. */
  | "unknown-field"
  /** A null MAP key. */
  | "null-map-key"
  /** Two MAP keys that are equal once converted ("1" and 1 for an INT key). */
  | "duplicate-map-key"
  /** A MAP key that cannot be a plain-object key when reading (use mapOutput: "map"). */
  | "unsupported-map-key";

export type Direction = "to-paimon" | "from-paimon";

const REASONS: Record<ConversionRule, string> = {
  "null-not-allowed": "null for a NOT NULL type",
  "type-mismatch": "this kind of value cannot be stored in this type",
  "not-an-integer": "the value has a fractional part",
  "out-of-range": "the value is outside the range of the type",
  "not-finite": "NaN and infinities are not accepted",
  "invalid-number": "the string is not a decimal number",
  "decimal-overflow": "after rounding HALF_UP to the scale the value has more digits than the precision",
  "too-long": "longer than the declared length",
  "invalid-format": "the value does not parse as this type",
  "excess-precision": "non-zero digits finer than the precision of the type",
  "invalid-unicode": "the string has unpaired UTF-16 surrogates",
  "invalid-json": "the text is not valid JSON",
  "unsupported-in-json": "part of the value cannot be represented in JSON",
  "unknown-field": "the object has keys that are not fields of the ROW type",
  "null-map-key": "a MAP key is null",
  "duplicate-map-key": "two MAP keys are equal after conversion",
  "unsupported-map-key": "this MAP key type cannot be a plain-object key",
};

export function valueKind(v: unknown): ValueKind {
  if (v === null) return "null";
  const t = typeof v;
  if (t !== "object") return t as ValueKind;
  if (Array.isArray(v)) return "array";
  if (v instanceof Uint8Array || v instanceof ArrayBuffer) return "bytes";
  if (v instanceof Date) return "date";
  if (v instanceof Map) return "map";
  const o = v as Record<string, unknown>;
  if (typeof o.millis === "bigint" && typeof o.nanoOfMilli === "number") return "timestamp";
  if ("seconds" in o) return "datetime";
  return "object";
}

export interface ConversionErrorInit {
  direction: Direction;
  field?: string;
  /** Position inside a nested value: `[3]`, `.name`, `{2}.key`; "" for the value itself. */
  path?: string;
  /** The Paimon SQL type the failing (sub)value was converted to or from. */
  target: string;
  valueKind: ValueKind;
  rule: ConversionRule;
  /** Extra explanation; must never contain the value. */
  detail?: string;
}

export class ConversionError extends Error {
  override name = "ConversionError";
  readonly code = "PAIMON_VALUE_CONVERSION_FAILED";
  readonly direction: Direction;
  readonly field: string | undefined;
  readonly path: string;
  readonly target: string;
  readonly valueKind: ValueKind;
  readonly rule: ConversionRule;
  readonly detail: string | undefined;

  constructor(init: ConversionErrorInit) {
    // A data error's stack only points into the converter, and capturing it costs more
    // than the conversion itself; a bad column can fail on every row of a batch.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    const path = init.path ?? "";
    const parts = [
      `field=${init.field ?? "?"}`,
      ...(path ? [`path=${path}`] : []),
      `target=${init.target}`,
      `source=${init.valueKind}`,
      `rule=${init.rule}`,
    ];
    try {
      super(`PAIMON_VALUE_CONVERSION_FAILED: ${parts.join(", ")}: ${REASONS[init.rule]}${init.detail ? ` (${init.detail})` : ""}`);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.direction = init.direction;
    this.field = init.field;
    this.path = path;
    this.target = init.target;
    this.valueKind = init.valueKind;
    this.rule = init.rule;
    this.detail = init.detail;
  }

  /** The same error seen from one level up; `segment` (`[i]`, `.field`, `{i}.key`) is prepended to the path. */
  under(segment: string): ConversionError {
    return new ConversionError({
      direction: this.direction,
      field: this.field,
      path: segment + this.path,
      target: this.target,
      valueKind: this.valueKind,
      rule: this.rule,
      detail: this.detail,
    });
  }

  /** A plain-data view, e.g. for structured logs. */
  toJSON(): Omit<ConversionErrorInit, "path"> & { code: string; path: string; message: string } {
    return {
      code: this.code,
      direction: this.direction,
      field: this.field,
      path: this.path,
      target: this.target,
      valueKind: this.valueKind,
      rule: this.rule,
      ...(this.detail ? { detail: this.detail } : {}),
      message: this.message,
    };
  }
}

export function isConversionError(v: unknown): v is ConversionError {
  return v instanceof ConversionError;
}

/** Every field error of one record, as one Error for the per-record error map. */
export class RowConversionError extends Error {
  override name = "RowConversionError";
  readonly code = "PAIMON_VALUE_CONVERSION_FAILED";
  constructor(readonly errors: readonly ConversionError[]) {
    super(
      `PAIMON_VALUE_CONVERSION_FAILED: ${errors.length} field(s) failed: ` +
        errors.map((e) => `${e.field ?? "?"}${e.path ? ` ${e.path}` : ""} (target=${e.target}, source=${e.valueKind}, rule=${e.rule})`).join("; "),
    );
  }
}

export type TypeMappingCode = "PAIMON_INVALID_DATA_TYPE" | "PAIMON_TIME_PRECISION_UNSUPPORTED" | "PAIMON_DECIMAL_PRECISION_UNSUPPORTED";

/**
 * A Tapdata field whose type cannot become a Paimon column. Thrown (not returned): it
 * concerns a whole table's DDL, not one record. Type strings are metadata, not data, so
 * the message includes them.
 */
export class TypeMappingError extends Error {
  override name = "TypeMappingError";
  constructor(
    readonly code: TypeMappingCode,
    readonly field: string | undefined,
    readonly dataType: string | undefined,
    reason: string,
  ) {
    super(`${code}: field=${field ?? "?"}${dataType !== undefined ? `, dataType=${JSON.stringify(dataType)}` : ""}: ${reason}`);
  }
}
