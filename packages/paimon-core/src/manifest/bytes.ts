/** Byte helpers internal to the manifest module (not re-exported). */
import { ManifestError } from "./model.js";

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function toHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
}

/** The arity prefix of serialized BinaryRow bytes (the data module exports the same helper). */
export function serializedRowArity(bytes: Uint8Array): number {
  if (bytes.length < 4) throw new ManifestError(`serialized BinaryRow too short (${bytes.length} bytes)`);
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0, false);
}

