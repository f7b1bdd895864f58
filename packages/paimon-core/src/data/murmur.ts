/**
 * Paimon's Murmur3 (x86, 32-bit) variants (`MurmurHashUtils`). All arithmetic is on
 * signed 32-bit ints through Math.imul and `| 0`, so results equal Java's `int` exactly.
 */

export const MURMUR_SEED = 42;

// A module-level alias: global lookups are slow inside vm sandboxes such as jest's.
const imul = Math.imul;

function mixK1(k: number): number {
  k = imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return imul(k, 0x1b873593);
}

function mixH1(h: number, k: number): number {
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

function hashWords(b: Uint8Array, offset: number, alignedEnd: number, seed: number): number {
  let h = seed;
  for (let i = offset; i < alignedEnd; i += 4) {
    h = mixH1(h, mixK1(b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)));
  }
  return h;
}

/**
 * `hashBytesByWords`: the hash of BinaryRow/BinaryArray/BinaryMap sections. `length`
 * must be a multiple of 4 (rows are always a multiple of 8).
 */
export function hashBytesByWords(b: Uint8Array, offset = 0, length = b.length - offset, seed = MURMUR_SEED): number {
  if ((length & 3) !== 0) throw new RangeError(`hashBytesByWords needs a multiple of 4 bytes, got ${length}`);
  return fmix(hashWords(b, offset, offset + length, seed), length);
}

/**
 * `hashBytes`: any length; the tail bytes are mixed one at a time, **sign-extended** as
 * Java bytes are. This is `BinaryString.hashCode`, not the hash used for buckets.
 */
export function hashBytes(b: Uint8Array, offset = 0, length = b.length - offset, seed = MURMUR_SEED): number {
  const aligned = length - (length & 3);
  let h = hashWords(b, offset, offset + aligned, seed);
  for (let i = offset + aligned; i < offset + length; i++) {
    h = mixH1(h, mixK1((b[i] << 24) >> 24));
  }
  return fmix(h, length);
}
