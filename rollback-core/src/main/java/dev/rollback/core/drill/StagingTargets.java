package dev.rollback.core.drill;

import dev.rollback.api.PlannedStep;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.internal.Arguments;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The staging policy of drill mode: which targets a drill may act on. A drill runs against staging
 * targets, with names of their own, never production's; this policy tells a target that looks like
 * production and refuses it, from what each step declares it acts on ({@link
 * dev.rollback.api.RollbackStep#actsOn()}).
 *
 * <p>A target looks like production when:
 * <ul>
 *   <li>one of its <em>tokens</em> is a production token: the target is cut into tokens at every
 *       character that is not a letter or a digit and at every lower-to-upper case change, compared
 *       without case; the default tokens are {@code prod}, {@code production} and {@code prd}, so
 *       {@code app-prod-eu} and {@code appProd} look like production and {@code product-catalog} does
 *       not;</li>
 *   <li>it matches one of the application's patterns ({@link Pattern#matcher(CharSequence) find},
 *       anywhere in the target);</li>
 *   <li>it is, or holds as a whole name, one of the production names the application declares
 *       ({@link Builder#addProductionName(String)}) or one of the targets of its production plans
 *       ({@link Builder#addProductionTargetsOf(RollbackPlan)}): compared without case, bounded on both
 *       sides by the target's start or end or a character that is not a letter, digit, '.', '-' or
 *       '_'; so a production name {@code advisoros-api} matches {@code rg/advisoros-api/slots/blue} and
 *       not {@code rg/advisoros-api-staging}.</li>
 * </ul>
 * A step that declares no target is refused too: nothing proves it acts on staging.
 *
 * <p>Immutable and thread-safe. It reads only what the plan declares; it never connects anywhere.
 */
public final class StagingTargets {
    private static final List<String> DEFAULT_TOKENS = List.of("prod", "production", "prd");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9]+");
    private static final Pattern CASE_CHANGE = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])");
    private static final Pattern SPLIT = Pattern.compile("[^A-Za-z0-9]+");

    private final Set<String> tokens;
    private final List<Pattern> patterns;
    private final Set<String> productionNames;

    private StagingTargets(Builder b) {
        this.tokens = Set.copyOf(b.tokens);
        this.patterns = List.copyOf(b.patterns);
        this.productionNames = Set.copyOf(b.productionNames);
    }

    /** The defaults: the production tokens {@code prod}, {@code production}, {@code prd}; no pattern, no name. */
    public static StagingTargets ofDefaults() {
        return custom().build();
    }

    /** A builder starting from the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder starting from {@code base}'s tokens, patterns and names. */
    public static Builder from(StagingTargets base) {
        Objects.requireNonNull(base, "base");
        Builder b = new Builder();
        b.tokens.clear();
        b.tokens.addAll(base.tokens);
        b.patterns.addAll(base.patterns);
        b.productionNames.addAll(base.productionNames);
        return b;
    }

    /**
     * Why {@code target} looks like production ("holds the production token 'prod'"), or empty when it
     * does not.
     */
    public Optional<String> productionReason(String target) {
        Objects.requireNonNull(target, "target");
        for (String token : SPLIT.split(CASE_CHANGE.matcher(target).replaceAll("-"))) {
            String t = token.toLowerCase(Locale.ROOT);
            if (tokens.contains(t)) {
                return Optional.of("holds the production token '" + t + "'");
            }
        }
        for (Pattern p : patterns) {
            if (p.matcher(target).find()) {
                return Optional.of("matches the production pattern '" + p.pattern() + "'");
            }
        }
        String lower = target.toLowerCase(Locale.ROOT);
        for (String name : productionNames) {
            if (holdsName(lower, name)) {
                return Optional.of(
                        lower.equals(name)
                                ? "is the production target '" + name + "'"
                                : "names the production target '" + name + "'");
            }
        }
        return Optional.empty();
    }

    /** Whether {@code target} looks like production (see the class comment). */
    public boolean looksLikeProduction(String target) {
        return productionReason(target).isPresent();
    }

    /**
     * Checks every step of {@code plan} and returns what each acts on, by step id in plan order.
     *
     * @throws DrillRefusedException naming every step whose target looks like production, and every
     *     step that declares no target
     */
    public Map<String, String> check(RollbackPlan plan) {
        Objects.requireNonNull(plan, "plan");
        Map<String, String> targets = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (PlannedStep s : plan.steps()) {
            Optional<String> target = s.step().actsOn();
            if (target.isEmpty()) {
                refused.add(s.id());
                problems.add("step '" + s.id() + "' declares no target (actsOn), so nothing proves it acts on staging");
                continue;
            }
            Optional<String> reason = productionReason(target.get());
            if (reason.isPresent()) {
                refused.add(s.id());
                problems.add("step '" + s.id() + "' acts on '" + target.get() + "', which " + reason.get());
            } else {
                targets.put(s.id(), target.get());
            }
        }
        if (!problems.isEmpty()) {
            throw new DrillRefusedException(
                    plan.name(),
                    refused,
                    "drill mode refuses plan '" + plan.name() + "' before any step runs: "
                            + String.join("; ", problems));
        }
        return Collections.unmodifiableMap(targets);
    }

    private static boolean holdsName(String target, String name) {
        int from = 0;
        while (true) {
            int at = target.indexOf(name, from);
            if (at < 0) {
                return false;
            }
            int end = at + name.length();
            if ((at == 0 || !nameChar(target.charAt(at - 1)))
                    && (end == target.length() || !nameChar(target.charAt(end)))) {
                return true;
            }
            from = at + 1;
        }
    }

    private static boolean nameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_';
    }

    @Override
    public String toString() {
        return "StagingTargets[tokens=" + tokens + ", patterns=" + patterns.size() + ", production names="
                + productionNames.size() + "]";
    }

    /**
     * Builds a {@link StagingTargets}. Setters check their argument at once (IllegalArgumentException
     * naming the field and value); not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private final Set<String> tokens = new LinkedHashSet<>(DEFAULT_TOKENS);
        private final List<Pattern> patterns = new ArrayList<>();
        private final Set<String> productionNames = new LinkedHashSet<>();

        private Builder() {}

        /**
         * The production tokens, replacing the current ones (none at all disables the token rule); each
         * letters and digits only, compared without case. Default: {@code prod}, {@code production},
         * {@code prd}.
         */
        public Builder productionTokens(String... tokens) {
            Objects.requireNonNull(tokens, "tokens");
            Set<String> checked = new LinkedHashSet<>();
            for (String token : tokens) {
                Arguments.requireText(token, "token");
                if (!TOKEN.matcher(token).matches()) {
                    throw new IllegalArgumentException(
                            "token must be letters and digits only (targets are cut at other characters), got '" + token
                                    + "'");
                }
                checked.add(token.toLowerCase(Locale.ROOT));
            }
            this.tokens.clear();
            this.tokens.addAll(checked);
            return this;
        }

        /** Adds a pattern: a target in which it is found looks like production. Default: none. */
        public Builder addProductionPattern(Pattern pattern) {
            patterns.add(Objects.requireNonNull(pattern, "pattern"));
            return this;
        }

        /**
         * Adds a production name (a web app, a server, a host, a namespace, "rg/app"): a target that is it
         * or holds it as a whole name looks like production. Non-blank. Default: none.
         */
        public Builder addProductionName(String name) {
            productionNames.add(Arguments.requireText(name, "name").strip().toLowerCase(Locale.ROOT));
            return this;
        }

        /**
         * Adds what every step of a production plan acts on as production names: a drill's step may not act
         * on any of them.
         */
        public Builder addProductionTargetsOf(RollbackPlan productionPlan) {
            Objects.requireNonNull(productionPlan, "productionPlan");
            for (PlannedStep s : productionPlan.steps()) {
                s.step().actsOn().ifPresent(this::addProductionName);
            }
            return this;
        }

        /** Builds the policy. */
        public StagingTargets build() {
            return new StagingTargets(this);
        }
    }
}
