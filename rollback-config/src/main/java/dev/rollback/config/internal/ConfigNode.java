package dev.rollback.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.rollback.config.ConfigurationException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node of a parsed configuration file with the path that leads to it, so every error names the
 * file, the key and the value. Reads scalars from their text, so YAML (typed) and properties (all
 * text) read the same. Immutable.
 */
public final class ConfigNode {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private final String source;
    private final String path;
    private final JsonNode node;

    ConfigNode(String source, String path, JsonNode node) {
        this.source = source;
        this.path = path;
        this.node = node;
    }

    /** The whole file {@code source}, parsed into {@code node}. */
    public static ConfigNode root(String source, JsonNode node) {
        return new ConfigNode(source, "", node);
    }

    /** Whether this node is a section with no key (an empty file, {@code {}}). */
    public boolean isEmptySection() {
        return node.isObject() && node.isEmpty() || node.isMissingNode() || node.isNull();
    }

    /** The key's path, like {@code matrix.rules[2].above}. */
    public String path() {
        return path;
    }

    /** The child {@code key}, if present and not null. */
    public Optional<ConfigNode> optional(String key) {
        JsonNode child = node.get(key);
        return child == null || child.isNull() ? Optional.empty() : Optional.of(child(key, child));
    }

    /** The child {@code key}. */
    public ConfigNode required(String key) {
        return optional(key)
                .orElseThrow(
                        () -> new ConfigurationException(join(key), "", source + ": " + join(key) + " is required"));
    }

