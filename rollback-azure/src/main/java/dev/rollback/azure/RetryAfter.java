package dev.rollback.azure;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

/**
 * How long a server asked the client to wait, and in which words: Azure sends {@code retry-after-ms}
 * or {@code x-ms-retry-after-ms} (milliseconds) and HTTP sends {@code Retry-After} (delta-seconds or
 * an HTTP-date, RFC 9110 10.2.3). Read in that order, as azure-core's own retry policy reads them.
 *
 * <p>Used by {@link DeadlineAwareRetryPolicy} to refuse a wait longer than the step has left, and by
 * {@link AzureFailures} to put the wait on a {@link dev.rollback.api.TransientFailureException} for
 * the executor. An immutable value.
 *
 * @param delay how long to wait, never negative (a date in the past is zero)
 * @param header the header it came from, as the server spelled it ({@code Retry-After})
 * @param value the header's value as sent, for messages
 */
public record RetryAfter(Duration delay, String header, String value) {
    private static final String[] MILLISECOND_HEADERS = {"retry-after-ms", "x-ms-retry-after-ms"};

    /** Validates. */
    public RetryAfter {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(value, "value");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, but was " + delay);
        }
    }

    /**
     * The wait a response asks for, if it asks for one in a form that parses.
     *
     * @param headers the response's headers (null: none)
     * @param now the client's wall clock, against which an HTTP-date is counted
     * @return the wait; empty when no header is there or none parses
     */
    public static Optional<RetryAfter> of(HttpHeaders headers, Instant now) {
        if (headers == null) {
            return Optional.empty();
        }
        for (String name : MILLISECOND_HEADERS) {
            String ms = headers.getValue(HttpHeaderName.fromString(name));
            if (ms != null && !ms.isBlank()) {
                try {
                    long millis = Long.parseLong(ms.trim());
                    if (millis >= 0) {
                        return Optional.of(new RetryAfter(Duration.ofMillis(millis), name, ms.trim()));
                    }
                } catch (NumberFormatException notMillis) {
                    // fall through to the next header
                }
            }
        }
        String value = headers.getValue(HttpHeaderName.RETRY_AFTER);
        return parse(value, now).map(wait -> new RetryAfter(wait, "Retry-After", value.trim()));
    }

    /**
     * Parses a {@code Retry-After} value: delta-seconds or an HTTP-date counted from {@code now}.
     *
     * @param value the value (null or blank: none)
     * @param now the client's wall clock
     * @return the wait, never negative; empty when it does not parse
     */
    public static Optional<Duration> parse(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                Duration wait = Duration.between(now, at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    /** What the server asked, as sent: {@code Retry-After: 3600}. */
    public String asked() {
        return header + ": " + value;
    }
}
