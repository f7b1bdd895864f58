/** Types for the `snappyjs` package (raw snappy, no framing), which ships none. */
declare module "snappyjs" {
  interface SnappyJS {
    compress(input: Uint8Array): Uint8Array;
    uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
  }
  const snappy: SnappyJS;
  export = snappy;
}
