package dev.rollback.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The documented matching rules of include and exclude patterns. */
class GlobsTest {
    private static final Globs RUNBOOK = Globs.all().include("*.pdf,*.docx,*.xlsx", "include");

    @Test
    void theRunbooksPatternsMatchBaseNamesAtAnyDepth() {
        assertThat(RUNBOOK.matches("report.pdf")).isTrue();
        assertThat(RUNBOOK.matches("clients/2024/q1/report.pdf")).isTrue();
        assertThat(RUNBOOK.matches("clients/budget.xlsx")).isTrue();
        assertThat(RUNBOOK.matches("letter.docx")).isTrue();
        assertThat(RUNBOOK.matches("notes.txt")).isFalse();
        assertThat(RUNBOOK.matches("report.pdf.tmp")).isFalse();
        assertThat(RUNBOOK.matches("folder.pdf/notes.txt")).isFalse();
        assertThat(RUNBOOK.includes()).containsExactly("*.pdf", "*.docx", "*.xlsx");
    }

    @Test
    void matchingIsCaseSensitiveAsBlobNamesAre() {
        assertThat(RUNBOOK.matches("SCAN.PDF")).isFalse();
        assertThat(Globs.all().include("*.pdf, *.PDF", "include").matches("SCAN.PDF"))
                .isTrue();
    }

    @Test
    void aPatternWithASlashMatchesTheWholeName() {
        Globs g = Globs.all().include("clients/*/*.pdf", "include");
        assertThat(g.matches("clients/acme/a.pdf")).isTrue();
        assertThat(g.matches("clients/acme/2024/a.pdf")).isFalse();
        assertThat(g.matches("a.pdf")).isFalse();
        Globs deep = Globs.all().include("clients/**.pdf", "include");
        assertThat(deep.matches("clients/acme/2024/a.pdf")).isTrue();
        assertThat(deep.matches("other/a.pdf")).isFalse();
    }

    @Test
    void questionMarksClassesAndEscapesWork() {
        assertThat(Globs.all().include("v?.pdf", "i").matches("v1.pdf")).isTrue();
        assertThat(Globs.all().include("v?.pdf", "i").matches("v10.pdf")).isFalse();
        assertThat(Globs.all().include("[ab]*.pdf", "i").matches("b-x.pdf")).isTrue();
        assertThat(Globs.all().include("[ab]*.pdf", "i").matches("c-x.pdf")).isFalse();
        assertThat(Globs.all().include("[!ab]*.pdf", "i").matches("c-x.pdf")).isTrue();
        assertThat(Globs.all().include("[0-9]*.pdf", "i").matches("7.pdf")).isTrue();
        assertThat(Globs.all().include("[0-9]*.pdf", "i").matches("x.pdf")).isFalse();
        assertThat(Globs.all().include("a\\*b.pdf", "i").matches("a*b.pdf")).isTrue();
        assertThat(Globs.all().include("a\\*b.pdf", "i").matches("axb.pdf")).isFalse();
        assertThat(Globs.all().include("a\\,b.pdf", "i").matches("a,b.pdf")).isTrue();
        assertThat(Globs.all().include("report (1).pdf", "i").matches("report (1).pdf"))
                .isTrue();
        assertThat(Globs.all().include("$*.pdf", "i").matches("$x.pdf")).isTrue();
    }

    @Test
    void anExcludeWinsOverAnInclude() {
        Globs g = RUNBOOK.exclude("~$*,drafts/**", "exclude");
        assertThat(g.matches("report.pdf")).isTrue();
        assertThat(g.matches("~$report.docx")).isFalse();
        assertThat(g.matches("drafts/x/report.pdf")).isFalse();
        assertThat(g.describe()).isEqualTo("include=*.pdf,*.docx,*.xlsx; exclude=~$*,drafts/**");
        assertThat(Globs.all().matches("anything/at/all")).isTrue();
    }

    @Test
    void invalidPatternsAreRefusedNamingThePattern() {
        assertThatThrownBy(() -> Globs.all().include("*.pdf,,*.docx", "include"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("include must be a comma-separated list of non-empty patterns")
                .hasMessageContaining("'*.pdf,,*.docx'");
        assertThatThrownBy(() -> Globs.all().include("[abc.pdf", "include"))
                .hasMessageContaining("include pattern '[abc.pdf' has an unclosed '['");
        assertThatThrownBy(() -> Globs.all().include("*.{pdf,docx}", "include"))
                .hasMessageContaining("alternatives are not supported");
        assertThatThrownBy(() -> Globs.all().exclude("/abs/*.pdf", "exclude"))
                .hasMessageContaining("exclude pattern '/abs/*.pdf' starts with '/'");
        assertThatThrownBy(() -> Globs.all().include("a\\", "include")).hasMessageContaining("lone '\\'");
        assertThatThrownBy(() -> Globs.all().include("[z-a].pdf", "include"))
                .hasMessageContaining("reversed range 'z-a'");
        assertThatThrownBy(() -> Globs.all().include("a\nb", "include")).hasMessageContaining("control character");
        assertThatThrownBy(() -> Globs.all().include(" ", "include")).hasMessageContaining("non-empty");
    }
}
