import { writeFileSync } from "node:fs";
import { parquetWriteAsync } from "../src/format/index.js";
import { DataTypes as T } from "../src/types/datatype.js";
import { vectorOf } from "../src/data/vector.js";
import { timestamp } from "../src/data/values.js";

it("bisect", async () => {
  const F = T.FIELD;
  const cases: [string, any, any][] = [
    ["int", T.INT(), 1], ["tiny", T.TINYINT(), 1], ["dec", T.DECIMAL(5, 2), 1n], ["dec38", T.DECIMAL(38, 2), 1n], ["str", T.STRING(), "a"],
    ["date", T.DATE(), 1], ["time", T.TIME(3), 1], ["ts3", T.TIMESTAMP(3), timestamp(1n)], ["ts9", T.TIMESTAMP(9), timestamp(1n)],
    ["arr", T.ARRAY(T.INT()), [1]], ["map", T.MAP(T.STRING(false), T.INT()), { keys: ["a"], values: [1] }], ["row", T.ROW([F(5, "x", T.INT())]), [1]],
  ];
  for (const [name, t, v] of cases) {
    const fields = [F(1, "c", t)];
    const file = await parquetWriteAsync(fields, { numRows: 1, names: ["c"], columns: [vectorOf(t, [v])] }, { compression: "none" });
    writeFileSync(`/tmp/fmt/bisect/${name}.parquet`, file);
  }
});
