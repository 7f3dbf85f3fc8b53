package io.flux.media.lib.jainsip;

import java.util.Properties;

import javax.sip.SipStack;

import org.osgi.annotation.versioning.ProviderType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gov.nist.core.ServerLogger;
import gov.nist.javax.sip.message.SIPMessage;

/**
 * The NIST stack's message trace on SLF4J (logger {@code gov.nist.javax.sip.messages}): the first line
 * of every message sent or received at DEBUG, the whole message at TRACE. Nothing is written to files.
 * Full messages carry digest {@code Authorization} headers (a hash, not the password), which is why
 * they stay at TRACE.
 */
@ProviderType
public final class Slf4jServerLogger implements ServerLogger {

    private static final Logger LOG = LoggerFactory.getLogger("gov.nist.javax.sip.messages");

    public Slf4jServerLogger() {
    }

    @Override
    public void closeLogFile() {
        // No file.
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
        log(message, from, to, null, sender);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender, long time) {
        log(message, from, to, status, sender);
    }

    @Override
    public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
        log(message, from, to, status, sender);
    }

    private static void log(SIPMessage message, String from, String to, String status, boolean sender) {
        if (LOG.isTraceEnabled()) {
            LOG.trace("{} {} -> {}{}:\n{}", sender ? "sent" : "received", from, to,
                    status == null ? "" : " (" + status + ")", message.encode());
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} -> {}{}: {}", sender ? "sent" : "received", from, to,
                    status == null ? "" : " (" + status + ")", message.getFirstLine().trim());
        }
    }

    @Override
    public void logException(Exception ex) {
        LOG.debug("SIP stack exception", ex);
    }

    @Override
    public void setStackProperties(Properties stackProperties) {
        // Levels come from the SLF4J backend's configuration.
    }

    @Override
    public void setSipStack(SipStack sipStack) {
        // Not needed: nothing here depends on the stack instance.
    }
}
