package dev.rollback.postgres.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.RollbackException;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import dev.rollback.postgres.internal.Hashing;
import dev.rollback.testkit.TestStepContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupVerificationStepIT {
    @TempDir
    Path tmp;

    private PostgresEndpoint db;
    private Path binDir;

    @BeforeEach
    void database() throws Exception {
        binDir = TestDatabases.server().binaries().binDir();
        db = TestDatabases.create("verify");
        TestDatabases.sql(
                db,
                "CREATE TABLE accounts(id int PRIMARY KEY, name text)",
                "CREATE SCHEMA billing",
                "CREATE TABLE billing.\"Invoice Lines\"(id int, account int)",
                "INSERT INTO accounts SELECT g, 'a' || g FROM generate_series(1, 500) g",
                "INSERT INTO billing.\"Invoice Lines\" SELECT g, g % 500 + 1 FROM generate_series(1, 2000) g");
    }

    private TestStepContext backup(BackupFormat format) throws Exception {
        TestStepContext context = TestStepContext.of("emergency-backup", Duration.ofMinutes(1));
        EmergencyBackupStep.builder()
                .endpoint(db)
                .backupDir(Files.createDirectories(tmp.resolve(format.name())))
                .binDir(binDir)
                .format(format)
                .build()
                .execute(context);
        return context;
    }

    private TestStepContext verifyContext(TestStepContext backup) {
        return TestStepContext.of("verify-backup", Duration.ofMinutes(1))
                .withEvidenceOf(
                        "emergency-backup",
                        EmergencyBackupStep.PATH,
                        backup.evidence().get(EmergencyBackupStep.PATH));
    }

    private BackupVerificationStep.Builder verification() {
        return BackupVerificationStep.builder().endpoint(db).binDir(binDir);
    }

    @Test
    void passesAFreshDirectoryBackupWithItsRestoreTestAndRecordsChecksumAndRows() throws Exception {
        TestStepContext backup = backup(BackupFormat.DIRECTORY);
        TestStepContext context = verifyContext(backup);
        verification().restoreTest(true).build().execute(context);

        assertThat(context.evidence())
                .containsEntry(
                        BackupVerificationStep.VERIFIED_SHA256,
                        backup.evidence().get(EmergencyBackupStep.SHA256))
                .containsEntry(BackupVerificationStep.TABLES, "2")
                .containsEntry(BackupVerificationStep.RESTORED_ROWS, "2500");
        assertThat(TestDatabases.queryLong(
                        TestDatabases.endpoint("postgres"),
                        "SELECT count(*) FROM pg_database WHERE datname LIKE 'rollback_verify_%'"))
                .isZero();
    }

    /**
     * The live database moves on after the dump (writes keep coming during an incident): the restore test
     * compares the restored rows with the counts taken in the dump's own snapshot, so a good backup passes
     * and a backup that lost rows fails, whatever the live database holds now.
     */
    @Test
    void theRestoreTestComparesWithTheCountsTakenWhenTheDumpWasTakenNotWithTheLiveDatabase() throws Exception {
        TestStepContext backup = backup(BackupFormat.CUSTOM);
        TestDatabases.sql(db, "INSERT INTO accounts SELECT g, 'late' FROM generate_series(501, 600) g");
        TestStepContext context = verifyContext(backup);
        verification().restoreTest(true).build().execute(context);
        assertThat(context.evidence()).containsEntry(BackupVerificationStep.RESTORED_ROWS, "2500");

        Path counts = Path.of(backup.evidence().get(EmergencyBackupStep.PATH) + ".rowcounts");
        assertThat(Files.readString(counts)).contains("public.accounts\t500\n");
        Files.writeString(counts, Files.readString(counts).replace("public.accounts\t500", "public.accounts\t501"));
        assertThatThrownBy(() -> verification().restoreTest(true).build().execute(verifyContext(backup)))
                .hasMessageContaining("differ from those counted when the dump was taken")
                .hasMessageContaining("public.accounts=501");

        Files.delete(counts);
        assertThatThrownBy(() -> verification().restoreTest(true).build().execute(verifyContext(backup)))
                .hasMessageContaining("row-count file")
                .hasMessageContaining("is missing");
    }

    @Test
    void passesCustomAndPlainBackups() throws Exception {
        verification().build().execute(verifyContext(backup(BackupFormat.CUSTOM)));
        TestStepContext plain = verifyContext(backup(BackupFormat.PLAIN));
        verification().build().execute(plain);
        assertThat(plain.evidence()).containsEntry(BackupVerificationStep.TABLES, "2");
    }

    @Test
    void failsABackupCorruptedAfterItWasWritten() throws Exception {
        TestStepContext backup = backup(BackupFormat.DIRECTORY);
        Path dir = Path.of(backup.evidence().get(EmergencyBackupStep.PATH));
        Path dataFile;
        try (Stream<Path> files = Files.list(dir)) {
            dataFile = files.filter(f -> f.getFileName().toString().endsWith(".dat.gz"))
                    .findFirst()
                    .orElseThrow();
        }
        Files.write(dataFile, new byte[] {1, 2, 3}, StandardOpenOption.APPEND);

        assertThatThrownBy(() -> verification().build().execute(verifyContext(backup)))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("failed verification: it changed after it was written");
    }

    @Test
    void failsABackupWithOneByteFlippedInPlaceThoughItsSizeIsUnchanged() throws Exception {
        TestStepContext backup = backup(BackupFormat.DIRECTORY);
        Path dir = Path.of(backup.evidence().get(EmergencyBackupStep.PATH));
        Path toc = dir.resolve("toc.dat");
        byte[] bytes = Files.readAllBytes(toc);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(toc, bytes);

        assertThatThrownBy(() -> verification().build().execute(verifyContext(backup)))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("failed verification: it changed after it was written")
                .hasMessageContaining("(" + backup.evidence().get(EmergencyBackupStep.BYTES) + " bytes), now ");
    }

    @Test
    void verifiesABackupWhoseChecksumFileHasTheFirstSchemeAndStillDetectsItsCorruption() throws Exception {
        TestStepContext backup = backup(BackupFormat.CUSTOM);
        Path dump = Path.of(backup.evidence().get(EmergencyBackupStep.PATH));
        // a sidecar as backups written before the chunked scheme have it: three words, one SHA-256 over name, NUL,
        // bytes
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update((byte) 0);
        md.update(Files.readAllBytes(dump));
        String whole = HexFormat.of().formatHex(md.digest());
        Files.writeString(Path.of(dump + ".sha256"), whole + " " + Files.size(dump) + " 1\n");

        TestStepContext context = verifyContext(backup);
        verification().build().execute(context);
        assertThat(context.evidence()).containsEntry(BackupVerificationStep.VERIFIED_SHA256, whole);

        Files.write(dump, new byte[] {9}, StandardOpenOption.APPEND);
        assertThatThrownBy(() -> verification().build().execute(verifyContext(backup)))
                .hasMessageContaining("failed verification: it changed after it was written: recorded sha256 " + whole);
    }

    @Test
    void failsAChecksumFileNamingAnUnknownScheme() throws Exception {
        TestStepContext backup = backup(BackupFormat.CUSTOM);
        Path sidecar = Path.of(backup.evidence().get(EmergencyBackupStep.PATH) + ".sha256");
        Files.writeString(sidecar, Files.readString(sidecar).replace("sha256-chunks-4MiB", "sha256-chunks-1GiB"));
        assertThatThrownBy(() -> verification().build().execute(verifyContext(backup)))
                .hasMessageContaining("its checksum file " + sidecar + " is unreadable: unknown checksum scheme"
                        + " 'sha256-chunks-1GiB'");
    }

    @Test
    void failsARestoreTestOfABackupWhoseDataIsDamagedEvenWithAMatchingChecksumFile() throws Exception {
        TestStepContext backup = backup(BackupFormat.DIRECTORY);
        Path dir = Path.of(backup.evidence().get(EmergencyBackupStep.PATH));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".dat.gz"))
                    .toList()) {
                Files.write(f, new byte[] {0x1f, (byte) 0x8b, 0, 0});
            }
        }
        // an attacker or a bug rewrote the checksum file too: only the restore test can tell
        Path sidecar = Path.of(dir + ".sha256");
        Files.writeString(sidecar, Hashing.digest(dir).sidecarLine());

        verification().build().execute(verifyContext(backup));
        assertThatThrownBy(() -> verification().restoreTest(true).build().execute(verifyContext(backup)))
                .hasMessageContaining("the restore test into rollback_verify_");
    }

    @Test
    void failsWhenTheLiveDatabaseHasATableTheBackupLacks() throws Exception {
        TestStepContext backup = backup(BackupFormat.CUSTOM);
        TestDatabases.sql(db, "CREATE TABLE created_later(id int)");
        assertThatThrownBy(() -> verification().build().execute(verifyContext(backup)))
                .hasMessageContaining("missing [public.created_later]");
    }

    @Test
    void failsWithoutABackupToVerify() {
        assertThatThrownBy(() ->
                        verification().build().execute(TestStepContext.of("verify-backup", Duration.ofMinutes(1))))
                .hasMessageContaining("no backup to verify: step emergency-backup recorded no backup.path");
    }
}
