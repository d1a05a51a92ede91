/**
 * Rollback for Spring Boot 3: the auto-configuration of the executor, its journal and run lock, the
 * trigger engine fed from the application's HTTP requests, the plan catalog of the application's plan
 * beans, metrics, the {@code rollback.*} properties, the {@code rollback} actuator endpoint and the health
 * indicator. Nothing starts until it is used or enabled.
 */
package dev.rollback.spring;
