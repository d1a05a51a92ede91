package dev.rollback.storage.internal;

import dev.rollback.api.internal.Arguments;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Include and exclude patterns for blob names, as the runbook writes them ({@code *.pdf,*.docx,*.xlsx}).
 * The rules:
 * <ul>
 *   <li>A list is separated by commas; blanks around each pattern are ignored; an empty pattern
 *       (two commas in a row) is an error. {@code \,} is a literal comma.</li>
 *   <li>A pattern without {@code /} matches the blob's base name (after its last {@code /}), as
 *       {@code az storage blob sync --include-pattern} and azcopy do: {@code *.pdf} matches
 *       {@code clients/2024/report.pdf}. A pattern with {@code /} matches the whole name:
 *       {@code clients/*}{@code /*.pdf}.</li>
 *   <li>{@code *} matches any run of characters but {@code /}; {@code **} any run including
 *       {@code /}; {@code ?} one character but {@code /}; {@code [abc]}, {@code [a-z]} and
 *       {@code [!abc]} one character of (or not of) a set; {@code \} makes the next character
 *       literal.</li>
 *   <li>Matching is case-sensitive, as blob names are: {@code *.pdf} does not match {@code A.PDF}.</li>
 *   <li>{@code {a,b}} alternatives are not supported (list the patterns instead); a pattern with
 *       {@code {} or {@code }}, an unclosed {@code [}, a trailing {@code \}, a leading {@code /} or a
 *       control character is refused, naming the pattern.</li>
 * </ul>
 * An empty include list includes every name; an exclude wins over an include. Immutable and
 * thread-safe; matching costs one regular-expression match per pattern.
 */
public final class Globs {
    private static final Globs ALL = new Globs(List.of(), List.of(), List.of(), List.of());

    private final List<String> includeText;
    private final List<String> excludeText;
    private final List<Glob> include;
    private final List<Glob> exclude;

    private record Glob(Pattern regex, boolean wholeName) {
        boolean matches(String name) {
            return regex.matcher(wholeName ? name : name.substring(name.lastIndexOf('/') + 1))
                    .matches();
        }
    }

    private Globs(List<String> includeText, List<String> excludeText, List<Glob> include, List<Glob> exclude) {
        this.includeText = includeText;
        this.excludeText = excludeText;
        this.include = include;
        this.exclude = exclude;
    }

    /** Every name. */
    public static Globs all() {
        return ALL;
    }

    /** These patterns plus the ones in {@code list} (comma-separated) as includes. */
    public Globs include(String list, String field) {
        List<String> texts = split(list, field);
        List<String> newText = new ArrayList<>(includeText);
        List<Glob> globs = new ArrayList<>(include);
        for (String t : texts) {
            newText.add(t);
            globs.add(compile(t, field));
        }
        return new Globs(List.copyOf(newText), excludeText, List.copyOf(globs), exclude);
    }

    /** These patterns plus the ones in {@code list} (comma-separated) as excludes. */
    public Globs exclude(String list, String field) {
        List<String> texts = split(list, field);
        List<String> newText = new ArrayList<>(excludeText);
        List<Glob> globs = new ArrayList<>(exclude);
        for (String t : texts) {
            newText.add(t);
            globs.add(compile(t, field));
        }
        return new Globs(includeText, List.copyOf(newText), include, List.copyOf(globs));
    }

    /** Whether {@code name} is included and not excluded. */
    public boolean matches(String name) {
        if (!include.isEmpty() && include.stream().noneMatch(g -> g.matches(name))) {
            return false;
        }
        return exclude.stream().noneMatch(g -> g.matches(name));
    }

    /** The include patterns, as given. */
    public List<String> includes() {
        return includeText;
    }

    /** The exclude patterns, as given. */
    public List<String> excludes() {
        return excludeText;
    }

    /** {@code include=a,b; exclude=c}, for evidence. */
    public String describe() {
        return "include=" + (includeText.isEmpty() ? "*" : String.join(",", includeText)) + "; exclude="
                + (excludeText.isEmpty() ? "none" : String.join(",", excludeText));
    }

    static List<String> split(String list, String field) {
        Objects.requireNonNull(list, field);
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (c == '\\' && i + 1 < list.length()) {
                current.append(c).append(list.charAt(++i));
            } else if (c == ',') {
                out.add(current.toString().strip());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        out.add(current.toString().strip());
        for (String p : out) {
            if (p.isEmpty()) {
                throw new IllegalArgumentException(field + " must be a comma-separated list of non-empty patterns,"
                        + " but was '" + Arguments.printable(list) + "'");
            }
        }
        return out;
    }

    static Glob compile(String glob, String field) {
        String shown = "'" + Arguments.printable(glob) + "'";
        if (glob.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(field + " pattern " + shown + " has a control character");
        }
        if (glob.startsWith("/")) {
            throw new IllegalArgumentException(
                    field + " pattern " + shown + " starts with '/'; blob names have no leading '/'");
        }
        StringBuilder regex = new StringBuilder();
        boolean wholeName = false;
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i);
            switch (c) {
                case '\\' -> {
                    if (i + 1 >= glob.length()) {
                        throw new IllegalArgumentException(field + " pattern " + shown + " ends with a lone '\\'");
                    }
                    char next = glob.charAt(++i);
                    if (next == '/') {
                        wholeName = true;
                    }
                    regex.append(Pattern.quote(String.valueOf(next)));
                }
                case '*' -> {
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                        regex.append(".*");
                        i++;
                    } else {
                        regex.append("[^/]*");
                    }
                }
                case '?' -> regex.append("[^/]");
                case '[' -> i = characterClass(glob, i, regex, field, shown);
                case '{', '}' ->
                    throw new IllegalArgumentException(field + " pattern " + shown + " uses '" + c
                            + "': alternatives are not supported; list the patterns separated by commas");
                case '/' -> {
                    wholeName = true;
                    regex.append('/');
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
            i++;
        }
        return new Glob(Pattern.compile(regex.toString(), Pattern.DOTALL), wholeName);
    }

    /** Appends the class starting at {@code glob[start] == '['}; returns the index of its ']'. */
    private static int characterClass(String glob, int start, StringBuilder regex, String field, String shown) {
        int i = start + 1;
        StringBuilder set = new StringBuilder("[");
        if (i < glob.length() && glob.charAt(i) == '!') {
            set.append('^');
            i++;
        }
        boolean first = true;
        while (i < glob.length() && (glob.charAt(i) != ']' || first)) {
            char c = glob.charAt(i);
            if (c == '/') {
                throw new IllegalArgumentException(field + " pattern " + shown + " has '/' inside '[...]'");
            }
            if (c == '-' && !first && i + 1 < glob.length() && glob.charAt(i + 1) != ']') {
                char low = glob.charAt(i - 1);
                char high = glob.charAt(i + 1);
                if (high < low) {
                    throw new IllegalArgumentException(
                            field + " pattern " + shown + " has a reversed range '" + low + "-" + high + "'");
                }
                set.append('-');
            } else if (c == '\\' && i + 1 < glob.length()) {
                set.append('\\').append(glob.charAt(++i));
            } else if (Character.isLetterOrDigit(c)) {
                set.append(c);
            } else {
                set.append('\\').append(c);
            }
            first = false;
            i++;
        }
        if (i >= glob.length()) {
            throw new IllegalArgumentException(field + " pattern " + shown + " has an unclosed '['");
        }
        set.append(']');
        if (set.toString().equals("[^]")) {
            throw new IllegalArgumentException(field + " pattern " + shown + " has an empty '[!]'");
        }
        regex.append(set.toString().startsWith("[^") ? set.toString().replace("[^", "[^/") : set);
        return i;
    }

    @Override
    public String toString() {
        return "Globs[" + describe() + "]";
    }
}
