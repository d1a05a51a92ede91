package dev.rollback.postgres.backup;

/**
 * The archive format of an emergency backup, as {@code pg_dump --format} knows it. Immutable.
 */
public enum BackupFormat {
    /** A folder with one file per table, written by parallel jobs; read by {@code pg_restore}. The default. */
    DIRECTORY("d", ""),
    /** One compressed file; read by {@code pg_restore}. */
    CUSTOM("c", ".dump"),
    /** One SQL script; read by {@code psql}, not by {@code pg_restore}. */
    PLAIN("p", ".sql");

    private final String flag;
    private final String extension;

    BackupFormat(String flag, String extension) {
        this.flag = flag;
        this.extension = extension;
    }

    /** The value of {@code pg_dump --format}. */
    String flag() {
        return flag;
    }

    /** What the backup's name ends with ("" for a folder). */
    String extension() {
        return extension;
    }
}
