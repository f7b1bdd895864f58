export type {
  DataTypeMapping,
  DataTypeMappings,
  TapArray,
  TapBinary,
  TapBoolean,
  TapDate,
  TapDateTime,
  TapField,
  TapMap,
  TapNumber,
  TapRaw,
  TapString,
  TapTime,
  TapType,
  TapTypeName,
  TapYear,
} from "./tap-types.js";
export { DataTypeExpressions, decimalBounds, floatBounds, integerBounds, type DataTypeMatch } from "./expressions.js";
export { CODEC_TARGET_TYPES, PAIMON_DATA_TYPES } from "./data-types.js";
export { dataTypeFromPaimon, tapFieldFromPaimon, tapFieldsFromPaimon, tapTypeFromPaimon } from "./discover.js";
export {
  paimonColumnFromTapField,
  paimonTypeFromDataType,
  paimonTypeFromTapType,
  type ColumnEncoding,
  type CreateOptions,
  type PaimonColumn,
} from "./create.js";
export { valueToPaimon, type ToPaimonConverter, type ToPaimonOptions } from "./to-paimon.js";
export { valueFromPaimon, type FromPaimonConverter, type FromPaimonOptions, type TapDateTimeValue } from "./from-paimon.js";
export { rowFromPaimon, rowToPaimon, type RowFromPaimonOptions, type RowToPaimonOptions, type TapRecord } from "./rows.js";
export {
  ConversionError,
  isConversionError,
  RowConversionError,
  TypeMappingError,
  valueKind,
  type ConversionErrorInit,
  type ConversionRule,
  type Direction,
  type TypeMappingCode,
  type ValueKind,
} from "./errors.js";
export { decodeJson, encodeJson, MAX_JSON_DEPTH } from "./json.js";
export { zoneOf, type Zone } from "./time.js";
