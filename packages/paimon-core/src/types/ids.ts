import { DataField, DataType } from "./datatype.js";

/** Field ids at or above this are Paimon system fields (`_KEY_` columns, `_SEQUENCE_NUMBER`…). */
export const SYSTEM_FIELD_ID_START = 1073741823;

/**
 * Assigns ids the way Java's `ReassignFieldId` does: a top-level column takes its id
 * before its nested fields; inside a nested ROW a field's type is numbered before the
 * field itself. Returns the fields and the highest id used.
 */
export function assignFieldIds(fields: { name: string; type: DataType; description?: string }[], start = -1): { fields: DataField[]; highestFieldId: number } {
  let counter = start;
  const visit = (t: DataType): DataType => {
    switch (t.root) {
      case "ARRAY":
      case "MULTISET":
        return { ...t, element: visit(t.element) };
      case "MAP":
        return { ...t, key: visit(t.key), value: visit(t.value) };
      case "ROW":
        return {
          ...t,
          fields: t.fields.map((f) => {
            const type = visit(f.type);
            return { ...f, id: ++counter, type };
          }),
        };
      default:
        return t;
    }
  };
  const out = fields.map((f) => {
    const id = ++counter;
    const field: DataField = { id, name: f.name, type: visit(f.type) };
    if (f.description !== undefined) field.description = f.description;
    return field;
  });
  return { fields: out, highestFieldId: counter };
}

/** The highest field id in a tree, ignoring system ids (Java `RowType.currentHighestFieldId`). */
export function highestFieldId(fields: DataField[]): number {
  let max = -1;
  const visit = (t: DataType): void => {
    if (t.root === "ROW") t.fields.forEach((f) => { if (f.id < SYSTEM_FIELD_ID_START) max = Math.max(max, f.id); visit(f.type); });
    else if (t.root === "ARRAY" || t.root === "MULTISET") visit(t.element);
    else if (t.root === "MAP") { visit(t.key); visit(t.value); }
  };
  visit({ root: "ROW", fields, nullable: false });
  return max;
}
