/**
 * Exactly-once bookkeeping in the task state (`ctx.stateMap`), one entry per table:
 *
 *   key   paimon.commit-state.v1.<sha256 of warehouse + table, 40 hex>
 *   value {"version":1,"commitUser":"paimon-ts-<32 hex>","nextIdentifier":"N","committedOffset":…}
 *
 * The commit user is created once and never changes, so every snapshot the task commits
 * carries it; identifiers only grow. The snapshot files are the truth: on bind, the state
 * is reconciled with the latest snapshot of the commit user (identifier + 1, and the
 * source offset recorded in that snapshot's properties), so a crash between a commit and
 * the state update loses nothing. No secret ever enters the key or the value.
 */
import { createHash, randomBytes } from "node:crypto";
import type { KVMap } from "./pdk.js";

export const STATE_KEY_PREFIX = "paimon.commit-state.v1.";
/** Snapshot property holding the source offset of the last record of the commit (JSON). */
export const OFFSET_PROPERTY = "tapdata.stream-offset";

export interface CommitState {
  version: 1;
  commitUser: string;
  /** The identifier of the next commit (decimal string: a Java long). */
  nextIdentifier: bigint;
  /** The source offset of the last record committed, when records carried one. */
  committedOffset?: unknown;
}

export class StateError extends Error {
  override name = "StateError";
}

export function stateKey(warehouse: string, table: string): string {
  const h = createHash("sha256").update(normalizeWarehouse(warehouse)).update("\n").update(table).digest("hex");
  return STATE_KEY_PREFIX + h.slice(0, 40);
}

/** Lower-case scheme and authority, no user info, query, fragment or trailing slash. */
export function normalizeWarehouse(w: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/.exec(w.trim());
  if (!m) return w.trim().replace(/\/+$/, "") || "/";
  const authority = m[2].replace(/^[^@]*@/, "").toLowerCase();
  const path = m[3].replace(/\/+$/, "");
  return `${m[1].toLowerCase()}://${authority}${path}`;
}

export function newCommitUser(): string {
  return `paimon-ts-${randomBytes(16).toString("hex")}`;
}

function encode(s: CommitState): string {
  const o: Record<string, unknown> = { version: 1, commitUser: s.commitUser, nextIdentifier: s.nextIdentifier.toString() };
  if (s.committedOffset !== undefined) o.committedOffset = s.committedOffset;
  return JSON.stringify(o);
}

function decode(key: string, v: unknown): CommitState {
  let o: unknown = v;
  if (typeof v === "string") {
    try {
      o = JSON.parse(v);
    } catch {
      throw new StateError(`state ${key}: not JSON`);
    }
  }
  if (o === null || typeof o !== "object") throw new StateError(`state ${key}: expected an object`);
  const r = o as Record<string, unknown>;
  if (r.version !== 1) throw new StateError(`state ${key}: unsupported version`);
  if (typeof r.commitUser !== "string" || !/^[\w.-]{1,200}$/.test(r.commitUser)) throw new StateError(`state ${key}: invalid commitUser`);
  const next = r.nextIdentifier;
  if (!((typeof next === "string" && /^\d{1,19}$/.test(next)) || (typeof next === "number" && Number.isSafeInteger(next) && next >= 0))) throw new StateError(`state ${key}: invalid nextIdentifier`);
  const out: CommitState = { version: 1, commitUser: r.commitUser, nextIdentifier: BigInt(next) };
  if (r.committedOffset !== undefined) out.committedOffset = r.committedOffset;
  return out;
}

/** The commit state of one table, bound to a state map. */
export class CommitStateStore {
  private current: CommitState;

  private constructor(
    private readonly map: KVMap<unknown>,
    readonly key: string,
    state: CommitState,
  ) {
    this.current = state;
  }

  /** Loads the table's state, creating it (with a new commit user) on first use. */
  static bind(map: KVMap<unknown>, warehouse: string, table: string): CommitStateStore {
    const key = stateKey(warehouse, table);
    const existing = map.get(key);
    if (existing !== undefined && existing !== null) return new CommitStateStore(map, key, decode(key, existing));
    const fresh: CommitState = { version: 1, commitUser: newCommitUser(), nextIdentifier: 1n };
    const winner = map.putIfAbsent(key, encode(fresh));
    return new CommitStateStore(map, key, winner === undefined || winner === null ? fresh : decode(key, winner));
  }

  get state(): Readonly<CommitState> {
    return this.current;
  }

  get commitUser(): string {
    return this.current.commitUser;
  }

  get nextIdentifier(): bigint {
    return this.current.nextIdentifier;
  }

  /** Records a commit: identifiers never go back, the user never changes. */
  save(nextIdentifier: bigint, committedOffset?: unknown): void {
    if (nextIdentifier < this.current.nextIdentifier) throw new StateError(`state ${this.key}: the next identifier cannot go back`);
    const next: CommitState = { ...this.current, nextIdentifier };
    if (committedOffset !== undefined) next.committedOffset = committedOffset;
    const stored = this.map.get(this.key);
    if (stored !== undefined && stored !== null && decode(this.key, stored).commitUser !== this.current.commitUser) {
      throw new StateError(`state ${this.key}: the commit user changed underneath this writer`);
    }
    this.map.put(this.key, encode(next));
    this.current = next;
  }

  /** Forgets the table (after a drop). */
  remove(): void {
    this.map.remove(this.key);
  }
}
