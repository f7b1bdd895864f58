#!/usr/bin/env python3
"""pypaimon test oracle for paimon-ts.

Drives the official Python implementation of Apache Paimon (pypaimon 2.1.0) and prints
what it reads / writes as JSON in the canonical encoding of
shared/fixtures/pypaimon/ENCODING.md.

Commands (stdout is exactly one JSON document; errors go to stderr, exit code != 0):

  read-table WAREHOUSE DB.TABLE [--snapshot N] [--tag NAME] [--option KEY=VALUE]...
  describe   WAREHOUSE DB.TABLE
  write      SPEC.json | -
  serve      (JSON lines on stdin -> JSON lines on stdout)
  version

See README.md beside this file.
"""

import base64
import contextlib
import datetime as _dt
import decimal
import json
import math
import os
import platform
import re
import sys
import threading
import traceback

import pyarrow as pa

from pypaimon import CatalogFactory
from pypaimon.schema.data_types import (
    ArrayType,
    AtomicInteger,
    AtomicType,
    DataField,
    DataType,
    DataTypeParser,
    MapType,
    MultisetType,
    PyarrowFieldParser,
    RowType,
    VectorType,
)
from pypaimon.schema.schema import Schema

PYPAIMON_VERSION = "2.1.0"


class OracleError(Exception):
    """An error reported to the caller as-is (no traceback)."""


# --------------------------------------------------------------------------------------
# Paimon type helpers
# --------------------------------------------------------------------------------------

_PREC_RE = re.compile(r"\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)")


class Atomic:
    """Parsed view of an AtomicType: base kind plus precision/scale."""

    __slots__ = ("kind", "precision", "scale", "ltz")

    def __init__(self, type_string):
        s = type_string.upper().strip()
        for suffix in (" NOT NULL", " NULL"):
            if s.endswith(suffix):
                s = s[: -len(suffix)].rstrip()
        self.ltz = s.startswith("TIMESTAMP_LTZ") or "WITH LOCAL TIME ZONE" in s
        base = re.split(r"[\s(]", s, maxsplit=1)[0]
        m = _PREC_RE.search(s)
        p = int(m.group(1)) if m else None
        sc = int(m.group(2)) if m and m.group(2) is not None else None
        self.precision = p
        self.scale = sc
        if base in ("TINYINT", "SMALLINT", "INT", "INTEGER"):
            self.kind = "int"
        elif base == "BIGINT":
            self.kind = "bigint"
        elif base == "BOOLEAN":
            self.kind = "boolean"
        elif base in ("FLOAT", "DOUBLE"):
            self.kind = "float"
        elif base in ("DECIMAL", "NUMERIC", "DEC"):
            self.kind = "decimal"
            self.precision = 10 if p is None else p
            self.scale = 0 if sc is None else sc
        elif base in ("CHAR", "VARCHAR", "STRING"):
            self.kind = "string"
        elif base in ("BINARY", "VARBINARY", "BYTES", "BLOB"):
            self.kind = "binary"
        elif base == "DATE":
            self.kind = "date"
        elif base in ("TIMESTAMP", "TIMESTAMP_LTZ"):
            self.kind = "timestamp"
            self.precision = 6 if p is None else p
        elif base == "TIME":
            self.kind = "time"
            self.precision = 0 if p is None else p
        elif base == "VARIANT":
            self.kind = "variant"
        else:
            raise OracleError("pypaimon oracle: unsupported type %s" % type_string)


_ATOMIC_CACHE = {}


def atomic(t):
    key = t.type
    a = _ATOMIC_CACHE.get(key)
    if a is None:
        a = Atomic(key)
        _ATOMIC_CACHE[key] = a
    return a


def type_string(t):
    """The type text shown in `columns[].type` (pypaimon's str(DataType))."""
    return str(t)


# --------------------------------------------------------------------------------------
# Canonical encoding (Paimon value -> JSON), see ENCODING.md
# --------------------------------------------------------------------------------------

_EPOCH_DATE = _dt.date(1970, 1, 1)
_EPOCH = _dt.datetime(1970, 1, 1)
_NANOS_PER_UNIT = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


def enc_float(x):
    if x is None:
        return None
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def enc_decimal_unscaled(u, s):
    digits = str(abs(u)).rjust(s + 1, "0")
    sign = "-" if u < 0 else ""
    if s > 0:
        return sign + digits[: len(digits) - s] + "." + digits[len(digits) - s:]
    return sign + digits


def decimal_to_unscaled(d, s):
    """Exact unscaled integer of Decimal d at scale s (error if d has more digits)."""
    if not d.is_finite():
        raise OracleError("pypaimon oracle: non-finite decimal %s" % d)
    sign, digits, exp = d.as_tuple()
    u = int("".join(str(x) for x in digits) or "0")
    shift = exp + s
    if shift >= 0:
        u = u * (10 ** shift)
    else:
        q, r = divmod(u, 10 ** (-shift))
        if r != 0:
            raise OracleError("pypaimon oracle: decimal %s has more than %d fraction digits" % (d, s))
        u = q
    return -u if sign else u


def enc_date_days(days):
    d = _EPOCH_DATE + _dt.timedelta(days=days)
    return "%04d-%02d-%02d" % (d.year, d.month, d.day)


def _frac(nanos, p):
    return ("." + ("%09d" % nanos)[:p]) if p > 0 else ""


def enc_timestamp_nanos(total_ns, p, ltz):
    secs, nanos = divmod(total_ns, 1_000_000_000)
    d = _EPOCH + _dt.timedelta(seconds=secs)
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % (d.year, d.month, d.day, d.hour, d.minute, d.second)
    return text + _frac(nanos, p) + ("Z" if ltz else "")


def enc_time_nanos(total_ns, p):
    secs, nanos = divmod(total_ns, 1_000_000_000)
    h, rem = divmod(secs, 3600)
    m, sec = divmod(rem, 60)
    return "%02d:%02d:%02d" % (h, m, sec) + _frac(nanos, p)


def enc_b64(b):
    return None if b is None else base64.b64encode(bytes(b)).decode("ascii")


