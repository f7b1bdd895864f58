/**
 * Whole records: a Tapdata record (plain object or Map) ⇄ a positional Paimon row, with
 * one converter per column built up front.
 */
import type { DataField, InternalRow, InternalValue } from "@paimon-ts/paimon-core";
import { ConversionError, RowConversionError } from "./errors.js";
import { valueFromPaimon, type FromPaimonOptions } from "./from-paimon.js";
import { valueToPaimon, type ToPaimonOptions } from "./to-paimon.js";

export type TapRecord = Record<string, unknown> | Map<string, unknown>;

export interface RowToPaimonOptions extends Omit<ToPaimonOptions, "field"> {
  /** Per-column overrides, by column name. */
  columns?: Record<string, Omit<ToPaimonOptions, "field">>;
}

export interface RowFromPaimonOptions extends Omit<FromPaimonOptions, "field"> {
  /** Per-column overrides, by column name (e.g. `{ tags: { json: true } }` for a JSON column). */
  columns?: Record<string, Omit<FromPaimonOptions, "field">>;
}

/**
 * Record → row in schema order. Columns absent from the record are null; record members
 * that are not columns are ignored (both as in the Java connector). All failing columns
 * are reported together.
 */
export function rowToPaimon(fields: readonly Pick<DataField, "name" | "type">[], opts: RowToPaimonOptions = {}): (record: TapRecord) => InternalRow | RowConversionError {
  const { columns, ...shared } = opts;
  const names = fields.map((f) => f.name);
  const convs = fields.map((f) => valueToPaimon(f.type, { ...shared, ...columns?.[f.name], field: f.name }));
  return (record) => {
    const get: (k: string) => unknown = record instanceof Map ? (k) => record.get(k) : (k) => (Object.prototype.hasOwnProperty.call(record, k) ? record[k] : undefined);
    const row: InternalValue[] = new Array(convs.length);
    let errors: ConversionError[] | undefined;
    for (let i = 0; i < convs.length; i++) {
      const r = convs[i](get(names[i]));
      if (r instanceof ConversionError) (errors ??= []).push(r);
      else row[i] = r;
    }
    return errors ? new RowConversionError(errors) : row;
  };
}

/** Row → record keyed by column name. */
export function rowFromPaimon(fields: readonly Pick<DataField, "name" | "type">[], opts: RowFromPaimonOptions = {}): (row: InternalRow) => Record<string, unknown> | RowConversionError {
  const { columns, ...shared } = opts;
  const names = fields.map((f) => f.name);
  const convs = fields.map((f) => valueFromPaimon(f.type, { ...shared, ...columns?.[f.name], field: f.name }));
  return (row) => {
    const out: Record<string, unknown> = {};
    let errors: ConversionError[] | undefined;
    for (let i = 0; i < convs.length; i++) {
      const r = convs[i](row[i] ?? null);
      if (r instanceof ConversionError) (errors ??= []).push(r);
      else if (names[i] === "__proto__") Object.defineProperty(out, names[i], { value: r, writable: true, enumerable: true, configurable: true });
      else out[names[i]] = r;
    }
    return errors ? new RowConversionError(errors) : out;
  };
}
