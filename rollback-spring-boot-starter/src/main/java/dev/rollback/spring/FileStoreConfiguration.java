package dev.rollback.spring;

import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.RunLock;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.lock.FileRunLock;
import dev.rollback.spring.internal.LazyJournal;
import dev.rollback.spring.internal.LazyRunLock;
import java.nio.file.Path;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The file journal and file run locks in {@code rollback.journal.directory} (its {@code locks}
 * folder), when no other journal is configured.
 */
@Configuration(proxyBeanMethods = false)
class FileStoreConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(Journal.class)
    LazyJournal rollbackJournal(RollbackProperties properties) {
        Path directory = properties.getJournal().getDirectory().toAbsolutePath();
        return new LazyJournal("file journal in " + directory, () -> FileJournal.of(directory));
    }

    @Bean
    @ConditionalOnMissingBean(RunLock.class)
    LazyRunLock rollbackRunLock(RollbackProperties properties) {
        Path directory = properties.getJournal().getDirectory().toAbsolutePath().resolve("locks");
        return new LazyRunLock("file run locks in " + directory, () -> FileRunLock.of(directory));
    }
}