def map_key_text(k):
    return json.dumps(k, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def sort_map_pairs(pairs):
    pairs.sort(key=lambda kv: map_key_text(kv[0]))
    return pairs


def _temporal_ints(arr):
    """Raw int values of a date/time/timestamp arrow array (None for nulls)."""
    width = pa.int32() if arr.type.bit_width == 32 else pa.int64()
    return arr.cast(width).to_pylist()


def enc_array(arr, t):
    """Encode an arrow Array / ChunkedArray of Paimon type t into a list of JSON values."""
    if isinstance(arr, pa.ChunkedArray):
        out = []
        for chunk in arr.chunks:
            out.extend(enc_array(chunk, t))
        return out
    n = len(arr)
    if n == 0:
        return []
    valid = [True] * n if arr.null_count == 0 else arr.is_valid().to_pylist()

    if isinstance(t, (ArrayType, VectorType)):
        offsets = arr.offsets.to_pylist() if not isinstance(t, VectorType) else None
        if isinstance(t, VectorType):
            flat = arr.values
            size = arr.type.list_size
            start = arr.offset * size
            offsets = [start + i * size for i in range(n + 1)]
        else:
            flat = arr.values
        elems = enc_array(flat, t.element)
        return [elems[offsets[i]:offsets[i + 1]] if valid[i] else None for i in range(n)]

    if isinstance(t, MapType):
        offsets = arr.offsets.to_pylist()
        keys = enc_array(arr.keys, t.key)
        items = enc_array(arr.items, t.value)
        out = []
        for i in range(n):
            if not valid[i]:
                out.append(None)
                continue
            a, b = offsets[i], offsets[i + 1]
            out.append(sort_map_pairs([[keys[j], items[j]] for j in range(a, b)]))
        return out

    if isinstance(t, MultisetType):
        # MULTISET<T> is stored as MAP<T, INT> (element -> count).
        offsets = arr.offsets.to_pylist()
        keys = enc_array(arr.keys, t.element)
        counts = arr.items.to_pylist()
        out = []
        for i in range(n):
            if not valid[i]:
                out.append(None)
                continue
            a, b = offsets[i], offsets[i + 1]
            out.append(sort_map_pairs([[keys[j], counts[j]] for j in range(a, b)]))
        return out

    if isinstance(t, RowType):
        children = arr.flatten()  # adjusted to the struct's offset/length
        cols = [enc_array(children[i], f.type) for i, f in enumerate(t.fields)]
        names = [f.name for f in t.fields]
        return [
            {names[c]: cols[c][i] for c in range(len(names))} if valid[i] else None
            for i in range(n)
        ]

    a = atomic(t)
    k = a.kind
    if k in ("int", "boolean", "string"):
        return arr.to_pylist()
    if k == "bigint":
        return [None if v is None else str(v) for v in arr.to_pylist()]
    if k == "float":
        return [enc_float(v) for v in arr.to_pylist()]
    if k == "decimal":
        s = a.scale
        return [None if v is None else enc_decimal_unscaled(decimal_to_unscaled(v, s), s)
                for v in arr.to_pylist()]
    if k == "binary":
        return [enc_b64(v) for v in arr.to_pylist()]
    if k == "date":
        return [None if v is None else enc_date_days(v) for v in _temporal_ints(arr)]
    if k == "time":
        unit = arr.type.unit
        f = _NANOS_PER_UNIT[unit]
        return [None if v is None else enc_time_nanos(v * f, a.precision) for v in _temporal_ints(arr)]
    if k == "timestamp":
        f = _NANOS_PER_UNIT[arr.type.unit]
        p, ltz = a.precision, a.ltz
        return [None if v is None else enc_timestamp_nanos(v * f, p, ltz) for v in _temporal_ints(arr)]
    if k == "variant":
        children = arr.flatten()
        names = [arr.type.field(i).name for i in range(arr.type.num_fields)]
        vals = dict(zip(names, [c.to_pylist() for c in children]))
        return [{"value": enc_b64(vals["value"][i]), "metadata": enc_b64(vals["metadata"][i])}
                if valid[i] else None for i in range(n)]
    raise OracleError("pypaimon oracle: cannot encode type %s" % t)


def enc_py(v, t):
    """Encode a Python value (as pypaimon's GenericRow gives it, e.g. partitions)."""
    if v is None:
        return None
    if isinstance(t, (ArrayType, VectorType)):
        return [enc_py(x, t.element) for x in v]
    if isinstance(t, MapType):
        items = v.items() if isinstance(v, dict) else v
        return sort_map_pairs([[enc_py(k, t.key), enc_py(x, t.value)] for k, x in items])
    if isinstance(t, RowType):
        if isinstance(v, dict):
            return {f.name: enc_py(v.get(f.name), f.type) for f in t.fields}
        vals = list(getattr(v, "values", v))
        return {f.name: enc_py(vals[i], f.type) for i, f in enumerate(t.fields)}
    a = atomic(t)
    k = a.kind
    if k == "int":
        return int(v)
    if k == "boolean":
        return bool(v)
    if k == "bigint":
        return str(int(v))
    if k == "float":
        return enc_float(float(v))
    if k == "decimal":
        d = v if isinstance(v, decimal.Decimal) else decimal.Decimal(str(v))
        return enc_decimal_unscaled(decimal_to_unscaled(d, a.scale), a.scale)
    if k == "string":
        return str(v)
    if k == "binary":
        return enc_b64(v)
    if k == "date":
        if isinstance(v, int):
            return enc_date_days(v)
        return enc_date_days((v - _EPOCH_DATE).days)
    if k == "time":
        if isinstance(v, int):  # millis of day
            return enc_time_nanos(v * 1_000_000, a.precision)
        ns = ((v.hour * 60 + v.minute) * 60 + v.second) * 1_000_000_000 + v.microsecond * 1000
        return enc_time_nanos(ns, a.precision)
    if k == "timestamp":
        if isinstance(v, int):  # epoch millis
            return enc_timestamp_nanos(v * 1_000_000, a.precision, a.ltz)
        naive = v.astimezone(_dt.timezone.utc).replace(tzinfo=None) if v.tzinfo else v
        delta = naive - _EPOCH
        ns = (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000
        ns += getattr(v, "nanosecond", 0)  # pandas.Timestamp
        return enc_timestamp_nanos(ns, a.precision, a.ltz)
    if k == "variant":
        return {"value": enc_b64(getattr(v, "value", None)), "metadata": enc_b64(getattr(v, "metadata", None))}
    raise OracleError("pypaimon oracle: cannot encode type %s" % t)


# --------------------------------------------------------------------------------------
# Canonical decoding (JSON -> values pyarrow accepts for the column's arrow type)
# --------------------------------------------------------------------------------------

_TS_RE = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z)?$")
_TIME_RE = re.compile(r"^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _parse_date(s):
    m = _DATE_RE.match(s)
    if not m:
        raise OracleError("pypaimon oracle: bad DATE value %r (want YYYY-MM-DD)" % (s,))
    return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _parse_timestamp_nanos(s, ltz):
    m = _TS_RE.match(s)
    if not m:
        raise OracleError("pypaimon oracle: bad TIMESTAMP value %r" % (s,))
    if m.group(8) and not ltz:
        raise OracleError("pypaimon oracle: TIMESTAMP without time zone value %r must not end in Z" % (s,))
    d = _dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)),
                     int(m.group(4)), int(m.group(5)), int(m.group(6)))
    frac = (m.group(7) or "").ljust(9, "0")
    delta = d - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + int(frac)


