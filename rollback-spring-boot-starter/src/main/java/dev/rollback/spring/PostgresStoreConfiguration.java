package dev.rollback.spring;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.RunLock;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.coordination.PostgresJournal;
import dev.rollback.postgres.coordination.PostgresRunLock;
import dev.rollback.spring.internal.LazyJournal;
import dev.rollback.spring.internal.LazyRunLock;
import dev.rollback.spring.internal.PostgresJdbcUrl;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.boot.autoconfigure.jdbc.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The PostgreSQL journal and run lock, in schema {@code rollback.journal.schema} of the application's
 * database, when provider-postgres and a DataSource are present. They connect with the DataSource's
 * URL, user and password (Spring Boot's connection details, or {@code spring.datasource.*}) and open
 * their own sessions: a session lock must own its session, so they never borrow from the pool.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(PostgresJournal.class)
@ConditionalOnBean(DataSource.class)
class PostgresStoreConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(Journal.class)
    LazyJournal rollbackJournal(
            RollbackProperties properties,
            ObjectProvider<JdbcConnectionDetails> details,
            ObjectProvider<DataSourceProperties> dataSource) {
        String schema = properties.getJournal().getSchema();
        Supplier<PostgresEndpoint> endpoint = () -> endpoint(details, dataSource);
        return new LazyJournal(
                "PostgreSQL journal in schema " + schema, () -> PostgresJournal.open(endpoint.get(), schema));
    }

    @Bean
    @ConditionalOnMissingBean(RunLock.class)
    LazyRunLock rollbackRunLock(
            RollbackProperties properties,
            ObjectProvider<JdbcConnectionDetails> details,
            ObjectProvider<DataSourceProperties> dataSource) {
        String schema = properties.getJournal().getSchema();
        return new LazyRunLock(
                "PostgreSQL run lock in schema " + schema,
                () -> PostgresRunLock.open(endpoint(details, dataSource), schema));
    }

    private static PostgresEndpoint endpoint(
            ObjectProvider<JdbcConnectionDetails> details, ObjectProvider<DataSourceProperties> dataSource) {
        JdbcConnectionDetails d = details.getIfAvailable();
        if (d != null) {
            return PostgresJdbcUrl.endpoint(d.getJdbcUrl(), d.getUsername(), d.getPassword());
        }
        DataSourceProperties p = dataSource.getIfAvailable();
        if (p == null || p.getUrl() == null) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "the PostgreSQL journal and run lock need the DataSource's URL, user and password:"
                            + " set spring.datasource.url, username and password, or declare Journal and"
                            + " RunLock beans of your own");
        }
        return PostgresJdbcUrl.endpoint(p.getUrl(), p.determineUsername(), p.determinePassword());
    }
}
