package dev.rollback.testkit.internal;

import java.security.SecureRandom;

/** Random passwords for the servers the testkit starts. */
public final class Passwords {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();

    private Passwords() {}

    /** A random password of {@code length} letters and digits (safe in URLs, configs and shells). */
    public static String generate(int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return out.toString();
    }
}
