#!/usr/bin/env python3
"""pypaimon side of the write benchmark (tools/bench/README.md).

Generates the same CDC stream as tools/bench/src/generator.ts and the oracle's Bench.java
(splitmix64 seeded 42, six draws per event, live keys with swap-remove) and writes it to
`bench.cdc` with pypaimon 2.1.0: one `new_batch_write_builder()` -> `new_write()` ->
`write_arrow(...)` -> `new_commit().commit(prepare_commit())` per batch.

Row kinds: pypaimon's writer takes each row's _VALUE_KIND from
`pypaimon.write.row_kind.row_kinds(options, data)` (all +I unless the table has
`rowkind.field`). Like oracle.py, this script hooks that function; here the hook returns
the per-row kinds of the batch being written. The batch is split by bucket with the table
write's own row-key extractor (exactly what write_arrow does internally) and each bucket's
rows are written with `write_arrow(rows, bucket=b)` while the hook holds those rows' kinds.
oracle.py's `_install_write_hooks()` is reused, which also fixes pypaimon 2.1.0's
`_DELETE_ROW_COUNT` (always 0) in the file metadata.

  .venv/bin/python bench.py --warehouse DIR [--rows N] [--batch N]   -> one JSON line of timings
  .venv/bin/python bench.py --digest [--rows N]                      -> generator digests
"""

import argparse
import hashlib
import json
import os
import struct
import sys
import threading
import time

import numpy as np
import pyarrow as pa

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402  (the pypaimon oracle: catalog, schema parser, write hooks)

TABLE = "bench.cdc"
SEED = 42
GAMMA = 0x9E3779B97F4A7C15
DRAWS = 6
UPDATED_AT_BASE_MICROS = 1_700_000_000_000_000
INSERT, UPDATE, DELETE = 0, 2, 3
KIND_NAMES = ["+I", "-U", "+U", "-D"]

CREATE = {
    "fields": [
        {"name": "id", "type": "BIGINT NOT NULL"},
        {"name": "name", "type": "STRING"},
        {"name": "age", "type": "INT"},
        {"name": "score", "type": "DOUBLE"},
        {"name": "amount", "type": "DECIMAL(18, 2)"},
        {"name": "birthday", "type": "DATE"},
        {"name": "updated_at", "type": "TIMESTAMP(6)"},
        {"name": "active", "type": "BOOLEAN"},
        {"name": "category", "type": "STRING"},
        {"name": "qty", "type": "BIGINT"},
    ],
    "primaryKeys": ["id"],
    "options": {"bucket": "4", "file.format": "parquet", "file.compression": "zstd"},
}

_U64 = np.uint64


