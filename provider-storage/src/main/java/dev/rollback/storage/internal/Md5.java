package dev.rollback.storage.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/** MD5 digests, as Azure stores them in {@code Content-MD5} (Base64 of the 16 bytes). Stateless. */
public final class Md5 {
    private Md5() {}

    /** A new MD5 digest; every JVM has one. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no MD5 digest", e);
        }
    }

    /** The digest as hex, or {@code none} for an empty array. */
    public static String hex(byte[] md5) {
        return md5.length == 0 ? "none" : HexFormat.of().formatHex(md5);
    }

    /** The digest as Base64, as in {@code Content-MD5}. */
    public static String base64(byte[] md5) {
        return Base64.getEncoder().encodeToString(md5);
    }
}
