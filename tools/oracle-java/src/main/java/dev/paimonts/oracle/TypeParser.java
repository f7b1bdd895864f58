package dev.paimonts.oracle;

import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.DataTypeJsonParser;
import org.apache.paimon.types.DataTypes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses Paimon SQL type strings. Atomic types (INT, DECIMAL(38, 10), TIMESTAMP(3) WITH LOCAL
 * TIME ZONE, ...) are handed to Paimon's own parser; the composite types ARRAY, MULTISET, MAP
 * and ROW, which that parser does not accept, are handled here recursively.
 *
 * <p>ROW fields may be written {@code name TYPE}, {@code name: TYPE} or {@code `name` TYPE},
 * optionally followed by a {@code 'description'}; both {@code ROW<...>} and {@code ROW(...)}
 * are accepted.
 */
final class TypeParser {

    private final String text;
    private int pos;
    private int nextFieldId;

    private TypeParser(String text) {
        this.text = text;
    }

    static DataType parse(String typeString) {
        TypeParser parser = new TypeParser(typeString);
        DataType type = parser.parseType();
        parser.skipSpaces();
        if (parser.pos != parser.text.length()) {
            throw parser.error("unexpected trailing text");
        }
        return type;
    }

    private DataType parseType() {
        skipSpaces();
        int start = pos;
        String word = peekWord().toUpperCase(Locale.ROOT);
        DataType type;
        switch (word) {
            case "ARRAY":
                pos += word.length();
                expect('<');
                type = DataTypes.ARRAY(parseType());
                expect('>');
                break;
            case "MULTISET":
                pos += word.length();
                expect('<');
                type = DataTypes.MULTISET(parseType());
                expect('>');
                break;
            case "MAP":
                pos += word.length();
                expect('<');
                DataType key = parseType();
                expect(',');
                DataType value = parseType();
                expect('>');
                type = DataTypes.MAP(key, value);
                break;
            case "ROW":
                pos += word.length();
                type = parseRow();
                break;
            default:
                return parseAtomic(start);
        }
        return applyNullability(type);
    }

    private DataType parseRow() {
        skipSpaces();
        char open = peek();
        char close;
        if (open == '<') {
            close = '>';
        } else if (open == '(') {
            close = ')';
        } else {
            throw error("expected '<' or '(' after ROW");
        }
        pos++;
        List<DataField> fields = new ArrayList<>();
        skipSpaces();
        if (peek() == close) {
            pos++;
            return DataTypes.ROW(fields.toArray(new DataField[0]));
        }
        while (true) {
            skipSpaces();
            String name = parseFieldName();
            skipSpaces();
            if (peek() == ':') {
                pos++;
            }
            DataType fieldType = parseType();
            skipSpaces();
            String description = null;
            if (peek() == '\'') {
                description = parseQuoted('\'');
                skipSpaces();
            }
            fields.add(new DataField(nextFieldId++, name, fieldType, description));
            char c = peek();
            pos++;
            if (c == close) {
                break;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or '" + close + "' in ROW");
            }
        }
        return DataTypes.ROW(fields.toArray(new DataField[0]));
    }

    private String parseFieldName() {
        if (peek() == '`') {
            return parseQuoted('`');
        }
        int start = pos;
        while (pos < text.length()
                && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_'
                        || text.charAt(pos) == '$')) {
            pos++;
        }
        if (start == pos) {
            throw error("expected a field name");
        }
        return text.substring(start, pos);
    }

    /** Quoted text where the quote character is escaped by doubling it. */
    private String parseQuoted(char quote) {
        expect(quote);
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated " + quote + "-quoted text");
            }
            char c = text.charAt(pos++);
            if (c == quote) {
                if (pos < text.length() && text.charAt(pos) == quote) {
                    sb.append(quote);
                    pos++;
                } else {
                    return sb.toString();
                }
            } else {
                sb.append(c);
            }
        }
    }

    /** An atomic type runs until a top-level ',', '>', ')' or a quoted description. */
    private DataType parseAtomic(int start) {
        int depth = 0;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                if (depth == 0) {
                    break;
                }
                depth--;
            } else if (depth == 0 && (c == ',' || c == '>' || c == '<' || c == '\'')) {
                break;
            }
            pos++;
        }
        String atomic = text.substring(start, pos).trim();
        if (atomic.isEmpty()) {
            throw error("expected a type");
        }
        try {
            return DataTypeJsonParser.parseAtomicTypeSQLString(atomic);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot parse type '" + atomic + "' in '" + text + "': " + e.getMessage(), e);
        }
    }

    private DataType applyNullability(DataType type) {
        skipSpaces();
        if (matchWords("NOT", "NULL")) {
            return type.copy(false);
        }
        if (matchWords("NULL")) {
            return type.copy(true);
        }
        return type;
    }

    private boolean matchWords(String... words) {
        int save = pos;
        for (String w : words) {
            skipSpaces();
            String next = peekWord();
            if (!next.equalsIgnoreCase(w)) {
                pos = save;
                return false;
            }
            pos += next.length();
        }
        return true;
    }

    private String peekWord() {
        int end = pos;
        while (end < text.length()
                && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
            end++;
        }
        return text.substring(pos, end);
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void expect(char c) {
        skipSpaces();
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private void skipSpaces() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException(
                "cannot parse type '" + text + "' at position " + pos + ": " + message);
    }
}