    /** Refuses keys other than {@code known}, naming the first one and the keys this node takes. */
    public ConfigNode allowOnly(Set<String> known) {
        requireObject();
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                throw new ConfigurationException(
                        join(name),
                        "",
                        source + ": " + join(name) + " is not a known key" + (path.isEmpty() ? "" : " of " + path)
                                + "; known keys are " + new TreeSet<>(known));
            }
        });
        return this;
    }

    /** The children of an object, by key, in file order. */
    public Map<String, ConfigNode> fields() {
        requireObject();
        Map<String, ConfigNode> fields = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> fields.put(e.getKey(), child(e.getKey(), e.getValue())));
        return fields;
    }

    /**
     * The items of a list: a YAML sequence, properties keys {@code 1, 2, ...} (numeric order), or one
     * text with items separated by commas.
     */
    public List<ConfigNode> list() {
        List<ConfigNode> items = new ArrayList<>();
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                items.add(new ConfigNode(source, path + "[" + i + "]", node.get(i)));
            }
        } else if (node.isObject() && allKeysNumeric()) {
            List<String> keys = new ArrayList<>();
            node.fieldNames().forEachRemaining(keys::add);
            keys.sort(Comparator.comparingLong(Long::parseLong));
            for (String key : keys) {
                items.add(new ConfigNode(source, path + "[" + key + "]", node.get(key)));
            }
        } else if (node.isValueNode()) {
            String[] parts = node.asText().split(",", -1);
            for (int i = 0; i < parts.length; i++) {
                if (!parts[i].isBlank()) {
                    items.add(new ConfigNode(source, path + "[" + i + "]", TextNode.valueOf(parts[i].trim())));
                }
            }
        } else {
            throw bad("a list");
        }
        return items;
    }

    /** The text of a scalar. */
    public String text() {
        if (!node.isValueNode()) {
            throw bad("a single value");
        }
        return node.asText().trim();
    }

    /** A non-blank text. */
    public String nonBlank() {
        String text = text();
        if (text.isEmpty()) {
            throw bad("a non-blank text");
        }
        return text;
    }

    /** A whole number, at least {@code min}. */
    public long integer(long min) {
        String text = text();
        try {
            long value = Long.parseLong(text.replace("_", ""));
            if (value >= min) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad("a whole number of at least " + min);
    }

    /** A finite number of at least 0. */
    public double number() {
        String text = text();
        try {
            double value = Double.parseDouble(text);
            if (value >= 0 && !Double.isInfinite(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad("a number of at least 0");
    }

    /** A ratio: {@code 0.01} or {@code 1%}, from 0 to 1. */
    public double ratio() {
        String text = text();
        // a percentage moves its decimal point: 99.9% is exactly 0.999, as the code writes it
        double value = text.endsWith("%") ? percentOf(text, 2) : numberOr(text, Double.NaN);
        if (!(value >= 0 && value <= 1)) {
            throw bad("a ratio from 0 to 1 (0.01) or a percentage from 0% to 100% (1%)");
        }
        return value;
    }

    /** A percentage: {@code 90} or {@code 90%}, from 0 to 100. */
    public double percent() {
        String text = text();
        double value = text.endsWith("%") ? percentOf(text, 0) : numberOr(text, Double.NaN);
        if (!(value >= 0 && value <= 100)) {
            throw bad("a percentage from 0 to 100 (90 or 90%)");
        }
        return value;
    }

    /**
     * A duration: {@code 0}, parts like {@code 1h30m}, {@code 90s}, {@code 250ms}, {@code 2d}, or
     * ISO-8601 ({@code PT5M}); never negative.
     */
    public Duration duration() {
        String text = text();
        Optional<Duration> parsed = parseDuration(text);
        if (parsed.isEmpty() || parsed.get().isNegative()) {
            throw bad("a duration like 90s, 5m, 1h30m, 250ms or PT5M");
        }
        return parsed.get();
    }

    /** A duration, or a plain number of seconds. */
    public Duration durationOrSeconds() {
        String text = text();
        double seconds = numberOr(text, Double.NaN);
        if (seconds >= 0 && !Double.isInfinite(seconds)) {
            return Duration.ofNanos(Math.round(seconds * 1e9));
        }
        return duration();
    }

    /** A constant of {@code type}, written in any case, with '-' for '_' ({@code manual-review}). */
    public <E extends Enum<E>> E constant(Class<E> type) {
        String text = text();
        String name = text.toUpperCase(Locale.ROOT).replace('-', '_');
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(name)) {
                return constant;
            }
        }
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw bad("one of " + names);
    }

    /**
     * Runs {@code build}, which checks a value with the library's own rules; its
     * {@link IllegalArgumentException} or {@link IllegalStateException} becomes an error naming this
     * key.
     */
    public <T> T check(Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ConfigurationException(
                    path, describe(), source + ": " + display() + " is refused: " + e.getMessage());
        }
    }

    /** An error naming this key and its value: it is not {@code expected}. */
    public ConfigurationException bad(String expected) {
        return new ConfigurationException(path, describe(), source + ": " + display() + " is not " + expected);
    }

    private String display() {
        String value = describe();
        return path + (value.isEmpty() ? "" : " '" + value + "'");
    }

    private String describe() {
        if (node.isValueNode()) {
            return node.asText();
        }
        return node.isArray() ? "(a list)" : node.isObject() ? "(a section)" : "";
    }

    private static double numberOr(String text, double otherwise) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static double percentOf(String text, int shift) {
        try {
            return new BigDecimal(text.substring(0, text.length() - 1).trim())
                    .movePointLeft(shift)
                    .doubleValue();
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static Optional<Duration> parseDuration(String text) {
        if (text.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        if (text.startsWith("P") || text.startsWith("p") || text.startsWith("-P")) {
            try {
                return Optional.of(Duration.parse(text));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        Matcher m = DURATION_PART.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return Optional.empty();
            }
            long amount = Long.parseLong(m.group(1));
            total = total.plus(
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(amount);
                        case "s" -> Duration.ofSeconds(amount);
                        case "m" -> Duration.ofMinutes(amount);
                        case "h" -> Duration.ofHours(amount);
                        default -> Duration.ofDays(amount);
                    });
            end = m.end();
        }
        return end == text.length() && end > 0 ? Optional.of(total) : Optional.empty();
    }

    private boolean allKeysNumeric() {
        boolean[] numeric = {node.size() > 0};
        node.fieldNames()
                .forEachRemaining(k -> numeric[0] &= !k.isEmpty() && k.chars().allMatch(Character::isDigit));
        return numeric[0];
    }

    private void requireObject() {
        if (!node.isObject()) {
            throw bad("a section of keys");
        }
    }

    private ConfigNode child(String key, JsonNode child) {
        return new ConfigNode(source, join(key), child);
    }

    private String join(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
