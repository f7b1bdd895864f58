package dev.paimonts.oracle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.apache.paimon.data.BinaryString;
import org.apache.paimon.data.Blob;
import org.apache.paimon.data.Decimal;
import org.apache.paimon.data.GenericArray;
import org.apache.paimon.data.GenericMap;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.data.InternalArray;
import org.apache.paimon.data.InternalMap;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.data.Timestamp;
import org.apache.paimon.data.variant.GenericVariant;
import org.apache.paimon.data.variant.Variant;
import org.apache.paimon.types.ArrayType;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.DataTypeChecks;
import org.apache.paimon.types.DecimalType;
import org.apache.paimon.types.MapType;
import org.apache.paimon.types.MultisetType;
import org.apache.paimon.types.RowType;
import org.apache.paimon.types.VectorType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The canonical JSON encoding of Paimon values (see fixtures/pypaimon/ENCODING.md) in both
 * directions: {@link #encode} turns an internal Paimon value into JSON, {@link #decode} turns
 * JSON into the internal value a writer accepts.
 */
final class Canonical {

    /**
     * Mapper for all JSON in and out. Integers of any size parse exactly (int, long or
     * BigInteger); floating-point numbers parse as double so that -0.0 keeps its sign (DECIMAL
     * values are strings in the canonical encoding).
     */
    static final ObjectMapper MAPPER =
            new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private Canonical() {}

    // ------------------------------------------------------------------ encode

    static ObjectNode encodeRow(InternalRow row, RowType type) {
        ObjectNode out = NODES.objectNode();
        List<DataField> fields = type.getFields();
        for (int i = 0; i < fields.size(); i++) {
            DataField field = fields.get(i);
            Object value = InternalRow.createFieldGetter(field.type(), i).getFieldOrNull(row);
            out.set(field.name(), encode(value, field.type()));
        }
        return out;
    }

    static JsonNode encode(Object value, DataType type) {
        if (value == null) {
            return NODES.nullNode();
        }
        switch (type.getTypeRoot()) {
            case BOOLEAN:
                return NODES.booleanNode((Boolean) value);
            case TINYINT:
            case SMALLINT:
            case INTEGER:
                return NODES.numberNode(((Number) value).intValue());
            case BIGINT:
                return NODES.textNode(Long.toString((Long) value));
            case FLOAT:
                // float -> double widening is exact
                return encodeDouble((double) (Float) value);
            case DOUBLE:
                return encodeDouble((Double) value);
            case DECIMAL:
                return NODES.textNode(decimalText((Decimal) value, (DecimalType) type));
            case CHAR:
            case VARCHAR:
                return NODES.textNode(value.toString());
            case BINARY:
            case VARBINARY:
                return NODES.textNode(Base64.getEncoder().encodeToString((byte[]) value));
            case DATE:
                return NODES.textNode(dateText((Integer) value));
            case TIME_WITHOUT_TIME_ZONE:
                return NODES.textNode(
                        timeText((Integer) value, DataTypeChecks.getPrecision(type)));
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return NODES.textNode(
                        timestampText((Timestamp) value, DataTypeChecks.getPrecision(type)));
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return NODES.textNode(
                        timestampText((Timestamp) value, DataTypeChecks.getPrecision(type))
                                + "Z");
            case ARRAY:
                return encodeArray((InternalArray) value, ((ArrayType) type).getElementType());
            case VECTOR:
                return encodeArray((InternalArray) value, ((VectorType) type).getElementType());
            case MAP:
                MapType mapType = (MapType) type;
                return encodeMap(
                        (InternalMap) value, mapType.getKeyType(), mapType.getValueType());
            case MULTISET:
                // internally a MAP<element, INT NOT NULL> of element -> count
                return encodeMap(
                        (InternalMap) value,
                        ((MultisetType) type).getElementType(),
                        new org.apache.paimon.types.IntType(false));
            case ROW:
                RowType rowType = (RowType) type;
                return encodeRow((InternalRow) value, rowType);
            case VARIANT:
                Variant variant = (Variant) value;
                ObjectNode v = NODES.objectNode();
                v.put("value", Base64.getEncoder().encodeToString(variant.value()));
                v.put("metadata", Base64.getEncoder().encodeToString(variant.metadata()));
                return v;
            case BLOB:
                return NODES.textNode(Base64.getEncoder().encodeToString(((Blob) value).toData()));
            default:
                throw new UnsupportedOperationException("unsupported type " + type);
        }
    }

    private static JsonNode encodeDouble(double d) {
        if (Double.isNaN(d)) {
            return NODES.textNode("NaN");
        }
        if (Double.isInfinite(d)) {
            return NODES.textNode(d > 0 ? "Infinity" : "-Infinity");
        }
        return NODES.numberNode(d);
    }

    private static ArrayNode encodeArray(InternalArray array, DataType elementType) {
        ArrayNode out = NODES.arrayNode(array.size());
        InternalArray.ElementGetter getter = InternalArray.createElementGetter(elementType);
        for (int i = 0; i < array.size(); i++) {
            out.add(encode(getter.getElementOrNull(array, i), elementType));
        }
        return out;
    }

    /** MAP: [[key, value], ...] sorted by the UTF-8 bytes of the compact JSON of the key. */
    private static ArrayNode encodeMap(InternalMap map, DataType keyType, DataType valueType) {
        InternalArray keys = map.keyArray();
        InternalArray values = map.valueArray();
        InternalArray.ElementGetter keyGetter = InternalArray.createElementGetter(keyType);
        InternalArray.ElementGetter valueGetter = InternalArray.createElementGetter(valueType);
        List<Object[]> pairs = new ArrayList<>();
        for (int i = 0; i < map.size(); i++) {
            JsonNode k = encode(keyGetter.getElementOrNull(keys, i), keyType);
            JsonNode v = encode(valueGetter.getElementOrNull(values, i), valueType);
            pairs.add(new Object[] {compactUtf8(k), k, v});
        }
        pairs.sort((a, b) -> Arrays.compareUnsigned((byte[]) a[0], (byte[]) b[0]));
        ArrayNode out = NODES.arrayNode(pairs.size());
        for (Object[] p : pairs) {
            out.addArray().add((JsonNode) p[1]).add((JsonNode) p[2]);
        }
        return out;
    }

    /**
     * Compact JSON text as UTF-8 bytes, non-ASCII characters (astral ones too) written as
     * themselves. Goes through a String: Jackson's UTF-8 byte generator (2.12) writes astral
     * characters as escaped surrogate pairs, which would change the sort order.
     */
    static byte[] compactUtf8(JsonNode node) {
        return compact(node).getBytes(StandardCharsets.UTF_8);
    }

    static String decimalText(Decimal d, DecimalType type) {
        BigDecimal bd = d.toBigDecimal();
        if (bd.scale() != type.getScale()) {
            bd = bd.setScale(type.getScale());
        }
        return bd.toPlainString();
    }

    static String dateText(int epochDay) {
        LocalDate date = LocalDate.ofEpochDay(epochDay);
        return String.format(
                "%s-%02d-%02d", year(date.getYear()), date.getMonthValue(), date.getDayOfMonth());
    }

    static String timeText(int millisOfDay, int precision) {
        long nanos = (long) millisOfDay * 1_000_000L;
        LocalTime t = LocalTime.ofNanoOfDay(Math.floorMod(nanos, 86_400_000_000_000L));
        return String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond())
                + fraction(t.getNano(), precision);
    }

    static String timestampText(Timestamp ts, int precision) {
        long millis = ts.getMillisecond();
        long seconds = Math.floorDiv(millis, 1000L);
        int nanos = (int) (Math.floorMod(millis, 1000L) * 1_000_000L) + ts.getNanoOfMillisecond();
        LocalDateTime dt = LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC);
        return String.format(
                        "%s-%02d-%02dT%02d:%02d:%02d",
                        year(dt.getYear()),
                        dt.getMonthValue(),
                        dt.getDayOfMonth(),
                        dt.getHour(),
                        dt.getMinute(),
                        dt.getSecond())
                + fraction(dt.getNano(), precision);
    }

    private static String year(int year) {
        return year < 0 ? String.format("-%04d", -year) : String.format("%04d", year);
    }

    private static String fraction(int nanos, int precision) {
        if (precision <= 0) {
            return "";
        }
        String nine = String.format("%09d", nanos);
        return "." + nine.substring(0, Math.min(precision, 9));
    }

    // ------------------------------------------------------------------ decode

    static GenericRow decodeRow(JsonNode node, RowType type) {
        List<DataField> fields = type.getFields();
        GenericRow row = new GenericRow(fields.size());
        if (node.isArray()) {
            if (node.size() != fields.size()) {
                throw new IllegalArgumentException(
                        "row array has " + node.size() + " values, type has " + fields.size());
            }
            for (int i = 0; i < fields.size(); i++) {
                row.setField(i, decode(node.get(i), fields.get(i).type(), fields.get(i).name()));
            }
            return row;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object for a row, got " + node);
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!type.containsField(name)) {
                throw new IllegalArgumentException(
                        "unknown column '" + name + "'; columns are " + type.getFieldNames());
            }
        }
        for (int i = 0; i < fields.size(); i++) {
            DataField f = fields.get(i);
            row.setField(i, decode(node.get(f.name()), f.type(), f.name()));
        }
        return row;
    }

    static Object decode(JsonNode node, DataType type, String where) {
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            return decodeValue(node, type);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot decode " + node + " as " + type.asSQLString() + " for '" + where
                            + "': " + e.getMessage(),
                    e);
        }
    }

    private static Object decodeValue(JsonNode node, DataType type) {
        switch (type.getTypeRoot()) {
            case BOOLEAN:
                if (node.isBoolean()) {
                    return node.booleanValue();
                }
                return Boolean.parseBoolean(node.asText());
            case TINYINT:
                return integral(node).byteValueExact();
            case SMALLINT:
                return integral(node).shortValueExact();
            case INTEGER:
                return integral(node).intValueExact();
            case BIGINT:
                return integral(node).longValueExact();
            case FLOAT:
                return (float) floating(node);
            case DOUBLE:
                return floating(node);
            case DECIMAL:
                DecimalType dt = (DecimalType) type;
                BigDecimal bd = node.isNumber() ? node.decimalValue() : new BigDecimal(node.asText());
                Decimal d = Decimal.fromBigDecimal(bd, dt.getPrecision(), dt.getScale());
                if (d == null) {
                    throw new IllegalArgumentException("does not fit " + type.asSQLString());
                }
                return d;
            case CHAR:
            case VARCHAR:
                return BinaryString.fromString(text(node));
            case BINARY:
            case VARBINARY:
                return Base64.getDecoder().decode(text(node));
            case DATE:
                return (int) LocalDate.parse(text(node)).toEpochDay();
            case TIME_WITHOUT_TIME_ZONE:
                return (int) (LocalTime.parse(text(node)).toNanoOfDay() / 1_000_000L);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                // wall clock (TIMESTAMP) or UTC instant (LTZ, trailing Z): the same epoch value
                return timestamp(LocalDateTime.parse(stripZ(text(node))).toInstant(ZoneOffset.UTC));
            case ARRAY:
                return decodeArray(node, ((ArrayType) type).getElementType());
            case MAP:
                MapType mapType = (MapType) type;
                return decodeMap(node, mapType.getKeyType(), mapType.getValueType());
            case MULTISET:
                return decodeMultiset(node, ((MultisetType) type).getElementType());
            case ROW:
                return decodeRow(node, (RowType) type);
            case VARIANT:
                return new GenericVariant(
                        Base64.getDecoder().decode(text(node.get("value"))),
                        Base64.getDecoder().decode(text(node.get("metadata"))));
            case BLOB:
                return Blob.fromData(Base64.getDecoder().decode(text(node)));
            default:
                throw new UnsupportedOperationException("unsupported type " + type);
        }
    }

    private static Timestamp timestamp(Instant instant) {
        long millis = Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1000L),
                instant.getNano() / 1_000_000);
        return Timestamp.fromEpochMillis(millis, instant.getNano() % 1_000_000);
    }

    private static String stripZ(String s) {
        return s.endsWith("Z") || s.endsWith("z") ? s.substring(0, s.length() - 1) : s;
    }

    private static String text(JsonNode node) {
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException("expected a JSON string");
        }
        return node.textValue();
    }

    private static BigInteger integral(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue();
        }
        if (node.isTextual()) {
            return new BigInteger(node.textValue().trim());
        }
        if (node.isNumber()) {
            return node.decimalValue().toBigIntegerExact();
        }
        throw new IllegalArgumentException("expected an integer");
    }

    private static double floating(JsonNode node) {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        String s = text(node);
        switch (s) {
            case "NaN":
                return Double.NaN;
            case "Infinity":
                return Double.POSITIVE_INFINITY;
            case "-Infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                return Double.parseDouble(s);
        }
    }

    private static GenericArray decodeArray(JsonNode node, DataType elementType) {
        if (!node.isArray()) {
            throw new IllegalArgumentException("expected a JSON array");
        }
        Object[] values = new Object[node.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = decode(node.get(i), elementType, "[" + i + "]");
        }
        return new GenericArray(values);
    }

    /** MAP from [[k, v], ...] pairs, or from a JSON object whose keys are parsed as strings. */
    private static GenericMap decodeMap(JsonNode node, DataType keyType, DataType valueType) {
        Map<Object, Object> map = new LinkedHashMap<>();
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                map.put(
                        decode(NODES.textNode(e.getKey()), keyType, "map key"),
                        decode(e.getValue(), valueType, "map value"));
            }
        } else if (node.isArray()) {
            for (JsonNode pair : node) {
                if (!pair.isArray() || pair.size() != 2) {
                    throw new IllegalArgumentException("map entries must be [key, value] pairs");
                }
                map.put(
                        decode(pair.get(0), keyType, "map key"),
                        decode(pair.get(1), valueType, "map value"));
            }
        } else {
            throw new IllegalArgumentException("expected [[key, value], ...]");
        }
        return new GenericMap(map);
    }

    /** MULTISET from [[element, count], ...] pairs (the same shape {@link #encode} writes). */
    private static GenericMap decodeMultiset(JsonNode node, DataType elementType) {
        if (!node.isArray()) {
            throw new IllegalArgumentException("expected [[element, count], ...]");
        }
        Map<Object, Object> map = new LinkedHashMap<>();
        for (JsonNode pair : node) {
            if (!pair.isArray() || pair.size() != 2) {
                throw new IllegalArgumentException("multiset entries must be [element, count]");
            }
            map.put(
                    decode(pair.get(0), elementType, "multiset element"),
                    integral(pair.get(1)).intValueExact());
        }
        return new GenericMap(map);
    }

    /** Compact JSON text, non-ASCII characters as themselves. */
    static String compact(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
