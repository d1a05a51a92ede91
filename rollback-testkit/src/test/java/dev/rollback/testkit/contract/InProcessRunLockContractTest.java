package dev.rollback.testkit.contract;

import dev.rollback.api.spi.RunLock;
import dev.rollback.core.lock.InProcessRunLock;

/** {@link InProcessRunLock} keeps the {@link RunLock} contract; its store is the instance, so every lock is the one instance. */
class InProcessRunLockContractTest extends RunLockContract {
    private final InProcessRunLock lock = new InProcessRunLock();

    @Override
    protected RunLock createLock() {
        return lock;
    }
}
