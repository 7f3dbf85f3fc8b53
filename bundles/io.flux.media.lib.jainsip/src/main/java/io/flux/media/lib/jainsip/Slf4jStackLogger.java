package io.flux.media.lib.jainsip;

import java.io.IOException;
import java.util.Properties;

import org.osgi.annotation.versioning.ProviderType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gov.nist.core.StackLogger;

/**
 * The NIST stack's debug log on SLF4J (logger {@code gov.nist.javax.sip}). The stack asks
 * {@link #isLoggingEnabled(int)} before building its messages, so SLF4J's level decides the cost.
 * Exceptions the stack reports on its own are mostly about one bad peer message, and errors carrying an
 * {@link IOException} are about one peer's connection (closed, reset); both go to DEBUG so that a peer
 * cannot flood the log (the consumer counts and logs what matters itself).
 */
@ProviderType
public final class Slf4jStackLogger implements StackLogger {

    private static final Logger LOG = LoggerFactory.getLogger("gov.nist.javax.sip");

    private volatile boolean enabled = true;

    public Slf4jStackLogger() {
    }

    @Override
    public void logStackTrace() {
        logStackTrace(TRACE_DEBUG);
    }

    @Override
    public void logStackTrace(int traceLevel) {
        if (isLoggingEnabled(traceLevel)) {
            LOG.debug("stack trace", new Throwable("stack trace requested by the SIP stack"));
        }
    }

    @Override
    public int getLineCount() {
        return 0;
    }

    @Override
    public void logException(Throwable ex) {
        if (enabled) {
            LOG.debug("SIP stack exception", ex);
        }
    }

    @Override
    public void logDebug(String message) {
        if (enabled) {
            LOG.debug(message);
        }
    }

    @Override
    public void logDebug(String message, Exception ex) {
        if (enabled) {
            LOG.debug(message, ex);
        }
    }

    @Override
    public void logTrace(String message) {
        if (enabled) {
            LOG.trace(message);
        }
    }

    @Override
    public void logFatalError(String message) {
        if (enabled) {
            LOG.error(message);
        }
    }

    @Override
    public void logError(String message) {
        if (enabled) {
            LOG.error(message);
        }
    }

    @Override
    public void logError(String message, Exception ex) {
        if (!enabled) {
            return;
        }
        if (ex instanceof IOException) {
            LOG.debug(message, ex);
        } else {
            LOG.error(message, ex);
        }
    }

    @Override
    public void logWarning(String message) {
        if (enabled) {
            LOG.warn(message);
        }
    }

    @Override
    public void logInfo(String message) {
        if (enabled) {
            LOG.info(message);
        }
    }

    @Override
    public boolean isLoggingEnabled() {
        return enabled;
    }

    @Override
    public boolean isLoggingEnabled(int logLevel) {
        if (!enabled || logLevel <= TRACE_NONE) {
            return false;
        }
        if (logLevel <= TRACE_ERROR) {
            return LOG.isErrorEnabled();
        }
        if (logLevel <= TRACE_WARN) {
            return LOG.isWarnEnabled();
        }
        if (logLevel <= TRACE_INFO) {
            return LOG.isInfoEnabled();
        }
        if (logLevel <= TRACE_DEBUG) {
            return LOG.isDebugEnabled();
        }
        return LOG.isTraceEnabled();
    }

    @Override
    public void disableLogging() {
        enabled = false;
    }

    @Override
    public void enableLogging() {
        enabled = true;
    }

    @Override
    public void setBuildTimeStamp(String buildTimeStamp) {
        // The stack's build stamp is in the bundle manifest already.
    }

    @Override
    public void setStackProperties(Properties stackProperties) {
        // Levels come from the SLF4J backend's configuration, not from stack properties.
    }

    @Override
    public String getLoggerName() {
        return LOG.getName();
    }
}
