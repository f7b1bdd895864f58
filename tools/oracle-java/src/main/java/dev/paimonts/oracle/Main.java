package dev.paimonts.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

/**
 * Entry point of the Paimon test oracle.
 *
 * <pre>
 * oracle read-table WAREHOUSE DB.TABLE [--snapshot N] [--tag NAME] [--option K=V]... [--table-option K=V]...
 * oracle describe   WAREHOUSE DB.TABLE [--option K=V]... [--table-option K=V]...
 * oracle stream-read WAREHOUSE DB.TABLE --from N [--to M] [--option K=V]... [--table-option K=V]...
 * oracle write      SPEC.json | -
 * oracle serve
 * oracle version
 * </pre>
 *
 * <p>stdout carries exactly one JSON document (one JSON line per request in serve mode);
 * everything else, including any library output, goes to stderr.
 */
public final class Main {

    private static final String USAGE =
            "usage:\n"
                    + "  oracle read-table WAREHOUSE DB.TABLE [--snapshot N] [--tag NAME]"
                    + " [--option K=V]... [--table-option K=V]...\n"
                    + "  oracle describe WAREHOUSE DB.TABLE [--option K=V]... [--table-option K=V]...\n"
                    + "  oracle stream-read WAREHOUSE DB.TABLE --from N [--to M]"
                    + " [--option K=V]... [--table-option K=V]...\n"
                    + "  oracle write SPEC.json|-\n"
                    + "  oracle serve\n"
                    + "  oracle version\n";

    private Main() {}