def splitmix64(first, count):
    """Outputs first .. first+count-1 (1-based) of splitmix64 seeded SEED, as uint64."""
    n = np.arange(first, first + count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = _U64(SEED) + n * _U64(GAMMA)
        z = (z ^ (z >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> _U64(27))) * _U64(0x94D049BB133111EB)
    return z ^ (z >> _U64(31))


class Generator:
    def __init__(self):
        self.live = []
        self.next_id = 1
        self.event = 0

    def next(self, size):
        """The next `size` events as a dict of numpy columns / lists."""
        start = self.event
        d = splitmix64(start * DRAWS + 1, size * DRAWS).reshape(size, DRAWS)
        hi = d >> _U64(32)
        lo = d & _U64(0xFFFFFFFF)
        u = (hi[:, 0] % _U64(100)).tolist()
        l0 = lo[:, 0].tolist()
        kinds = bytearray(size)
        ids = [0] * size
        live = self.live
        next_id = self.next_id
        for k in range(size):
            if not live or u[k] >= 25:
                key = next_id
                next_id += 1
                live.append(key)
                # kinds[k] = INSERT (0)
            else:
                p = l0[k] % len(live)
                key = live[p]
                if u[k] < 5:
                    live[p] = live[-1]
                    live.pop()
                    kinds[k] = DELETE
                else:
                    kinds[k] = UPDATE
            ids[k] = key
        self.next_id = next_id
        self.event += size
        n = (hi[:, 1] % _U64(1_000_000)).astype(np.int64)
        name_num = np.where(n % 50 == 0, -1, n)
        events = np.arange(start, start + size, dtype=np.int64)
        return {
            "start": start,
            "size": size,
            "kinds": np.frombuffer(bytes(kinds), dtype=np.uint8),
            "id": np.array(ids, dtype=np.int64),
            "name_num": name_num,
            "age": (18 + lo[:, 1] % _U64(80)).astype(np.int32),
            "score": hi[:, 2].astype(np.float64) / 4294967296.0 * 1000.0,
            "amount_cents": (lo[:, 2] % _U64(10_000_000)).astype(np.int64) - 5_000_000,
            "birthday": ((hi[:, 3] % _U64(36_525)).astype(np.int64) - 7_305).astype(np.int32),
            "updated_at_micros": UPDATED_AT_BASE_MICROS + events * 1_000_000 + (lo[:, 3] % _U64(1_000_000)).astype(np.int64),
            "active": (hi[:, 4] & _U64(1)) == _U64(1),
            "category": (lo[:, 4] % _U64(16)).astype(np.int64),
            "qty": d[:, 5].view(np.int64),
        }


def names(b):
    return [None if x < 0 else "name-%d" % x for x in b["name_num"].tolist()]


def categories(b):
    return ["cat-%d" % x for x in b["category"].tolist()]


def row_lines(b):
    nm = names(b)
    cat = categories(b)
    score_hex = [struct.pack(">d", x).hex() for x in b["score"].tolist()]
    cols = [b["id"].tolist(), nm, b["age"].tolist(), score_hex, b["amount_cents"].tolist(),
            b["birthday"].tolist(), b["updated_at_micros"].tolist(),
            [1 if x else 0 for x in b["active"].tolist()], cat, b["qty"].tolist()]
    out = []
    for i in range(b["size"]):
        out.append("\t".join("\\N" if c[i] is None else str(c[i]) for c in cols))
    return out


def digests(rows):
    gen = Generator()
    stream = hashlib.sha256()
    latest = {}
    done = 0
    while done < rows:
        n = min(10_000, rows - done)
        b = gen.next(n)
        kinds = b["kinds"].tolist()
        ids = b["id"].tolist()
        for i, line in enumerate(row_lines(b)):
            stream.update(("%s\t%s\n" % (KIND_NAMES[kinds[i]], line)).encode("utf-8"))
            if kinds[i] == DELETE:
                latest.pop(ids[i], None)
            else:
                latest[ids[i]] = int.from_bytes(hashlib.sha256(line.encode("utf-8")).digest()[:8], "big")
        done += n
    total = sum(latest.values()) & 0xFFFFFFFFFFFFFFFF
    return {"impl": "pypaimon", "events": rows, "streamDigest": stream.hexdigest(),
            "finalRows": len(latest), "contentDigest": "%016x" % total, "liveKeys": len(gen.live)}


def decimal_array(cents, precision, scale):
    """int64 unscaled values -> decimal128(p, s) without Python Decimal objects."""
    lo = cents.astype(np.int64)
    hi = np.where(lo < 0, -1, 0).astype(np.int64)
    buf = np.empty(len(lo) * 2, dtype=np.int64)
    buf[0::2] = lo
    buf[1::2] = hi
    return pa.Array.from_buffers(pa.decimal128(precision, scale), len(lo), [None, pa.py_buffer(buf.tobytes())])


def to_arrow(b, schema):
    arrays = [
        pa.array(b["id"], type=pa.int64()),
        pa.array(names(b), type=pa.string()),
        pa.array(b["age"], type=pa.int32()),
        pa.array(b["score"], type=pa.float64()),
        decimal_array(b["amount_cents"], 18, 2),
        pa.array(b["birthday"], type=pa.int32()).cast(pa.date32()),
        pa.array(b["updated_at_micros"], type=pa.int64()).cast(pa.timestamp("us")),
        pa.array(b["active"], type=pa.bool_()),
        pa.array(categories(b), type=pa.string()),
        pa.array(b["qty"], type=pa.int64()),
    ]
    arrays = [a if a.type == f.type else a.cast(f.type) for a, f in zip(arrays, schema)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


# Per-row row kinds for the rows being written (see the module docstring).
_kinds = threading.local()


def _install_kind_hook():
    oracle._install_write_hooks()
    import pypaimon.write.row_kind as rk
    inner = rk.row_kinds

    def row_kinds(options, data):
        kinds = getattr(_kinds, "value", None)
        if kinds is None:
            return inner(options, data)
        if len(kinds) != data.num_rows:
            raise RuntimeError("bench: %d row kinds for %d rows" % (len(kinds), data.num_rows))
        return kinds

    rk.row_kinds = row_kinds


def write(warehouse, rows, batch):
    catalog = oracle.open_catalog(warehouse)
    catalog.create_database("bench", True)
    catalog.create_table(TABLE, oracle.build_schema(CREATE), False)
    table = catalog.get_table(TABLE)
    schema = oracle.PyarrowFieldParser.from_paimon_schema(table.table_schema.fields)
    _install_kind_hook()
    gen = Generator()
    gen_s = write_s = commit_s = 0.0
    batches = 0
    t0 = time.perf_counter()
    done = 0
    while done < rows:
        n = min(batch, rows - done)
        a = time.perf_counter()
        b = gen.next(n)
        data = to_arrow(b, schema)
        kinds = b["kinds"].astype(np.int8)
        bt = time.perf_counter()
        wb = table.new_batch_write_builder()
        tw = wb.new_write()
        tc = wb.new_commit()
        try:
            for _partition, bucket, idx in tw.row_key_extractor.extract_partition_bucket_groups(data):
                sub = data if idx is None else data.take(idx)
                _kinds.value = (kinds if idx is None else kinds[idx.to_numpy()]).tolist()
                try:
                    tw.write_arrow(sub, bucket=bucket)
                finally:
                    _kinds.value = None
            messages = tw.prepare_commit()
            c = time.perf_counter()
            tc.commit(messages)
            dt = time.perf_counter()
        finally:
            try:
                tw.close()
            finally:
                tc.close()
        gen_s += bt - a
        write_s += c - bt
        commit_s += dt - c
        batches += 1
        done += n
    loop_s = time.perf_counter() - t0
    latest = table.snapshot_manager().get_latest_snapshot()
    return {"impl": "pypaimon", "events": rows, "batches": batches,
            "snapshots": 0 if latest is None else latest.id,
            "genMs": gen_s * 1000, "writeMs": write_s * 1000, "commitMs": commit_s * 1000,
            "loopMs": loop_s * 1000}


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--warehouse")
    p.add_argument("--rows", type=lambda s: int(s.replace("_", "")), default=1_000_000)
    p.add_argument("--batch", type=lambda s: int(s.replace("_", "")), default=10_000)
    p.add_argument("--digest", action="store_true")
    a = p.parse_args(argv)
    if a.rows <= 0 or a.batch <= 0:
        p.error("--rows and --batch must be positive")
    if a.digest:
        t0 = time.perf_counter()
        out = digests(a.rows)
        out["ms"] = (time.perf_counter() - t0) * 1000
    else:
        if not a.warehouse:
            p.error("--warehouse DIR is required")
        out = write(a.warehouse, a.rows, a.batch)
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