def _parse_time_nanos(s):
    m = _TIME_RE.match(s)
    if not m:
        raise OracleError("pypaimon oracle: bad TIME value %r" % (s,))
    frac = (m.group(4) or "").ljust(9, "0")
    return ((int(m.group(1)) * 60 + int(m.group(2))) * 60 + int(m.group(3))) * 1_000_000_000 + int(frac)


def _to_unit(total_ns, unit, what):
    q, r = divmod(total_ns, _NANOS_PER_UNIT[unit])
    if r:
        raise OracleError("pypaimon oracle: %s has more precision than the column's arrow unit %s" % (what, unit))
    return q


def _parse_decimal(v, scale):
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        raise OracleError("pypaimon oracle: DECIMAL values must be strings, got %r" % (v,))
    try:
        d = decimal.Decimal(str(v).strip())
    except decimal.InvalidOperation:
        raise OracleError("pypaimon oracle: bad DECIMAL value %r" % (v,))
    u = decimal_to_unscaled(d, scale)
    sign = 1 if u < 0 else 0
    return decimal.Decimal((sign, tuple(int(c) for c in str(abs(u))), -scale))


def dec_value(v, t, arrow_type):
    """Canonical JSON value -> Python value that pa.array(..., type=arrow_type) accepts."""
    if v is None:
        return None
    if isinstance(t, (ArrayType, VectorType)):
        if not isinstance(v, list):
            raise OracleError("pypaimon oracle: ARRAY value must be a JSON array, got %r" % (v,))
        et = arrow_type.value_type
        return [dec_value(x, t.element, et) for x in v]
    if isinstance(t, MapType):
        if isinstance(v, dict):
            pairs = list(v.items())
        elif isinstance(v, list):
            pairs = []
            for p in v:
                if not isinstance(p, list) or len(p) != 2:
                    raise OracleError("pypaimon oracle: MAP entries must be [key, value] pairs, got %r" % (p,))
                pairs.append((p[0], p[1]))
        else:
            raise OracleError("pypaimon oracle: MAP value must be an array of [key, value], got %r" % (v,))
        kt, vt = arrow_type.key_type, arrow_type.item_type
        return [(dec_value(k, t.key, kt), dec_value(x, t.value, vt)) for k, x in pairs]
    if isinstance(t, RowType):
        if not isinstance(v, dict):
            raise OracleError("pypaimon oracle: ROW value must be a JSON object, got %r" % (v,))
        names = {f.name for f in t.fields}
        extra = set(v) - names
        if extra:
            raise OracleError("pypaimon oracle: unknown ROW field(s) %s" % sorted(extra))
        return {f.name: dec_value(v.get(f.name), f.type, arrow_type.field(f.name).type) for f in t.fields}
    a = atomic(t)
    k = a.kind
    if k == "int":
        if isinstance(v, bool) or not isinstance(v, (int, str)):
            raise OracleError("pypaimon oracle: integer value expected, got %r" % (v,))
        return int(v)
    if k == "bigint":
        if isinstance(v, bool) or not isinstance(v, (int, str)):
            raise OracleError("pypaimon oracle: BIGINT value must be a decimal string, got %r" % (v,))
        return int(v)
    if k == "boolean":
        if not isinstance(v, bool):
            raise OracleError("pypaimon oracle: BOOLEAN value expected, got %r" % (v,))
        return v
    if k == "float":
        if isinstance(v, str):
            if v not in ("NaN", "Infinity", "-Infinity"):
                raise OracleError("pypaimon oracle: bad float value %r" % (v,))
            return float(v.replace("Infinity", "inf"))
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise OracleError("pypaimon oracle: number expected, got %r" % (v,))
        return float(v)
    if k == "decimal":
        return _parse_decimal(v, a.scale)
    if k == "string":
        if not isinstance(v, str):
            raise OracleError("pypaimon oracle: string expected, got %r" % (v,))
        return v
    if k == "binary":
        if not isinstance(v, str):
            raise OracleError("pypaimon oracle: base64 string expected, got %r" % (v,))
        return base64.b64decode(v, validate=True)
    if k == "date":
        return _parse_date(v)
    if k == "time":
        return _to_unit(_parse_time_nanos(v), arrow_type.unit, "TIME %r" % (v,))
    if k == "timestamp":
        return _to_unit(_parse_timestamp_nanos(v, a.ltz), arrow_type.unit, "TIMESTAMP %r" % (v,))
    if k == "variant":
        return {"value": base64.b64decode(v["value"]), "metadata": base64.b64decode(v["metadata"])}
    raise OracleError("pypaimon oracle: cannot decode type %s" % t)


# --------------------------------------------------------------------------------------
# SQL type strings for `create` ("ARRAY<INT>", "MAP<STRING, BIGINT>", "ROW<a INT, b STRING>")
# --------------------------------------------------------------------------------------

