/**
 * Paths are URI strings (`file:///wh/db.db/t`, `/wh/db.db/t`, `s3://bucket/wh/…`) joined with
 * `/`. Names that come from users (databases, tables, partitions) go through `safeName`,
 * so no name can climb out of the warehouse.
 */
import { InvalidPathError } from "./errors.js";

/** Joins path segments with single slashes; keeps a scheme's `//`. */
export function joinPath(base: string, ...segments: string[]): string {
  let out = base;
  for (const s of segments) {
    if (s === "") continue;
    out = out.endsWith("/") ? out + s.replace(/^\/+/, "") : `${out}/${s.replace(/^\/+/, "")}`;
  }
  return out;
}

export function pathName(path: string): string {
  const p = path.replace(/\/+$/, "");
  return p.slice(p.lastIndexOf("/") + 1);
}

export function pathParent(path: string): string {
  const p = path.replace(/\/+$/, "");
  const i = p.lastIndexOf("/");
  if (i < 0) return "";
  const parent = p.slice(0, i);
  // keep "s3://bucket/" style roots and "/" intact
  if (parent.endsWith(":/") || parent.endsWith(":") || parent === "") return p.slice(0, i + 1);
  return parent;
}

/**
 * Checks one path segment built from a user-supplied name (database, table, tag…).
 * Rejects what could escape its parent or confuse a filesystem.
 */
export function safeName(kind: string, name: string): string {
  const bad = (why: string): never => {
    throw new InvalidPathError(`invalid ${kind} name ${JSON.stringify(name)}: ${why}`);
  };
  if (typeof name !== "string") bad("not a string");
  if (name.length === 0) bad("empty");
  if (name.trim() !== name) bad("leading or trailing white space");
  if (name === "." || name === "..") bad("'.' and '..' are not names");
  if (name.includes("\0")) bad("contains NUL");
  if (name.includes("/") || name.includes("\\")) bad("contains a path separator");
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) bad("contains a control character");
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(name)) bad("looks like a URI scheme");
  return name;
}

/** Resolves `relative` under `root` and rejects any result outside it. */
export function resolveUnder(root: string, relative: string): string {
  if (relative.includes("\0")) throw new InvalidPathError(`path contains NUL: ${JSON.stringify(relative)}`);
  if (relative.startsWith("/") || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(relative)) {
    throw new InvalidPathError(`expected a relative path under ${root}, got ${JSON.stringify(relative)}`);
  }
  const parts: string[] = [];
  for (const seg of relative.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (parts.length === 0) throw new InvalidPathError(`path ${JSON.stringify(relative)} escapes ${root}`);
      parts.pop();
      continue;
    }
    if (seg.includes("\\")) throw new InvalidPathError(`path ${JSON.stringify(relative)} contains a backslash`);
    parts.push(seg);
  }
  return joinPath(root, ...parts);
}
