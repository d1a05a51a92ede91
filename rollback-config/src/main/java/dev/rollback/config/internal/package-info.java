/** Internal: reading a parsed configuration file with the path of every value, for errors that name it. */
package dev.rollback.config.internal;