class _TypeParser:
    def __init__(self, text):
        self.s = text
        self.i = 0

    def ws(self):
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def peek(self, ch):
        self.ws()
        return self.s.startswith(ch, self.i)

    def expect(self, ch):
        self.ws()
        if not self.s.startswith(ch, self.i):
            raise OracleError("pypaimon oracle: bad type %r: expected %r at %d" % (self.s, ch, self.i))
        self.i += len(ch)

    def word(self):
        self.ws()
        m = re.compile(r"[A-Za-z_][A-Za-z_0-9]*").match(self.s, self.i)
        if not m:
            raise OracleError("pypaimon oracle: bad type %r at %d" % (self.s, self.i))
        self.i = m.end()
        return m.group(0)

    def ident(self):
        self.ws()
        if self.s.startswith("`", self.i):
            j = self.s.index("`", self.i + 1)
            name = self.s[self.i + 1:j]
            self.i = j + 1
            return name
        return self.word()

    def not_null(self):
        """Consume an optional NOT NULL / NULL; return nullable."""
        save = self.i
        self.ws()
        m = re.compile(r"NOT\s+NULL\b", re.I).match(self.s, self.i)
        if m:
            self.i = m.end()
            return False
        m = re.compile(r"NULL\b", re.I).match(self.s, self.i)
        if m:
            self.i = m.end()
            return True
        self.i = save
        return True

    def parse(self):
        self.ws()
        start = self.i
        w = self.word().upper()
        if w == "ARRAY":
            self.expect("<")
            el = self.parse()
            self.expect(">")
            return ArrayType(self.not_null(), el)
        if w == "MULTISET":
            self.expect("<")
            el = self.parse()
            self.expect(">")
            return MultisetType(self.not_null(), el)
        if w == "MAP":
            self.expect("<")
            k = self.parse()
            self.expect(",")
            v = self.parse()
            self.expect(">")
            return MapType(self.not_null(), k, v)
        if w == "ROW":
            self.expect("<")
            fields = []
            while True:
                name = self.ident()
                self.ws()
                if self.s.startswith(":", self.i):
                    self.i += 1
                ft = self.parse()
                desc = None
                self.ws()
                m = re.compile(r"COMMENT\s+'((?:[^']|'')*)'", re.I).match(self.s, self.i)
                if m:
                    desc = m.group(1).replace("''", "'")
                    self.i = m.end()
                fields.append(DataField(len(fields), name, ft, desc))
                if self.peek(","):
                    self.expect(",")
                    continue
                break
            self.expect(">")
            return RowType(self.not_null(), fields)
        # atomic: WORD [ (n [, m]) ] [WITH LOCAL TIME ZONE] [NOT NULL]
        self.ws()
        if self.s.startswith("(", self.i):
            j = self.s.index(")", self.i)
            self.i = j + 1
        m = re.compile(r"\s+WITH\s+LOCAL\s+TIME\s+ZONE\b", re.I).match(self.s, self.i)
        if m:
            self.i = m.end()
        text = re.sub(r"\s+", " ", self.s[start:self.i].strip())
        text = re.sub(r"\(\s*(\d+)\s*,\s*(\d+)\s*\)", r"(\1, \2)", text)
        text = re.sub(r"\(\s*(\d+)\s*\)", r"(\1)", text)
        nullable = self.not_null()
        t = DataTypeParser.parse_atomic_type_sql_string(text.upper())
        t.nullable = nullable
        return t


def parse_type(spec_type):
    if isinstance(spec_type, dict):
        return DataTypeParser.parse_data_type(spec_type, AtomicInteger(-1))
    if not isinstance(spec_type, str):
        raise OracleError("pypaimon oracle: field type must be a string, got %r" % (spec_type,))
    p = _TypeParser(spec_type)
    t = p.parse()
    p.ws()
    if p.i != len(p.s):
        raise OracleError("pypaimon oracle: bad type %r: trailing text at %d" % (spec_type, p.i))
    return t


def _reassign_nested_ids(t, counter):
    """Java Schema.Builder order: a column takes the next id, then its nested fields."""
    if isinstance(t, RowType):
        fields = []
        for f in t.fields:
            fid = counter.increment_and_get()
            fields.append(DataField(fid, f.name, _reassign_nested_ids(f.type, counter), f.description))
        return RowType(t.nullable, fields)
    if isinstance(t, ArrayType):
        return ArrayType(t.nullable, _reassign_nested_ids(t.element, counter))
    if isinstance(t, MultisetType):
        return MultisetType(t.nullable, _reassign_nested_ids(t.element, counter))
    if isinstance(t, MapType):
        return MapType(t.nullable, _reassign_nested_ids(t.key, counter), _reassign_nested_ids(t.value, counter))
    return t


def build_schema(create):
    fields_spec = create.get("fields")
    if not isinstance(fields_spec, list) or not fields_spec:
        raise OracleError("pypaimon oracle: create.fields must be a non-empty array")
    counter = AtomicInteger(-1)
    fields = []
    for f in fields_spec:
        t = parse_type(f["type"])
        fid = counter.increment_and_get()
        t = _reassign_nested_ids(t, counter)
        fields.append(DataField(fid, f["name"], t, f.get("description") or f.get("comment")))
    options = {str(k): str(v) for k, v in (create.get("options") or {}).items()}
    return Schema(fields=fields,
                  partition_keys=list(create.get("partitionKeys") or []),
                  primary_keys=list(create.get("primaryKeys") or []),
                  options=options,
                  comment=create.get("comment"))


# --------------------------------------------------------------------------------------
# Catalog access (a fresh catalog per request: nothing is cached between requests)
# --------------------------------------------------------------------------------------

def open_catalog(warehouse):
    if not isinstance(warehouse, str) or not warehouse:
        raise OracleError("pypaimon oracle: warehouse path required")
    if "://" not in warehouse:
        warehouse = os.path.abspath(warehouse)
    return CatalogFactory.create({"warehouse": warehouse})


def _check_table_name(name):
    if not isinstance(name, str) or name.count(".") != 1:
        raise OracleError("pypaimon oracle: table must be DB.TABLE, got %r" % (name,))


