/**
 * Deletion vectors (BINARY.md §5): the deleted row positions of one data file, stored as
 * entries of a DELETION_VECTORS index file.
 *
 * v1 (`BitmapDeletionVector`, default):
 *   int32 BE size = 4 + bitmap | int32 BE magic 0x5E43F2D0 | 32-bit roaring | int32 BE crc32(magic + bitmap)
 *   DeletionVectorMeta.length = size
 * v2 (`Bitmap64DeletionVector`, `deletion-vectors.bitmap64=true`):
 *   int32 BE len = 4 + bitmap64 | magic 1681511377 little-endian | bitmap64 | int32 BE crc32(magic + bitmap64)
 *   bitmap64 = uint64 LE count, then per high-32-bit key (dense from 0): uint32 LE key + 32-bit roaring
 *   DeletionVectorMeta.length = the whole entry (4 + len + 4)
 * Index file: version byte 1, then the entries back to back; a meta's offset points at the entry's size field.
 */
import type { DeletionVectorMeta } from "../manifest/model.js";
import { crc32 } from "./crc32.js";
import { RoaringBitmap32 } from "./roaring.js";

export const DV_MAGIC_V1 = 1581511376;
export const DV_MAGIC_V2 = 1681511377;
/** The version byte that starts every deletion-vector index file. */
export const DV_INDEX_FILE_VERSION = 1;

// Where a vector sits is the manifest model's `DeletionVectorMeta` (`_DELETIONS_VECTORS_RANGES`
// element): f0 dataFileName, f1 offset of the entry's size field, f2 length (v1: magic +
// bitmap; v2: the whole entry), _CARDINALITY.

export interface DeletionVector {
  readonly version: 1 | 2;
  /** Marks a row position as deleted. */
  delete(position: number): void;
  /** Like delete; false if the position was already deleted. */
  checkedDelete(position: number): boolean;
  isDeleted(position: number): boolean;
  isEmpty(): boolean;
  readonly cardinality: number;
  /** Adds another vector's positions (same version only, as in Java). */
  merge(other: DeletionVector): void;
  forEachDeleted(fn: (position: number) => void): void;
  /**
   * The index-file entry, and the meta length Java records for it. Like Java, this
   * run-optimizes the bitmap in place first (which affects later byte output).
   */
  serialize(): { bytes: Uint8Array; length: number };
}

function checkPosition(position: number, max: number): void {
  if (!Number.isInteger(position) || position < 0 || position > max) throw new RangeError(`invalid row position ${position} (allowed 0..${max})`);
}

/** v1: positions up to 2^31-1 in one 32-bit roaring bitmap. */
export class BitmapDeletionVector implements DeletionVector {
  readonly version = 1 as const;

  constructor(private readonly bitmap: RoaringBitmap32 = new RoaringBitmap32()) {}

  static of(positions: Iterable<number>): BitmapDeletionVector {
    const dv = new BitmapDeletionVector();
    for (const p of positions) dv.delete(p);
    return dv;
  }

  delete(position: number): void {
    checkPosition(position, 0x7fffffff);
    this.bitmap.add(position);
  }

  checkedDelete(position: number): boolean {
    checkPosition(position, 0x7fffffff);
    return this.bitmap.checkedAdd(position);
  }

  isDeleted(position: number): boolean {
    return this.bitmap.contains(position);
  }

  isEmpty(): boolean {
    return this.bitmap.isEmpty();
  }

  get cardinality(): number {
    return this.bitmap.cardinality;
  }

  merge(other: DeletionVector): void {
    if (!(other instanceof BitmapDeletionVector)) throw new Error("Only instance with the same class type can be merged.");
    this.bitmap.or(other.bitmap);
  }

  forEachDeleted(fn: (position: number) => void): void {
    this.bitmap.forEach(fn);
  }

  /** The underlying bitmap (shared, not a copy). */
  get roaring(): RoaringBitmap32 {
    return this.bitmap;
  }

  serialize(): { bytes: Uint8Array; length: number } {
    this.bitmap.runOptimize();
    const size = 4 + this.bitmap.serializedSizeInBytes();
    const bytes = new Uint8Array(4 + size + 4);
    const view = new DataView(bytes.buffer);
    view.setInt32(0, size, false);
    view.setInt32(4, DV_MAGIC_V1, false);
    this.bitmap.serializeInto(bytes, 8);
    view.setUint32(4 + size, crc32(bytes, 4, 4 + size), false);
    return { bytes, length: size };
  }
}