    public static void main(String[] args) {
        // The real stdout is reserved for JSON; stray library prints go to stderr.
        PrintStream jsonOut = System.out;
        System.setOut(System.err);
        // Values are formatted as UTC wall clock; never let the machine's zone leak in.
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));

        int code;
        try {
            code = run(args, jsonOut);
        } catch (UsageException e) {
            System.err.println("oracle: " + e.getMessage());
            System.err.print(USAGE);
            code = 2;
        } catch (Throwable t) {
            System.err.println("oracle: " + describeError(t));
            if (System.getenv("ORACLE_DEBUG") != null) {
                t.printStackTrace();
            }
            code = 1;
        }
        System.err.flush();
        jsonOut.flush();
        // Library thread pools may be non-daemon; do not wait for them.
        System.exit(code);
    }

    private static int run(String[] args, PrintStream out) throws Exception {
        if (args.length == 0) {
            throw new UsageException("missing command");
        }
        String command = args[0];
        List<String> rest = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            rest.add(args[i]);
        }
        if (command.equals("serve")) {
            serve(System.in, out);
            return 0;
        }
        JsonNode result;
        switch (command) {
            case "read-table":
                result = readTable(rest);
                break;
            case "describe":
                result = describe(rest);
                break;
            case "stream-read":
                result = streamRead(rest);
                break;
            case "write":
                if (rest.size() != 1) {
                    throw new UsageException("write takes one argument: SPEC.json or -");
                }
                result = Commands.write(readSpec(rest.get(0)));
                break;
            case "version":
                result = Commands.version();
                break;
            case "bench-write": return Bench.run(rest, out); // tools/bench (write benchmark)
            case "-h":
            case "--help":
            case "help":
                System.err.print(USAGE);
                return 0;
            default:
                throw new UsageException("unknown command '" + command + "'");
        }
        printLine(out, result);
        return 0;
    }

    private static JsonNode readTable(List<String> args) throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, String> tableOptions = new LinkedHashMap<>();
        List<String> positional =
                parse(args, flags, options, tableOptions, "--snapshot", "--tag");
        if (positional.size() != 2) {
            throw new UsageException("read-table takes WAREHOUSE and DB.TABLE");
        }
        Long snapshot = null;
        if (flags.containsKey("--snapshot")) {
            try {
                snapshot = Long.parseLong(flags.get("--snapshot"));
            } catch (NumberFormatException e) {
                throw new UsageException("--snapshot needs a number");
            }
        }
        return Commands.readTable(
                positional.get(0), positional.get(1), snapshot, flags.get("--tag"), options,
                tableOptions);
    }

    private static JsonNode streamRead(List<String> args) throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, String> tableOptions = new LinkedHashMap<>();
        List<String> positional = parse(args, flags, options, tableOptions, "--from", "--to");
        if (positional.size() != 2 || !flags.containsKey("--from")) {
            throw new UsageException("stream-read takes WAREHOUSE, DB.TABLE and --from N");
        }
        try {
            return Commands.streamRead(
                    positional.get(0), positional.get(1), Long.parseLong(flags.get("--from")),
                    flags.containsKey("--to") ? Long.parseLong(flags.get("--to")) : null,
                    null, options, tableOptions);
        } catch (NumberFormatException e) {
            throw new UsageException("--from and --to need numbers");
        }
    }

    private static JsonNode describe(List<String> args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, String> tableOptions = new LinkedHashMap<>();
        List<String> positional = parse(args, new LinkedHashMap<>(), options, tableOptions);
        if (positional.size() != 2) {
            throw new UsageException("describe takes WAREHOUSE and DB.TABLE");
        }
        return Commands.describe(positional.get(0), positional.get(1), options, tableOptions);
    }

    /**
     * Splits args into positionals, the allowed value flags, repeated --option K=V (catalog
     * options) and repeated --table-option K=V (dynamic table options).
     */
    private static List<String> parse(
            List<String> args, Map<String, String> flags, Map<String, String> options,
            Map<String, String> tableOptions, String... allowed) {
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            String name = a;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new UsageException(a + " needs a value");
            }
            if (name.equals("--option") || name.equals("--table-option")) {
                int kv = value.indexOf('=');
                if (kv <= 0) {
                    throw new UsageException(name + " needs KEY=VALUE");
                }
                (name.equals("--option") ? options : tableOptions)
                        .put(value.substring(0, kv), value.substring(kv + 1));
            } else if (java.util.Arrays.asList(allowed).contains(name)) {
                flags.put(name, value);
            } else {
                throw new UsageException("unknown flag " + name);
            }
        }
        return positional;
    }

    private static JsonNode readSpec(String source) throws IOException {
        try (InputStream in = source.equals("-") ? System.in : new FileInputStream(source)) {
            JsonNode spec = Canonical.MAPPER.readTree(in);
            if (spec == null || !spec.isObject()) {
                throw new IllegalArgumentException("the write spec must be a JSON object");
            }
            return spec;
        }
    }

    // ------------------------------------------------------------------ serve

    /** One JSON request per line in, one JSON response per line out, until EOF. */
    static void serve(InputStream in, PrintStream out) throws IOException {
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.trim().isEmpty()) {
                continue;
            }
            ObjectNode response = JsonNodeFactory.instance.objectNode();
            JsonNode id = null;
            try {
                JsonNode request = Canonical.MAPPER.readTree(line);
                id = request.get("id");
                response.set("id", id == null ? JsonNodeFactory.instance.nullNode() : id);
                response.put("ok", true);
                response.set("result", handle(request));
            } catch (Throwable t) {
                response.removeAll();
                response.set("id", id == null ? JsonNodeFactory.instance.nullNode() : id);
                response.put("ok", false);
                response.put("error", describeError(t));
            }
            printLine(out, response);
        }
    }

    private static JsonNode handle(JsonNode request) throws Exception {
        String cmd = Commands.requiredText(request, "cmd");
        JsonNode args = request.path("args");
        Map<String, String> options = Commands.stringMap(args.get("catalogOptions"));
        Map<String, String> tableOptions = Commands.stringMap(args.get("tableOptions"));
        switch (cmd) {
            case "read-table":
                JsonNode snapshot = args.get("snapshot");
                JsonNode tag = args.get("tag");
                return Commands.readTable(
                        Commands.requiredText(args, "warehouse"),
                        Commands.requiredText(args, "table"),
                        snapshot == null || snapshot.isNull() ? null : snapshot.asLong(),
                        tag == null || tag.isNull() ? null : tag.asText(),
                        options,
                        tableOptions);
            case "describe":
                return Commands.describe(
                        Commands.requiredText(args, "warehouse"),
                        Commands.requiredText(args, "table"),
                        options,
                        tableOptions);
            case "stream-read": {
                JsonNode to = args.get("toSnapshot");
                JsonNode from = args.get("fromSnapshot");
                if (from == null || !from.canConvertToLong()) {
                    throw new IllegalArgumentException("missing number field 'fromSnapshot'");
                }
                JsonNode projection = args.get("projection");
                List<String> fields = null;
                if (projection != null && !projection.isNull()) {
                    fields = new ArrayList<>();
                    for (JsonNode f : projection) {
                        fields.add(f.asText());
                    }
                }
                return Commands.streamRead(
                        Commands.requiredText(args, "warehouse"),
                        Commands.requiredText(args, "table"),
                        from.asLong(),
                        to == null || to.isNull() ? null : to.asLong(),
                        fields,
                        options,
                        tableOptions);
            }
            case "write":
                return Commands.write(args);
            case "version":
                return Commands.version();
            default:
                throw new IllegalArgumentException("unknown cmd '" + cmd + "'");
        }
    }

    // ------------------------------------------------------------------ output

    private static void printLine(PrintStream out, JsonNode node) throws IOException {
        byte[] bytes = Canonical.compactUtf8(node);
        OutputStream raw = out;
        raw.write(bytes);
        raw.write('\n');
        raw.flush();
    }

    /**
     * The message of every cause (and of suppressed exceptions, where Paimon often puts the
     * real reason) plus a few frames of the root cause.
     */
    static String describeError(Throwable t) {
        StringBuilder sb = new StringBuilder(String.valueOf(t));
        Throwable current = t;
        Throwable root = t;
        for (int depth = 0; current != null && depth < 10; depth++) {
            if (current != t) {
                sb.append("\n  caused by: ").append(current);
            }
            for (Throwable s : current.getSuppressed()) {
                sb.append("\n  suppressed: ").append(s);
                for (Throwable c = s.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                    sb.append("\n    caused by: ").append(c);
                }
            }
            root = current;
            current = current.getCause() == current ? null : current.getCause();
        }
        StackTraceElement[] frames = root.getStackTrace();
        for (int i = 0; i < Math.min(8, frames.length); i++) {
            sb.append("\n    at ").append(frames[i]);
        }
        return sb.toString();
    }

    private static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
