package dev.rollback.integrations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A stand-in for {@code systemctl}, run as a real child process: a shell script that appends
 * "{@code <verb> <unit> <what the unit's configuration file holds>}" to a log, so a test sees which
 * service restarted in which order and which configuration it started with. Units named in
 * {@code failing} exit 1 as a failed restart does; units named in {@code hanging} never return.
 */
final class FakeSystemctl {
    private final Path script;
    private final Path log;

    private FakeSystemctl(Path script, Path log) {
        this.script = script;
        this.log = log;
    }

    /** A fake whose units read their configuration from {@code configFile}. */
    static FakeSystemctl in(Path dir, Path configFile, List<String> failing, List<String> hanging) throws IOException {
        Path log = dir.resolve("systemctl.log");
        Path script = dir.resolve("systemctl");
        StringBuilder body = new StringBuilder("#!/bin/sh\n");
        for (String unit : failing) {
            body.append("if [ \"$2\" = \"")
                    .append(unit)
                    .append("\" ]; then echo \"Job for ")
                    .append(unit)
                    .append(".service failed because the control process exited with error code.\" >&2; exit 1; fi\n");
        }
        for (String unit : hanging) {
            body.append("if [ \"$2\" = \"").append(unit).append("\" ]; then sleep 300; fi\n");
        }
        body.append("echo \"$1 $2 $(cat ")
                .append(configFile)
                .append(")\" >> ")
                .append(log)
                .append('\n');
        Files.writeString(script, body.toString());
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return new FakeSystemctl(script, log);
    }

    /** The command that restarts {@code unit} with this fake. */
    String[] restart(String unit) {
        return new String[] {script.toString(), "restart", unit};
    }

    /** What it logged, a line per restart. */
    List<String> log() throws IOException {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }
}