def get_table(catalog, name):
    _check_table_name(name)
    try:
        return catalog.get_table(name)
    except Exception as e:  # TableNotExistException etc.
        raise OracleError("pypaimon oracle: cannot open table %s: %s: %s" % (name, type(e).__name__, e))


# --------------------------------------------------------------------------------------
# read-table
# --------------------------------------------------------------------------------------

def cmd_read_table(warehouse, table_name, snapshot=None, tag=None, options=None):
    if snapshot is not None and tag is not None:
        raise OracleError("pypaimon oracle: --snapshot and --tag are exclusive")
    table = get_table(open_catalog(warehouse), table_name)
    if options:
        if not isinstance(options, dict):
            raise OracleError("pypaimon oracle: options must be an object of strings")
        # dynamic table options (like Java's table.copy(options)), e.g. partition.legacy-name
        table = table.copy({str(k): str(v) for k, v in options.items()})
    if snapshot is not None:
        sid = int(snapshot)
        if table.snapshot_manager().get_snapshot_by_id(sid) is None:
            raise OracleError("pypaimon oracle: snapshot %d of %s does not exist" % (sid, table_name))
        table = table.copy({"scan.snapshot-id": str(sid)})
    elif tag is not None:
        table = table.copy({"scan.tag-name": str(tag)})
    fields = table.table_schema.fields
    rb = table.new_read_builder()
    splits = rb.new_scan().plan().splits()
    data = rb.new_read().to_arrow(splits) if splits else None
    columns = [{"name": f.name, "type": type_string(f.type)} for f in fields]
    rows = []
    if data is not None and data.num_rows > 0:
        names = [f.name for f in fields]
        missing = [n for n in names if n not in data.column_names]
        if missing:
            raise OracleError("pypaimon oracle: read result lacks columns %s" % missing)
        cols = [enc_array(data.column(f.name), f.type) for f in fields]
        rows = [{names[c]: cols[c][i] for c in range(len(names))} for i in range(data.num_rows)]
    return {"columns": columns, "rows": rows}


# --------------------------------------------------------------------------------------
# stream-read
# --------------------------------------------------------------------------------------

def cmd_stream_read(warehouse, table_name, from_snapshot, to_snapshot=None, projection=None, options=None):
    """pypaimon's streaming read (StreamReadBuilder / AsyncStreamingTableScan) from
    from_snapshot to to_snapshot (inclusive, default latest): the records of every snapshot
    its follow-up scanner plans, with row kinds.

    AsyncStreamingTableScan.stream() polls forever and turns a gap of more than 10 snapshots
    into one diff "catch-up" plan, so it cannot answer "what are the changes of snapshot N".
    The loop below drives the same pieces stream() uses per snapshot (the scan's follow-up
    scanner, SnapshotManager.find_next_scannable, and the scan's per-snapshot follow-up plan)
    without the catch-up, the prefetch thread and the polling."""
    try:
        start = int(from_snapshot)
    except (TypeError, ValueError):
        raise OracleError("pypaimon oracle: fromSnapshot must be an integer, got %r" % (from_snapshot,))
    if start < 1:
        raise OracleError("pypaimon oracle: fromSnapshot must be >= 1, got %d" % start)
    table = get_table(open_catalog(warehouse), table_name)
    if options:
        if not isinstance(options, dict):
            raise OracleError("pypaimon oracle: options must be an object of strings")
        table = table.copy({str(k): str(v) for k, v in options.items()})
    sm = table.snapshot_manager()
    latest = sm.get_latest_snapshot()
    last = int(to_snapshot) if to_snapshot is not None else (latest.id if latest else 0)
    builder = table.new_stream_read_builder().with_include_row_kind(True)
    if projection is not None:
        names = [f.name for f in table.table_schema.fields]
        for p in projection:
            if p not in names:
                raise OracleError("pypaimon oracle: %s: projection field '%s' does not exist" % (table_name, p))
        builder.with_projection(list(projection))
    fields = builder.read_type()
    scan = builder.new_streaming_scan()
    read = builder.new_read()
    snapshots = []
    try:
        earliest = sm.try_get_earliest_snapshot()
        next_id = max(start, earliest.id) if earliest else start
        while next_id <= last:
            snap, next_id, skipped = sm.find_next_scannable(next_id, scan.follow_up_scanner.should_scan)
            if snap is None:
                if skipped == 0:
                    break
                continue
            if snap.id > last:
                break
            plan = scan._create_follow_up_plan(snap)
            splits = plan.splits()
            rows = []
            data = read.to_arrow(splits) if splits else None
            if data is not None and data.num_rows > 0:
                kinds = data.column("_row_kind").to_pylist()
                cols = [enc_array(data.column(f.name), f.type) for f in fields]
                for i in range(data.num_rows):
                    rows.append({"kind": kinds[i], "row": {fields[c].name: cols[c][i] for c in range(len(fields))}})
            snapshots.append({"id": snap.id, "commitKind": snap.commit_kind, "splits": len(splits), "rows": rows})
    finally:
        if scan._prefetch_executor is not None:
            scan._prefetch_executor.shutdown(wait=True)
    return {"columns": [{"name": f.name, "type": type_string(f.type)} for f in fields],
            "snapshots": snapshots, "nextSnapshot": next_id if latest else None}


# --------------------------------------------------------------------------------------
# describe
# --------------------------------------------------------------------------------------

def _partition_obj(table, partition_row):
    pfields = table.partition_keys_fields
    vals = list(getattr(partition_row, "values", partition_row) or [])
    return {f.name: enc_py(vals[i] if i < len(vals) else None, f.type) for i, f in enumerate(pfields)}


def _read_text(file_io, path):
    return file_io.read_file_utf8(path)


