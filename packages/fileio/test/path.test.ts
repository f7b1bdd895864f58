import {
  AlreadyExistsError,
  CommitStateUnknownError,
  FileIORegistry,
  InvalidPathError,
  NotFoundError,
  RetryableError,
  isConflict,
  isRetryable,
  joinPath,
  parseWarehouseUri,
  pathName,
  pathParent,
  resolveUnder,
  safeName,
} from "../src/index.js";

describe("safeName rejects names that could escape the warehouse", () => {
  it.each([
    ["..", /'\.' and '\.\.'/],
    [".", /'\.' and '\.\.'/],
    ["", /empty/],
    ["a/b", /separator/],
    ["a\\b", /separator/],
    ["../etc", /separator/],
    ["/abs", /separator/],
    ["nul\0x", /NUL/],
    ["tab\tname", /control/],
    [" padded", /white space/],
    ["s3:bucket", /scheme/],
  ])("%j", (name, why) => {
    expect(() => safeName("table", name)).toThrow(InvalidPathError);
    expect(() => safeName("table", name)).toThrow(why);
    expect(() => safeName("table", name)).toThrow(/invalid table name/);
  });
  it.each(["orders", "my_db", "dt=2024-01-01", "日本語", "a.b", "x-y z"])("accepts %j", (name) => {
    expect(safeName("database", name)).toBe(name);
  });
});

describe("resolveUnder", () => {
  it("keeps paths inside the root", () => {
    expect(resolveUnder("/wh", "db.db/t/./schema")).toBe("/wh/db.db/t/schema");
    expect(resolveUnder("s3://b/wh", "a/../b")).toBe("s3://b/wh/b");
  });
  it.each(["../x", "a/../../x", "/etc/passwd", "file:///etc", "a\0b", "a\\..\\b"])("rejects %j", (rel) => {
    expect(() => resolveUnder("/wh", rel)).toThrow(InvalidPathError);
  });
});

describe("paths", () => {
  it("joins, names and parents", () => {
    expect(joinPath("/wh", "db.db", "t")).toBe("/wh/db.db/t");
    expect(joinPath("s3://bucket/", "wh")).toBe("s3://bucket/wh");
    expect(joinPath("hdfs://nn:9000/wh/", "/x")).toBe("hdfs://nn:9000/wh/x");
    expect(pathName("/wh/db.db/t/")).toBe("t");
    expect(pathParent("/wh/db.db/t")).toBe("/wh/db.db");
    expect(pathParent("s3://bucket/wh")).toBe("s3://bucket");
  });
});

describe("warehouse URIs", () => {
  it.each([
    ["/tmp/wh", "file", "", "/tmp/wh", "/tmp/wh"],
    ["/tmp/wh/", "file", "", "/tmp/wh", "/tmp/wh"],
    ["file:///tmp/wh", "file", "", "/tmp/wh", "/tmp/wh"],
    ["file:/tmp/wh", "file", "", "/tmp/wh", "/tmp/wh"],
    ["hdfs://namenode:9000/user/hive/wh", "hdfs", "namenode:9000", "/user/hive/wh", "hdfs://namenode:9000/user/hive/wh"],
    ["s3://bucket/wh", "s3", "bucket", "/wh", "s3://bucket/wh"],
    ["S3A://bucket/a/b/", "s3a", "bucket", "/a/b", "s3a://bucket/a/b"],
    ["oss://bucket", "oss", "bucket", "/", "oss://bucket"],
  ])("%s", (input, scheme, authority, path, uri) => {
    expect(parseWarehouseUri(input)).toEqual({ scheme, authority, path, uri });
  });
  it.each(["", "relative/path", "s3:///nobucket", "/a/../b", "hdfs:relative"])("rejects %j", (bad) => {
    expect(() => parseWarehouseUri(bad)).toThrow(InvalidPathError);
  });
});

describe("typed errors", () => {
  it("carry codes and retryability", () => {
    expect(new NotFoundError("/x").code).toBe("NOT_FOUND");
    expect(isRetryable(new RetryableError("slow down"))).toBe(true);
    expect(isRetryable(new NotFoundError("/x"))).toBe(false);
    expect(isConflict(new AlreadyExistsError("/x"))).toBe(true);
    expect(isConflict(new NotFoundError("/x"))).toBe(false);
    expect(new CommitStateUnknownError("timeout").code).toBe("COMMIT_STATE_UNKNOWN");
    expect(isRetryable(new Error("plain"))).toBe(false);
  });
});

describe("registry", () => {
  it("routes schemes and names the missing ones", async () => {
    const fake = { scheme: "s3" } as never;
    const r = new FileIORegistry().register(["s3", "s3a"], () => fake);
    expect((await r.create("s3a://b/wh")).io).toBe(fake);
    expect((await r.create("s3://b/wh")).uri.authority).toBe("b");
    await expect(r.create("oss://b/wh")).rejects.toThrow(/no FileIO registered for scheme 'oss'.*registered: s3, s3a/);
  });
});
