package dev.rollback.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's quickstart is {@code Quickstart.main}, and it does what the README says. */
class QuickstartTest {

    @Test
    void theReadmeQuickstartIsTheBodyOfQuickstartMainLineForLine() throws IOException {
        Path root = RepositoryRoot.find();
        String readme = Files.readString(root.resolve("README.md"));
        String java = Files.readString(root.resolve("examples/src/main/java/dev/rollback/examples/Quickstart.java"));

        assertThat(dedent(quickstartBlock(readme)))
                .as("README.md's quickstart against Quickstart.main (copy the method's body into the README)")
                .isEqualTo(dedent(mainBody(java)));
    }

    @Test
    void theQuickstartRollsBackVerifiesAndMeetsItsRto() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            Quickstart.main(new String[0]);
        } finally {
            System.setOut(out);
        }

        String report = printed.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("- **Outcome:** SUCCEEDED");
        assertThat(report.lines())
                .anySatisfy(line -> assertThat(line).startsWith("| swap-slots | app-service | SUCCEEDED |"))
                .anySatisfy(line -> assertThat(line).matches("\\| app-service \\| 5 min 00 s \\| [^|]+ \\| met \\|.*"));
        assertThat(report).contains("serves-previous-version").contains("v41");
    }

    /** The first java code block after the "## Quickstart" heading. */
    private static String quickstartBlock(String readme) {
        int section = readme.indexOf("\n## Quickstart\n");
        assertThat(section).as("a '## Quickstart' section in README.md").isNotNegative();
        Matcher block = Pattern.compile("```java\\n(.*?)\\n```", Pattern.DOTALL).matcher(readme);
        assertThat(block.find(section))
                .as("a java code block in the quickstart")
                .isTrue();
        return block.group(1);
    }

    /** The text between {@code main}'s braces. */
    private static String mainBody(String java) {
        int signature = java.indexOf("public static void main(String[] args) {");
        assertThat(signature).as("Quickstart.main").isNotNegative();
        int open = java.indexOf('{', signature);
        int depth = 0;
        for (int i = open; i < java.length(); i++) {
            char c = java.charAt(i);
            if (c == '"') {
                i = java.indexOf('"', i + 1); // the quickstart has no escaped quotes or brace characters
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return java.substring(java.indexOf('\n', open) + 1, java.lastIndexOf('\n', i));
            }
        }
        throw new AssertionError("main's braces do not close");
    }

    /** The lines without their common indentation and trailing blanks. */
    private static String dedent(String text) {
        List<String> lines =
                Arrays.stream(text.split("\n", -1)).map(String::stripTrailing).toList();
        int indent = lines.stream()
                .filter(line -> !line.isEmpty())
                .mapToInt(line -> line.length() - line.stripLeading().length())
                .min()
                .orElse(0);
        return String.join(
                        "\n",
                        lines.stream()
                                .map(line -> line.isEmpty() ? line : line.substring(indent))
                                .toList())
                .strip();
    }
}
