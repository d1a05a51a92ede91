package dev.rollback.core.trigger;

import java.io.BufferedReader;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads a CSV trace into a {@link Replay}. The first line names the columns; {@code timestamp}
 * is required (ISO-8601 instant or epoch milliseconds), the others optional, in any order:
 * {@code latency_ms} and {@code success} (a request; both or neither), {@code connection_ok},
 * {@code health_check_ok}, {@code memory_percent}, {@code disk_percent}. An empty cell records
 * nothing. Blank lines and lines starting with {@code #} are skipped, before the header too.
 * Stateless.
 */
final class TraceCsv {
    private static final List<String> COLUMNS = List.of(
            "timestamp", "latency_ms", "success", "connection_ok", "health_check_ok", "memory_percent", "disk_percent");

    private TraceCsv() {}

    static void play(BufferedReader in, Replay replay) throws IOException {
        int lineNumber = 0;
        String header;
        do {
            header = in.readLine();
            lineNumber++;
        } while (header != null && (header.isBlank() || header.startsWith("#")));
        if (header == null) {
            throw new IllegalArgumentException(
                    "line " + lineNumber + ": the trace is empty; it needs a header naming its" + " columns, like "
                            + String.join(",", COLUMNS));
        }
        int headerLine = lineNumber;
        int[] column = new int[COLUMNS.size()]; // the position of each known column, -1 if absent
        Arrays.fill(column, -1);
        String[] names = header.split(",", -1);
        for (int i = 0; i < names.length; i++) {
            String name = names[i].trim().toLowerCase(Locale.ROOT);
            int known = COLUMNS.indexOf(name);
            if (known < 0 || column[known] >= 0) {
                throw new IllegalArgumentException(
                        "line " + headerLine + ", column " + (i + 1) + ": '" + names[i].trim() + "' is "
                                + (known < 0 ? "not a known column; known are " + COLUMNS : "named twice"));
            }
            column[known] = i;
        }
        if (column[0] < 0) {
            throw new IllegalArgumentException("line " + headerLine + ": the header has no 'timestamp' column");
        }
        if ((column[1] < 0) != (column[2] < 0)) {
            throw new IllegalArgumentException(
                    "line " + headerLine + ": 'latency_ms' and 'success' come together," + " but only one is there");
        }
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            lineNumber++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            new Row(lineNumber, line.split(",", -1), column, names.length).playInto(replay);
        }
    }

    /** One line of the trace, with what is needed to name a bad cell. */
    private record Row(int line, String[] cells, int[] column, int width) {

        void playInto(Replay replay) {
            if (cells.length != width) {
                throw new IllegalArgumentException(
                        "line " + line + ": " + cells.length + " columns, but the header has " + width);
            }
            long at = timestamp();
            String latency = cell(1);
            String success = cell(2);
            if (!latency.isEmpty() || !success.isEmpty()) {
                replay.request(at, latencyMicros(), bool(2));
            }
            if (!cell(3).isEmpty()) {
                replay.connectionAttempt(at, bool(3));
            }
            if (!cell(4).isEmpty()) {
                replay.healthCheck(at, bool(4));
            }
            if (!cell(5).isEmpty()) {
                replay.memoryUsage(at, percent(5));
            }
            if (!cell(6).isEmpty()) {
                replay.diskSpace(at, percent(6));
            }
        }

        private String cell(int known) {
            return column[known] < 0 ? "" : cells[column[known]].trim();
        }

        private long timestamp() {
            String value = cell(0);
            try {
                return value.chars().allMatch(Character::isDigit) && !value.isEmpty()
                        ? Long.parseLong(value)
                        : Instant.parse(value).toEpochMilli();
            } catch (NumberFormatException | DateTimeParseException e) {
                throw bad(0, value, "an ISO-8601 instant (2024-05-01T12:00:00Z) or epoch milliseconds");
            }
        }

        private long latencyMicros() {
            String value = cell(1);
            try {
                double millis = Double.parseDouble(value);
                if (millis >= 0 && !Double.isInfinite(millis)) {
                    return Math.round(millis * 1000);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw bad(1, value, "a latency in milliseconds of at least 0");
        }

        private boolean bool(int known) {
            String value = cell(known).toLowerCase(Locale.ROOT);
            return switch (value) {
                case "true", "1", "ok", "yes" -> true;
                case "false", "0", "failed", "no" -> false;
                default -> throw bad(known, value, "true or false");
            };
        }

        private double percent(int known) {
            String value = cell(known);
            try {
                double percent = Double.parseDouble(value);
                if (percent >= 0 && percent <= 100) {
                    return percent;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw bad(known, value, "a percentage from 0 to 100");
        }

        private IllegalArgumentException bad(int known, String value, String expected) {
            return new IllegalArgumentException("line " + line + ", column " + (column[known] + 1) + " ("
                    + COLUMNS.get(known) + "): '" + value + "' is not " + expected);
        }
    }
}
