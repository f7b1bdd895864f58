/** Offline tests: endpoints, options, paths and the RemoteException mapping (no server). */
import {
  AlreadyExistsError,
  FileIORegistry,
  InvalidInputError,
  InvalidPathError,
  NotFoundError,
  PermissionError,
  RetryableError,
  isRetryable,
} from "@paimon-ts/fileio";
import { HdfsFileIO, encodeHdfsPath, mapRemoteError, parseHdfsOptions, registerHdfs, webHdfsEndpoints } from "../src/index.js";

describe("WebHDFS endpoints", () => {
  it("maps hdfs://host:rpcPort to the WebHDFS HTTP port, never the RPC port", () => {
    expect(webHdfsEndpoints("nn.example:9000")).toEqual(["http://nn.example:9870"]);
    expect(webHdfsEndpoints("nn.example:8020", { httpPort: 50070 })).toEqual(["http://nn.example:50070"]);
    expect(webHdfsEndpoints("[::1]:9000")).toEqual(["http://[::1]:9870"]);
    expect(webHdfsEndpoints("nn:9000", { https: true, httpPort: 9871 })).toEqual(["https://nn:9871"]);
  });

  it("takes explicit hosts (HA pairs) and endpoints", () => {
    expect(webHdfsEndpoints("mycluster", { host: "nn1, nn2:9871" })).toEqual(["http://nn1:9870", "http://nn2:9871"]);
    expect(webHdfsEndpoints("mycluster", { host: ["nn1", "nn2"] })).toEqual(["http://nn1:9870", "http://nn2:9870"]);
    expect(webHdfsEndpoints("nn:9000", { endpoint: "http://a:1,http://b:2", host: "ignored" })).toEqual(["http://a:1", "http://b:2"]);
  });

  it("builds NameNode URLs with encoded paths and user.name", () => {
    const io = new HdfsFileIO("hdfs://127.0.0.1:9000/wh", { user: "etl" });
    const url = io.client.url(io.client.endpoints[0], { path: "/wh/日 x=y/a%3Ab+c", op: "RENAME", params: { destination: "/wh/t 2", skip: undefined } });
    expect(url).toBe(
      "http://127.0.0.1:9870/webhdfs/v1/wh/%E6%97%A5%20x%3Dy/a%253Ab%2Bc?op=RENAME&user.name=etl&destination=%2Fwh%2Ft%202",
    );
    expect(encodeHdfsPath("/")).toBe("/");
  });

  it("rejects endpoints that are not http(s)://host:port", () => {
    expect(() => new HdfsFileIO("hdfs://nn:9000", { endpoint: "nn:9870" })).toThrow(InvalidInputError);
    expect(() => new HdfsFileIO("hdfs://nn:9000", { endpoint: "http://nn:9870/webhdfs/v1" })).toThrow(InvalidInputError);
  });
});

describe("options and paths", () => {
  it("parses loose catalog options, ignoring unknown keys", () => {
    expect(
      parseHdfsOptions({ endpoint: "http://a:1", user: "u", httpPort: "50070", maxRetries: 2, legacyRename: "true", other: 1 }),
    ).toEqual({ endpoint: ["http://a:1"], user: "u", httpPort: 50070, maxRetries: 2, legacyRename: true });
    expect(() => parseHdfsOptions({ httpPort: "x" })).toThrow(InvalidInputError);
  });

  it("serves only hdfs:// paths of its own cluster", () => {
    const io = new HdfsFileIO("hdfs://nn:9000/wh");
    expect(io.hdfsPath("hdfs://nn:9000/wh/db.db/t")).toBe("/wh/db.db/t");
    expect(io.hdfsPath("hdfs://NN:9000/")).toBe("/");
    expect(() => io.hdfsPath("hdfs://other:9000/wh")).toThrow(InvalidPathError);
    expect(() => io.hdfsPath("/wh/x")).toThrow(InvalidPathError);
    expect(() => io.hdfsPath("s3://nn:9000/wh")).toThrow(InvalidPathError);
    expect(() => io.hdfsPath("hdfs://nn:9000/wh/../etc")).toThrow(InvalidPathError);
    expect(() => new HdfsFileIO("s3://bucket/wh")).toThrow(InvalidPathError);
  });

  it("registers for the hdfs scheme, create-time options overriding registration options", async () => {
    const registry = registerHdfs(new FileIORegistry(), { httpPort: 1234, user: "a" });
    expect(registry.schemes()).toEqual(["hdfs"]);
    const { io, uri } = await registry.create("hdfs://nn:9000/wh", { user: "b" });
    expect(io).toBeInstanceOf(HdfsFileIO);
    expect(uri.authority).toBe("nn:9000");
    expect((io as HdfsFileIO).client.endpoints).toEqual(["http://nn:1234"]);
    expect((io as HdfsFileIO).client.user).toBe("b");
    await io.close();
  });
});

describe("RemoteException mapping", () => {
  const map = (status: number, exception: string, message = "m") => mapRemoteError(status, { exception, message }, "hdfs://nn:9000/p", "OP");

  it("maps exception names to typed errors", () => {
    expect(map(404, "FileNotFoundException")).toBeInstanceOf(NotFoundError);
    expect(map(403, "FileAlreadyExistsException")).toBeInstanceOf(AlreadyExistsError);
    expect(map(403, "AccessControlException", "Permission denied: user=x")).toBeInstanceOf(PermissionError);
    // a path below a file: HDFS says "access control", it means "no such path"
    expect(map(403, "AccessControlException", "/a/file (is not a directory)")).toBeInstanceOf(NotFoundError);
    expect(map(403, "ParentNotDirectoryException")).toBeInstanceOf(InvalidPathError);
    expect(map(400, "IllegalArgumentException")).toBeInstanceOf(InvalidInputError);
    for (const t of ["RetriableException", "StandbyException", "SafeModeException"]) {
      const e = map(403, t);
      expect(e).toBeInstanceOf(RetryableError);
      expect(isRetryable(e)).toBe(true);
    }
    expect(mapRemoteError(503, undefined, "p", "OP")).toBeInstanceOf(RetryableError);
    const io = map(500, "IOException", "boom\n\tat org.apache.Foo(Foo.java:1)");
    expect(io.code).toBe("IO");
    expect(isRetryable(io)).toBe(false);
    expect(io.message).not.toContain("Foo.java"); // stack traces stay out of messages
    expect(io.message).toContain("boom");
  });
});