/** v2: 64-bit positions as a dense array of 32-bit bitmaps (Paimon's OptimizedRoaringBitmap64). */
export class Bitmap64DeletionVector implements DeletionVector {
  readonly version = 2 as const;
  private bitmaps: RoaringBitmap32[] = [];

  static of(positions: Iterable<number>): Bitmap64DeletionVector {
    const dv = new Bitmap64DeletionVector();
    for (const p of positions) dv.delete(p);
    return dv;
  }

  /** Positions beyond 2^53 cannot be JS numbers; no data file comes near that. */
  private static split(position: number): [number, number] {
    checkPosition(position, Number.MAX_SAFE_INTEGER);
    return [Math.floor(position / 0x100000000), position % 0x100000000];
  }

  private bitmapFor(key: number): RoaringBitmap32 {
    // Java allocates every bitmap from key 0 up, empty ones included, and serializes them all
    while (this.bitmaps.length <= key) this.bitmaps.push(new RoaringBitmap32());
    return this.bitmaps[key];
  }

  delete(position: number): void {
    const [key, low] = Bitmap64DeletionVector.split(position);
    this.bitmapFor(key).add(low);
  }

  checkedDelete(position: number): boolean {
    if (this.isDeleted(position)) return false;
    this.delete(position);
    return true;
  }

  isDeleted(position: number): boolean {
    if (!Number.isInteger(position) || position < 0 || position > Number.MAX_SAFE_INTEGER) return false;
    const [key, low] = Bitmap64DeletionVector.split(position);
    return key < this.bitmaps.length && this.bitmaps[key].contains(low);
  }

  isEmpty(): boolean {
    return this.cardinality === 0;
  }

  get cardinality(): number {
    let n = 0;
    for (const b of this.bitmaps) n += b.cardinality;
    return n;
  }

  merge(other: DeletionVector): void {
    if (!(other instanceof Bitmap64DeletionVector)) throw new Error("Only instance with the same class type can be merged.");
    if (other.bitmaps.length > 0) this.bitmapFor(other.bitmaps.length - 1);
    other.bitmaps.forEach((b, key) => this.bitmaps[key].or(b));
  }

  forEachDeleted(fn: (position: number) => void): void {
    this.bitmaps.forEach((b, key) => b.forEach((low) => fn(key * 0x100000000 + low)));
  }

  serialize(): { bytes: Uint8Array; length: number } {
    for (const b of this.bitmaps) b.runOptimize();
    let bitmapSize = 8;
    for (const b of this.bitmaps) bitmapSize += 4 + b.serializedSizeInBytes();
    const dataLength = 4 + bitmapSize;
    const bytes = new Uint8Array(4 + dataLength + 4);
    const view = new DataView(bytes.buffer);
    view.setInt32(0, dataLength, false);
    view.setInt32(4, DV_MAGIC_V2, true);
    view.setBigUint64(8, BigInt(this.bitmaps.length), true);
    let p = 16;
    this.bitmaps.forEach((b, key) => {
      view.setUint32(p, key, true);
      p += 4;
      p += b.serializeInto(bytes, p);
    });
    view.setUint32(4 + dataLength, crc32(bytes, 4, 4 + dataLength), false);
    return { bytes, length: bytes.length };
  }

  /** Reads the bitmap64 payload (after the magic) at `offset`. */
  static deserializePayload(bytes: Uint8Array, offset: number, end: number): Bitmap64DeletionVector {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const count = view.getBigUint64(offset, true);
    if (count > 0x7fffffffn) throw new Error(`Invalid bitmap count: ${count}`);
    const dv = new Bitmap64DeletionVector();
    let p = offset + 8;
    let lastKey = -1;
    for (let i = 0; i < Number(count); i++) {
      const key = view.getInt32(p, true);
      p += 4;
      if (key < 0 || key <= lastKey) throw new Error(`Invalid bitmap64 key ${key} after ${lastKey}`);
      // gaps become empty bitmaps, as in Java
      while (dv.bitmaps.length < key) dv.bitmaps.push(new RoaringBitmap32());
      const b = RoaringBitmap32.deserialize(bytes, p);
      p += b.serializedSizeInBytes();
      dv.bitmaps.push(b);
      lastKey = key;
    }
    if (p > end) throw new Error("bitmap64 runs past the end of its entry");
    return dv;
  }
}

