import type { DataType } from "@paimon-ts/paimon-core";
import { ConversionError, valueToPaimon, type ConversionRule, type ToPaimonOptions } from "../src/index.js";

/** An expected failure in a case table. */
export interface Fails {
  fails: ConversionRule;
  path?: string;
}
export const fails = (rule: ConversionRule, path?: string): Fails => ({ fails: rule, ...(path !== undefined ? { path } : {}) });

export type Case = [label: string, type: DataType, input: unknown, expected: unknown, opts?: ToPaimonOptions];

export function checkToPaimon([, type, input, expected, opts]: Case): void {
  const out = valueToPaimon(type, { field: "col", ...opts })(input);
  if (expected && typeof expected === "object" && "fails" in expected) {
    const want = expected as Fails;
    expect(out).toBeInstanceOf(ConversionError);
    const e = out as ConversionError;
    expect(e.rule).toBe(want.fails);
    expect(e.field).toBe("col");
    if (want.path !== undefined) expect(e.path).toBe(want.path);
  } else {
    if (out instanceof ConversionError) throw new Error(`unexpected ${out.message}`);
    expect(out).toEqual(expected);
  }
}

export const ts = (millis: number | bigint, nanoOfMilli = 0) => ({ millis: BigInt(millis), nanoOfMilli });
