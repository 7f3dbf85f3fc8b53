package io.flux.media.server.internal;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Used when SLF4J is not bound to Logback: says once that levels cannot be applied, then stays quiet. */
final class UnsupportedLogControl implements LogControl {

    private static final Logger LOG = LoggerFactory.getLogger(UnsupportedLogControl.class);

    private final String binding;
    private final AtomicBoolean warned = new AtomicBoolean();

    UnsupportedLogControl(String binding) {
        this.binding = binding;
    }

    @Override
    public void apply(LogLevel root, Map<String, LogLevel> loggers) {
        warnOnce();
    }

    @Override
    public void useConsolePattern() {
        warnOnce();
    }

    @Override
    public boolean supported() {
        return false;
    }

    private void warnOnce() {
        if (warned.compareAndSet(false, true)) {
            LOG.warn("SLF4J is bound to {}, not Logback: log.level, log.levels and the console pattern cannot be applied",
                    binding);
        }
    }
}
