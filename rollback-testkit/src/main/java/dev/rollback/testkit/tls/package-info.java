/**
 * TLS for tests: a throw-away certificate authority that issues server certificates for the host
 * names a test chooses ({@link dev.rollback.testkit.tls.TestCertificates}), and a TLS-terminating
 * forwarder that puts such a certificate in front of a plain TCP server
 * ({@link dev.rollback.testkit.tls.TlsForwarder}), so that a client's certificate and host-name
 * checks can be tested against real servers: the right host accepted, a wrong one refused.
 */
package dev.rollback.testkit.tls;
