/**
 * Warehouse URIs. A plain path or `file:` URI is local; `hdfs://host:port/p`,
 * `s3://bucket/p`, `s3a://bucket/p` and `oss://bucket/p` name the other stores.
 */
import { InvalidPathError } from "./errors.js";

export interface WarehouseUri {
  /** Lower-case scheme; `file` for plain paths. */
  scheme: string;
  /** host[:port] for hdfs, bucket for object stores, "" for local. */
  authority: string;
  /** Absolute path within the store, always starting with `/` ("/" for a bucket root). */
  path: string;
  /** The normalized URI text, without a trailing slash (except a bare root). */
  uri: string;
}

export function parseWarehouseUri(input: string): WarehouseUri {
  if (typeof input !== "string" || input.trim() === "") throw new InvalidPathError("warehouse is empty");
  if (input.includes("\0")) throw new InvalidPathError("warehouse contains NUL");
  const raw = input.trim();
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/.exec(raw);
  if (!m || /^[a-zA-Z]:[\\/]/.test(raw)) {
    if (!raw.startsWith("/")) throw new InvalidPathError(`warehouse must be an absolute path or a URI, got ${JSON.stringify(raw)}`);
    const path = normalizePath(raw);
    return { scheme: "file", authority: "", path, uri: path };
  }
  const scheme = m[1].toLowerCase();
  let rest = m[2];
  let authority = "";
  if (rest.startsWith("//")) {
    rest = rest.slice(2);
    const slash = rest.indexOf("/");
    authority = slash < 0 ? rest : rest.slice(0, slash);
    rest = slash < 0 ? "/" : rest.slice(slash);
  }
  if (!rest.startsWith("/")) throw new InvalidPathError(`warehouse URI ${JSON.stringify(raw)} has a relative path`);
  if (scheme !== "file" && authority === "") throw new InvalidPathError(`warehouse URI ${JSON.stringify(raw)} needs a ${scheme === "hdfs" ? "host" : "bucket"}`);
  const path = normalizePath(rest);
  const uri = scheme === "file" ? path : `${scheme}://${authority}${path === "/" ? "" : path}`;
  return { scheme, authority, path, uri };
}

function normalizePath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") throw new InvalidPathError(`warehouse path ${JSON.stringify(p)} contains '..'`);
    parts.push(seg);
  }
  return "/" + parts.join("/");
}
