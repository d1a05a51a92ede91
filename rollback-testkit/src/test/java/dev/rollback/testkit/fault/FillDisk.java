package dev.rollback.testkit.fault;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A child-JVM main for the disk-full test: writes to args[0] until the disk is full, then says how much fit. */
public final class FillDisk {
    private FillDisk() {}

    public static void main(String[] args) {
        long written = 0;
        byte[] chunk = new byte[4096];
        try (OutputStream out = Files.newOutputStream(Path.of(args[0]))) {
            for (int i = 0; i < 100_000; i++) {
                out.write(chunk);
                out.flush();
                written += chunk.length;
            }
            System.out.println("no error after " + written);
        } catch (IOException e) {
            System.out.println("full after " + written + ": " + e.getMessage());
        }
    }
}
