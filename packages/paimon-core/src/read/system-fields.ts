/** The system columns of primary-key data files (METADATA.md §5.2). */
import type { DataField, DataType } from "../types/datatype.js";

export const KEY_FIELD_PREFIX = "_KEY_";
/** `_KEY_x` has id(x) + this (Java `Integer.MAX_VALUE / 2`). */
export const KEY_FIELD_ID_START = 1073741823;
export const SEQUENCE_NUMBER = "_SEQUENCE_NUMBER";
export const SEQUENCE_NUMBER_ID = 2147483646;
export const VALUE_KIND = "_VALUE_KIND";
export const VALUE_KIND_ID = 2147483645;

const BIGINT_NN: DataType = { root: "BIGINT", nullable: false };
const TINYINT_NN: DataType = { root: "TINYINT", nullable: false };

export const SEQUENCE_FIELD: DataField = { id: SEQUENCE_NUMBER_ID, name: SEQUENCE_NUMBER, type: BIGINT_NN };
export const VALUE_KIND_FIELD: DataField = { id: VALUE_KIND_ID, name: VALUE_KIND, type: TINYINT_NN };

export function keyField(f: DataField): DataField {
  return { id: f.id + KEY_FIELD_ID_START, name: KEY_FIELD_PREFIX + f.name, type: f.type };
}

/** The physical row type of a PK data file: keys, sequence number, kind, all columns. */
export function keyValueFields(keyFields: DataField[], valueFields: DataField[]): DataField[] {
  return [...keyFields.map(keyField), SEQUENCE_FIELD, VALUE_KIND_FIELD, ...valueFields];
}