def cmd_describe(warehouse, table_name):
    from pypaimon.manifest.index_manifest_file import IndexManifestFile
    from pypaimon.manifest.manifest_file_manager import ManifestFileManager
    from pypaimon.manifest.manifest_list_manager import ManifestListManager

    table = get_table(open_catalog(warehouse), table_name)
    schema_id = table.table_schema.id
    schema_path = "%s/schema/schema-%d" % (table.table_path.rstrip("/"), schema_id)
    schema_json = json.loads(_read_text(table.file_io, schema_path))

    sm = table.snapshot_manager()
    snapshots = []
    for s in sm.list_snapshots():
        snapshots.append({
            "id": s.id,
            "commitKind": s.commit_kind,
            "schemaId": s.schema_id,
            "totalRecordCount": s.total_record_count,
            "deltaRecordCount": s.delta_record_count,
            "commitUser": s.commit_user,
            "commitIdentifier": None if s.commit_identifier is None else str(s.commit_identifier),
        })

    latest = sm.get_latest_snapshot()
    live, index_files = [], []
    if latest is not None:
        metas = ManifestListManager(table).read_all(latest)
        entries = ManifestFileManager(table).read_entries_parallel(metas, drop_stats=True) if metas else []
        for e in entries:
            f = e.file
            live.append({
                "partition": _partition_obj(table, e.partition),
                "bucket": e.bucket,
                "totalBuckets": e.total_buckets,
                "level": f.level,
                "rowCount": f.row_count,
                "deleteRowCount": f.delete_row_count,
                "minSequenceNumber": f.min_sequence_number,
                "maxSequenceNumber": f.max_sequence_number,
                "schemaId": f.schema_id,
                "firstRowId": f.first_row_id,
                "fileName": f.file_name,
            })
        if latest.index_manifest:
            for ie in IndexManifestFile(table).read(latest.index_manifest):
                m = ie.index_file
                item = {
                    "kind": "ADD" if ie.kind == 0 else "DELETE",
                    "partition": _partition_obj(table, ie.partition),
                    "bucket": ie.bucket,
                    "indexType": m.index_type,
                    "fileName": m.file_name,
                    "fileSize": m.file_size,
                    "rowCount": m.row_count,
                }
                if m.dv_ranges:
                    item["dvRanges"] = {
                        name: {"offset": dv.offset, "length": dv.length, "cardinality": dv.cardinality}
                        for name, dv in sorted(m.dv_ranges.items())
                    }
                index_files.append(item)

    def file_key(x):
        return (json.dumps(x["partition"], sort_keys=True, ensure_ascii=False), x["bucket"],
                x.get("level", 0), x.get("minSequenceNumber", 0), x["fileName"])

    live.sort(key=file_key)
    index_files.sort(key=lambda x: (json.dumps(x["partition"], sort_keys=True, ensure_ascii=False),
                                    x["bucket"], x["indexType"], x["fileName"]))
    return {
        "schema": schema_json,
        "schemaId": schema_id,
        "latestSnapshotId": None if latest is None else latest.id,
        "snapshots": snapshots,
        "liveFiles": live,
        "indexFiles": index_files,
    }


# --------------------------------------------------------------------------------------
# write
# --------------------------------------------------------------------------------------

ROW_KINDS = {"+I": 0, "-U": 1, "+U": 2, "-D": 3}

# Row-kind hook: pypaimon's key-value writer takes each row's _VALUE_KIND from
# pypaimon.write.row_kind.row_kinds(options, data) (imported at call time inside
# KeyValueDataWriter._add_system_fields). It returns all +I unless the table has the
# 'rowkind.field' option. For primary-key tables without that option the oracle
# writes each run of equal row kinds with one write_arrow call while this hook makes
# row_kinds() return that kind (the technique the fixtures' `oracle_hooks.row_kind` uses).
_hook_state = threading.local()
_hook_installed = False


def _install_write_hooks():
    global _hook_installed
    if _hook_installed:
        return
    import pypaimon.write.row_kind as rk
    original = rk.row_kinds

    def row_kinds(options, data):
        kind = getattr(_hook_state, "kind", None)
        if kind is None:
            return original(options, data)
        return [kind] * data.num_rows

    rk.row_kinds = row_kinds

    # pypaimon 2.1.0's KeyValueDataWriter always records _DELETE_ROW_COUNT = 0 (only the
    # postpone writer counts retractions). Java counts the -U/-D rows of each file, and
    # the spec requires it (a wrong 0 lets readers skip merging), so count them here.
    from pypaimon.write.writer.key_value_data_writer import KeyValueDataWriter
    original_write_file = KeyValueDataWriter._write_data_to_file

    def _write_data_to_file(self, data):
        before = len(self.committed_files)
        original_write_file(self, data)
        if data is not None and data.num_rows and "_VALUE_KIND" in data.schema.names:
            kinds = data.column("_VALUE_KIND").to_pylist()
            deletes = sum(1 for k in kinds if k in (1, 3))
            for meta in self.committed_files[before:]:
                meta.delete_row_count = deletes

    KeyValueDataWriter._write_data_to_file = _write_data_to_file
    _hook_installed = True


@contextlib.contextmanager
def _forced_row_kind(kind_value):
    _install_write_hooks()
    _hook_state.kind = kind_value
    try:
        yield
    finally:
        _hook_state.kind = None


def _load_spec(path_or_obj):
    if isinstance(path_or_obj, dict):
        return path_or_obj
    if path_or_obj == "-":
        text = sys.stdin.read()
    else:
        with open(path_or_obj, "r", encoding="utf-8") as fh:
            text = fh.read()
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as e:
        raise OracleError("pypaimon oracle: spec is not valid JSON: %s" % e)
    if not isinstance(spec, dict):
        raise OracleError("pypaimon oracle: spec must be a JSON object")
    return spec


def _latest_snapshot_id(table):
    s = table.snapshot_manager().get_latest_snapshot()
    return None if s is None else s.id