/**
 * Reads the entry at `offset` (its size field), dispatching on the magic as Java's
 * `DeletionVector.read`. With `length` (the meta's), checks it the way Java does.
 */
export function readDeletionVector(bytes: Uint8Array, offset = 0, length?: number): DeletionVector {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getInt32(offset, false);
  const magic = view.getInt32(offset + 4, false);
  if (offset + 4 + size > bytes.length) throw new RangeError(`deletion vector at ${offset} (size ${size}) runs past ${bytes.length} bytes`);
  if (magic === DV_MAGIC_V1) {
    if (length !== undefined && size !== length) throw new Error(`Size not match, actual size: ${size}, expected size: ${length}`);
    return new BitmapDeletionVector(RoaringBitmap32.deserialize(bytes, offset + 8));
  }
  if (view.getInt32(offset + 4, true) === DV_MAGIC_V2) {
    if (length !== undefined && size !== length - 8) throw new Error(`Size not match, actual size: ${size}, expected size: ${length - 8}`);
    return Bitmap64DeletionVector.deserializePayload(bytes, offset + 8, offset + 4 + size);
  }
  throw new Error(`Invalid magic number: ${magic}, v1 dv magic number: ${DV_MAGIC_V1}, v2 dv magic number: ${DV_MAGIC_V2}`);
}

/** Whether the stored CRC of the entry at `offset` matches (Java readers skip it; this is for checks). */
export function deletionVectorChecksumOk(bytes: Uint8Array, offset = 0): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getInt32(offset, false);
  return view.getUint32(offset + 4 + size, false) === crc32(bytes, offset + 4, offset + 4 + size);
}

export interface DeletionVectorIndexFile {
  readonly bytes: Uint8Array;
  /** In write order; `IndexFileMeta`'s row count is `metas.length`, its file size `bytes.length`. */
  readonly metas: DeletionVectorMeta[];
}

/** One index file holding these vectors in order (Java `writeSingleFile`; may be empty: just the version byte). */
export function writeDeletionVectorIndexFile(entries: Iterable<readonly [string, DeletionVector]>): DeletionVectorIndexFile {
  return writeDeletionVectorIndexFiles(entries, Infinity)[0] ?? { bytes: Uint8Array.of(DV_INDEX_FILE_VERSION), metas: [] };
}

/**
 * Index files rolled at `targetSizeBytes` (`deletion-vector.index-file.target-size`,
 * unaware-bucket tables): a file is closed after the entry that takes it past the target.
 */
export function writeDeletionVectorIndexFiles(entries: Iterable<readonly [string, DeletionVector]>, targetSizeBytes: number): DeletionVectorIndexFile[] {
  const files: DeletionVectorIndexFile[] = [];
  let parts: Uint8Array[] = [];
  let metas: DeletionVectorMeta[] = [];
  let pos = 0;
  const finish = (): void => {
    const out = new Uint8Array(pos);
    let p = 0;
    for (const part of parts) {
      out.set(part, p);
      p += part.length;
    }
    files.push({ bytes: out, metas });
  };
  for (const [name, dv] of entries) {
    if (parts.length === 0) {
      parts = [Uint8Array.of(DV_INDEX_FILE_VERSION)];
      metas = [];
      pos = 1;
    }
    const { bytes, length } = dv.serialize();
    metas.push({ dataFileName: name, offset: pos, length, cardinality: BigInt(dv.cardinality) });
    parts.push(bytes);
    pos += bytes.length;
    if (pos > targetSizeBytes) {
      finish();
      parts = [];
    }
  }
  if (parts.length > 0) finish();
  return files;
}

/** Reads the vectors an index file's metas point at, checking the version byte. */
export function readDeletionVectorIndexFile(bytes: Uint8Array, metas: Iterable<DeletionVectorMeta>): Map<string, DeletionVector> {
  if (bytes.length === 0 || bytes[0] !== DV_INDEX_FILE_VERSION) {
    throw new Error(`Version not match, actual version: ${bytes.length === 0 ? -1 : bytes[0]}, expected version: ${DV_INDEX_FILE_VERSION}`);
  }
  const out = new Map<string, DeletionVector>();
  for (const m of metas) out.set(m.dataFileName, readDeletionVector(bytes, m.offset, m.length));
  return out;
}
