package dev.rollback.core.trigger;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.Locale;

/** The sentences decisions carry for humans ("error rate 1.3% > 1% for 5m"). Stateless. */
final class Descriptions {
    private Descriptions() {}

    /** "error rate 1.3% > 1% for 5m", "security breach: {alarm description}", "error rate: no data (treated as failing)". */
    static String decision(TriggerRule rule, double observed, double threshold, String alarm) {
        if (rule.signal().isAlarm()) {
            return words(rule) + ": " + alarm;
        }
        String seen = Double.isNaN(observed) ? "no data (treated as failing)" : value(rule.unit(), observed);
        String sustained = rule.sustain().isZero() ? "" : " for " + duration(rule.sustain());
        String kOfN = rule.evaluationsConsidered() == 1
                ? ""
                : " in " + rule.breachesRequired() + " of " + rule.evaluationsConsidered() + " evaluations";
        return words(rule) + " " + seen + (Double.isNaN(observed) ? ", threshold " : " ") + comparison(rule, threshold)
                + kOfN + sustained;
    }

    /** "error rate > 1%", "p95 response time in (2 s, 5 s]", "security breach present". */
    static String condition(TriggerRule rule, double threshold) {
        return words(rule) + " " + (rule.signal().isAlarm() ? "present" : comparison(rule, threshold));
    }

    private static String comparison(TriggerRule rule, double threshold) {
        if (rule.upperBound().isPresent()) {
            return "in (" + value(rule.unit(), threshold) + ", "
                    + value(rule.unit(), rule.upperBound().getAsDouble()) + "]";
        }
        return "> " + value(rule.unit(), threshold);
    }

    /** "5m", "90s", "1h30m". */
    static String duration(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        if (d.toHours() > 0) {
            out.append(d.toHours()).append('h');
        }
        if (d.toMinutesPart() > 0) {
            out.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0 || d.toMillisPart() > 0) {
            out.append(plain(d.toSecondsPart() + d.toMillisPart() / 1000.0)).append('s');
        }
        return out.toString();
    }

    private static String words(TriggerRule rule) {
        if (rule.customSignal().isPresent()) {
            String custom = rule.customSignal().get().name();
            return rule.signal() == Signal.CUSTOM_LATENCY ? rule.statistic().label() + " " + custom : custom;
        }
        String words = rule.signal().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        return rule.signal() == Signal.RESPONSE_TIME ? rule.statistic().label() + " " + words : words;
    }

    private static String value(String unit, double v) {
        return switch (unit) {
            case "ratio" -> plain(v * 100) + "%";
            case "seconds" -> plain(v) + " s";
            case "percent" -> plain(v) + "%";
            case "count", "value" -> plain(v);
            default -> plain(v) + " " + unit; // a custom gauge's own unit: "1200 messages"
        };
    }

    private static String plain(double v) {
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