def _build_arrow(table, rows):
    fields = table.table_schema.fields
    schema = PyarrowFieldParser.from_paimon_schema(fields)
    names = [f.name for f in fields]
    known = set(names)
    columns = {n: [] for n in names}
    for r in rows:
        extra = set(r) - known
        if extra:
            raise OracleError("pypaimon oracle: unknown column(s) %s for %s" % (sorted(extra), names))
        for f, af in zip(fields, schema):
            columns[f.name].append(dec_value(r.get(f.name), f.type, af.type))
    arrays = []
    for f, af in zip(fields, schema):
        if not af.nullable and any(v is None for v in columns[f.name]):
            raise OracleError("pypaimon oracle: NULL in NOT NULL column %s" % f.name)
        try:
            arrays.append(pa.array(columns[f.name], type=af.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError, ValueError) as e:
            raise OracleError("pypaimon oracle: column %s (%s): %s" % (f.name, f.type, e))
    return pa.Table.from_arrays(arrays, schema=schema)


def _overwrite_partition(table, spec_part):
    pfields = {f.name: f for f in table.partition_keys_fields}
    out = {}
    for k, v in spec_part.items():
        if k not in pfields:
            raise OracleError("pypaimon oracle: %s is not a partition key (%s)" % (k, sorted(pfields)))
        f = pfields[k]
        if v is None:
            out[k] = None
            continue
        av = PyarrowFieldParser.from_paimon_type(f.type)
        pv = dec_value(v, f.type, av)
        if isinstance(av, pa.TimestampType) or isinstance(av, (pa.Time32Type, pa.Time64Type)):
            # partition values compare against GenericRow values (datetime / time objects)
            pv = pa.array([pv], type=av).to_pylist()[0]
        out[k] = pv
    return out


def _do_commit(catalog, table_name, commit):
    if not isinstance(commit, dict):
        raise OracleError("pypaimon oracle: each commit must be a JSON object")
    table = get_table(catalog, table_name)
    dyn = commit.get("options")
    if dyn:
        if not isinstance(dyn, dict):
            raise OracleError("pypaimon oracle: commit options must be an object of strings")
        # dynamic options for this commit only, e.g. {"dynamic-partition-overwrite": "false"}
        table = table.copy({str(k): str(v) for k, v in dyn.items()})
    pk = bool(table.table_schema.primary_keys)
    options = table.table_schema.options or {}
    rowkind_field = options.get("rowkind.field")

    if commit.get("createTag") is not None:
        snap = commit.get("snapshot")
        table.create_tag(str(commit["createTag"]), None if snap is None else int(snap))
        return
    if commit.get("truncate"):
        wb = table.new_batch_write_builder()
        tc = wb.new_commit()
        try:
            tc.truncate_table()
        finally:
            tc.close()
        return
    if commit.get("truncatePartitions") is not None:
        parts = commit["truncatePartitions"]
        wb = table.new_batch_write_builder()
        tc = wb.new_commit()
        try:
            tc.truncate_partitions([{k: (v if v is None else str(v)) for k, v in p.items()} for p in parts])
        finally:
            tc.close()
        return

    rows = commit.get("rows") or []
    ow = commit.get("overwrite", False)
    wb = table.new_batch_write_builder()
    if ow is True:
        wb.overwrite()
    elif isinstance(ow, dict):
        wb.overwrite(_overwrite_partition(table, ow))
    elif ow not in (False, None):
        raise OracleError("pypaimon oracle: overwrite must be false, true or a partition object")

    # Normalise rows and row kinds; split into runs of equal kind.
    runs = []  # [(kind, [row dicts])]
    for item in rows:
        if not isinstance(item, dict):
            raise OracleError("pypaimon oracle: each row must be {\"kind\", \"row\"}")
        kind = item.get("kind", "+I")
        if kind not in ROW_KINDS:
            raise OracleError("pypaimon oracle: unknown row kind %r" % (kind,))
        row = item.get("row")
        if not isinstance(row, dict):
            raise OracleError("pypaimon oracle: row must be a JSON object")
        if kind != "+I" and not pk:
            raise OracleError("pypaimon oracle: row kind %s not supported by pypaimon's writer "
                              "(append table %s; only primary-key tables take row kinds)" % (kind, table_name))
        if rowkind_field:
            row = dict(row)
            given = row.get(rowkind_field)
            if given is None:
                row[rowkind_field] = kind
            elif "kind" in item and given != kind:
                raise OracleError("pypaimon oracle: row kind %s disagrees with %s=%r" % (kind, rowkind_field, given))
            kind = "+I"  # pypaimon takes the kind from the rowkind.field column itself
        if runs and runs[-1][0] == kind:
            runs[-1][1].append(row)
        else:
            runs.append((kind, [row]))

    # Build every batch before writing anything.
    batches = [(kind, _build_arrow(table, rs)) for kind, rs in runs]

    if pk:
        _install_write_hooks()
    tw = wb.new_write()
    tc = wb.new_commit()
    try:
        for kind, data in batches:
            if kind == "+I":
                tw.write_arrow(data)
            else:
                if _filtered_kind(options, ROW_KINDS[kind]):
                    continue  # ignore-delete / ignore-update-before, like Java's RowKindFilter
                with _forced_row_kind(ROW_KINDS[kind]):
                    tw.write_arrow(data)
        tc.commit(tw.prepare_commit())
    finally:
        try:
            tw.close()
        finally:
            tc.close()


def _filtered_kind(options, kind):
    def flag(*keys):
        return any(str(options.get(k, "false")).lower() == "true" for k in keys)
    ignore_delete = flag("ignore-delete", "first-row.ignore-delete", "deduplicate.ignore-delete",
                         "partial-update.ignore-delete")
    ignore_before = flag("ignore-update-before")
    return (ignore_delete and kind in (1, 3)) or (ignore_before and kind == 1)


def cmd_write(spec):
    spec = _load_spec(spec)
    warehouse = spec.get("warehouse")
    table_name = spec.get("table")
    _check_table_name(table_name)
    catalog = open_catalog(warehouse)
    create = spec.get("create")
    if create:
        db = table_name.split(".")[0]
        catalog.create_database(db, True)
        catalog.create_table(table_name, build_schema(create), True)
    commits = spec.get("commits") or []
    if not isinstance(commits, list):
        raise OracleError("pypaimon oracle: commits must be an array")
    created = []
    before = _latest_snapshot_id(get_table(catalog, table_name))
    for i, commit in enumerate(commits):
        try:
            _do_commit(catalog, table_name, commit)
        except OracleError as e:
            raise OracleError("commit %d: %s" % (i, e))
        after = _latest_snapshot_id(get_table(catalog, table_name))
        if after is not None and after != before:
            created.extend(range((before or 0) + 1, after + 1))
        before = after
    return {"snapshots": created, "latestSnapshotId": before}


# --------------------------------------------------------------------------------------
# version / serve / main
# --------------------------------------------------------------------------------------

def cmd_version():
    import importlib.metadata as md
    return {"pypaimon": md.version("pypaimon"), "pyarrow": md.version("pyarrow"),
            "python": platform.python_version()}


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


@contextlib.contextmanager
def _stdout_to_stderr():
    """Keep stray prints of libraries out of the JSON stdout."""
    real = sys.stdout
    sys.stdout = sys.stderr
    try:
        yield real
    finally:
        sys.stdout = real


def _dispatch(cmd, args):
    if not isinstance(args, dict):
        raise OracleError("pypaimon oracle: args must be an object")
    if cmd == "read-table":
        return cmd_read_table(args.get("warehouse"), args.get("table"),
                              args.get("snapshot"), args.get("tag"), args.get("options"))
    if cmd == "describe":
        return cmd_describe(args.get("warehouse"), args.get("table"))
    if cmd == "stream-read":
        return cmd_stream_read(args.get("warehouse"), args.get("table"), args.get("fromSnapshot"),
                               args.get("toSnapshot"), args.get("projection"), args.get("tableOptions"))
    if cmd == "write":
        return cmd_write(args)
    if cmd == "version":
        return cmd_version()
    raise OracleError("pypaimon oracle: unknown command %r" % (cmd,))


_TRACEBACKS = os.environ.get("ORACLE_TRACEBACK", "") not in ("", "0")


def _error_text(e):
    if isinstance(e, OracleError):
        return str(e)
    return "%s: %s" % (type(e).__name__, e)


def cmd_serve(out):
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        rid = None
        try:
            req = json.loads(line)
            if not isinstance(req, dict):
                raise OracleError("pypaimon oracle: request must be a JSON object")
            rid = req.get("id")
            result = _dispatch(req.get("cmd"), req.get("args") or {})
            resp = {"id": rid, "ok": True, "result": result}
        except Exception as e:  # noqa: BLE001 - every error goes back to the caller
            if not isinstance(e, OracleError) and _TRACEBACKS:
                traceback.print_exc(file=sys.stderr)
            resp = {"id": rid, "ok": False, "error": _error_text(e)}
        try:
            text = dumps(resp)
        except ValueError as e:
            text = dumps({"id": rid, "ok": False, "error": "pypaimon oracle: cannot encode result: %s" % e})
        out.write(text + "\n")
        out.flush()


USAGE = """usage:
  oracle read-table WAREHOUSE DB.TABLE [--snapshot N] [--tag NAME] [--option KEY=VALUE]...
  oracle describe WAREHOUSE DB.TABLE
  oracle stream-read WAREHOUSE DB.TABLE --from N [--to M] [--option KEY=VALUE]...
  oracle write SPEC.json|-
  oracle serve
  oracle version"""


def _parse_read_args(argv):
    pos, snapshot, tag, options = [], None, None, {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--option" or a.startswith("--option="):
            if a == "--option":
                if i + 1 >= len(argv):
                    raise OracleError("pypaimon oracle: --option needs KEY=VALUE")
                kv, i = argv[i + 1], i + 2
            else:
                kv, i = a.split("=", 1)[1], i + 1
            if "=" not in kv:
                raise OracleError("pypaimon oracle: --option needs KEY=VALUE, got %r" % kv)
            k, v = kv.split("=", 1)
            options[k] = v
        elif a in ("--snapshot", "--tag"):
            if i + 1 >= len(argv):
                raise OracleError("pypaimon oracle: %s needs a value" % a)
            if a == "--snapshot":
                try:
                    snapshot = int(argv[i + 1])
                except ValueError:
                    raise OracleError("pypaimon oracle: --snapshot needs an integer")
            else:
                tag = argv[i + 1]
            i += 2
        elif a.startswith("--snapshot="):
            snapshot = int(a.split("=", 1)[1])
            i += 1
        elif a.startswith("--tag="):
            tag = a.split("=", 1)[1]
            i += 1
        else:
            pos.append(a)
            i += 1
    if len(pos) != 2:
        raise OracleError(USAGE)
    return pos[0], pos[1], snapshot, tag, options


def _stream_read_cli(argv):
    flags, options, pos = {}, {}, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--from", "--to", "--option"):
            if i + 1 >= len(argv):
                raise OracleError("pypaimon oracle: %s needs a value" % a)
            v = argv[i + 1]
            if a == "--option":
                if "=" not in v:
                    raise OracleError("pypaimon oracle: --option needs KEY=VALUE, got %r" % v)
                k, val = v.split("=", 1)
                options[k] = val
            else:
                flags[a] = v
            i += 2
        else:
            pos.append(a)
            i += 1
    if len(pos) != 2 or "--from" not in flags:
        raise OracleError(USAGE)
    return cmd_stream_read(pos[0], pos[1], flags["--from"], flags.get("--to"), None, options)


def main(argv):
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
        sys.stdin.reconfigure(encoding="utf-8")
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE, file=sys.stderr)
        return 2 if not argv else 0
    cmd, rest = argv[0], argv[1:]
    with _stdout_to_stderr() as out:
        try:
            if cmd == "serve":
                cmd_serve(out)
                return 0
            if cmd == "read-table":
                wh, name, snapshot, tag, options = _parse_read_args(rest)
                result = cmd_read_table(wh, name, snapshot, tag, options)
            elif cmd == "stream-read":
                result = _stream_read_cli(rest)
            elif cmd == "describe":
                if len(rest) != 2:
                    raise OracleError(USAGE)
                result = cmd_describe(rest[0], rest[1])
            elif cmd == "write":
                if len(rest) != 1:
                    raise OracleError(USAGE)
                result = cmd_write(rest[0])
            elif cmd == "version":
                result = cmd_version()
            else:
                raise OracleError("pypaimon oracle: unknown command %r\n%s" % (cmd, USAGE))
            text = dumps(result)
        except OracleError as e:
            print(str(e), file=sys.stderr)
            return 1
        except Exception as e:  # noqa: BLE001
            if _TRACEBACKS:
                traceback.print_exc(file=sys.stderr)
            print("pypaimon oracle: %s" % _error_text(e), file=sys.stderr)
            return 1
        out.write(text + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
