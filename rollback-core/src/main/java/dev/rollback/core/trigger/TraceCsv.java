package dev.rollback.core.trigger;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads a CSV trace into a {@link Replay}, parsed by Jackson's CSV parser (RFC 4180: cells may be
 * quoted, and a quoted cell may hold commas, quotes doubled, line breaks). The first row names the
 * columns, case-insensitively; {@code timestamp} is required (ISO-8601 instant or epoch
 * milliseconds), the others optional, in any order: {@code latency_ms} and {@code success} (a
 * request; both or neither), {@code connection_ok}, {@code health_check_ok}, {@code memory_percent},
 * {@code disk_percent}. An empty cell records nothing; spaces around a cell are ignored. A UTF-8 byte
 * order mark before the first row is skipped, and so are blank lines and lines starting with
 * {@code #}, before the header too. Stateless.
 */
final class TraceCsv {
    private static final List<String> COLUMNS = List.of(
            "timestamp", "latency_ms", "success", "connection_ok", "health_check_ok", "memory_percent", "disk_percent");

    /**
     * Rows as arrays of strings (no schema), comments and blank lines skipped, spaces around a cell
     * (quoted or not) dropped. Thread-safe once built.
     */
    private static final CsvMapper CSV = CsvMapper.builder()
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE) // the caller's reader stays the caller's
            .enable(CsvParser.Feature.ALLOW_COMMENTS)
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES)
            .enable(CsvParser.Feature.TRIM_SPACES)
            .build();

    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private TraceCsv() {}

    static void play(Reader in, Replay replay) throws IOException {
        try (CsvParser rows = (CsvParser) CSV.createParser(withoutByteOrderMark(in))) {
            Row header = next(rows);
            if (header == null) {
                throw new IllegalArgumentException(
                        "line " + rows.currentLocation().getLineNr()
                                + ": the trace is empty; it needs a header naming its columns, like "
                                + String.join(",", COLUMNS));
            }
            int[] column = columns(header);
            for (Row row = next(rows); row != null; row = next(rows)) {
                row.playInto(replay, column, header.cells().size());
            }
        } catch (StreamReadException e) {
            throw new IllegalArgumentException(
                    "line " + e.getLocation().getLineNr() + ": not valid CSV: " + e.getOriginalMessage(), e);
        }
    }

    /** The position of each known column in the header, -1 if absent. */
    private static int[] columns(Row header) {
        int[] column = new int[COLUMNS.size()];
        Arrays.fill(column, -1);
        for (int i = 0; i < header.cells().size(); i++) {
            String name = header.cells().get(i).strip();
            int known = COLUMNS.indexOf(name.toLowerCase(Locale.ROOT));
            if (known < 0 || column[known] >= 0) {
                throw new IllegalArgumentException("line " + header.line() + ", column " + (i + 1) + ": '" + name
                        + "' is " + (known < 0 ? "not a known column; known are " + COLUMNS : "named twice"));
            }
            column[known] = i;
        }
        if (column[0] < 0) {
            throw new IllegalArgumentException("line " + header.line() + ": the header has no 'timestamp' column");
        }
        if ((column[1] < 0) != (column[2] < 0)) {
            throw new IllegalArgumentException(
                    "line " + header.line() + ": 'latency_ms' and 'success' come together, but only one is there");
        }
        return column;
    }

    /** The next row and the line it starts on, or null at the end. */
    private static Row next(CsvParser rows) throws IOException {
        JsonToken token = rows.nextToken();
        if (token == null) {
            return null;
        }
        int line = -1;
        List<String> cells = new ArrayList<>();
        for (token = rows.nextToken(); token == JsonToken.VALUE_STRING; token = rows.nextToken()) {
            if (cells.isEmpty()) {
                line = rows.currentTokenLocation().getLineNr(); // a row's first cell is where it starts
            }
            cells.add(rows.getText());
        }
        return new Row(line, cells);
    }

    private static Reader withoutByteOrderMark(Reader in) throws IOException {
        PushbackReader reader = new PushbackReader(in, 1);
        int first = reader.read();
        if (first != -1 && first != BYTE_ORDER_MARK) {
            reader.unread(first);
        }
        return reader;
    }

    /** One row of the trace and the line it starts on, to name a bad cell. */
    private record Row(int line, List<String> cells) {

        void playInto(Replay replay, int[] column, int width) {
            if (cells.size() != width) {
                throw new IllegalArgumentException(
                        "line " + line + ": " + cells.size() + " columns, but the header has " + width);
            }
            Cells row = new Cells(this, column);
            long at = row.timestamp();
            if (!row.cell(1).isEmpty() || !row.cell(2).isEmpty()) {
                replay.request(at, row.latencyMicros(), row.bool(2));
            }
            if (!row.cell(3).isEmpty()) {
                replay.connectionAttempt(at, row.bool(3));
            }
            if (!row.cell(4).isEmpty()) {
                replay.healthCheck(at, row.bool(4));
            }
            if (!row.cell(5).isEmpty()) {
                replay.memoryUsage(at, row.percent(5));
            }
            if (!row.cell(6).isEmpty()) {
                replay.diskSpace(at, row.percent(6));
            }
        }
    }

    /** The known columns of one row, read by their index in {@link #COLUMNS}. */
    private record Cells(Row row, int[] column) {

        String cell(int known) {
            return column[known] < 0 ? "" : row.cells().get(column[known]).strip();
        }

        long timestamp() {
            String value = cell(0);
            try {
                return value.chars().allMatch(Character::isDigit) && !value.isEmpty()
                        ? Long.parseLong(value)
                        : Instant.parse(value).toEpochMilli();
            } catch (NumberFormatException | DateTimeParseException e) {
                throw bad(0, value, "an ISO-8601 instant (2024-05-01T12:00:00Z) or epoch milliseconds");
            }
        }

        long latencyMicros() {
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

        boolean bool(int known) {
            String value = cell(known).toLowerCase(Locale.ROOT);
            return switch (value) {
                case "true", "1", "ok", "yes" -> true;
                case "false", "0", "failed", "no" -> false;
                default -> throw bad(known, value, "true or false");
            };
        }

        double percent(int known) {
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
            return new IllegalArgumentException("line " + row.line() + ", column " + (column[known] + 1) + " ("
                    + COLUMNS.get(known) + "): '" + value + "' is not " + expected);
        }
    }
}
