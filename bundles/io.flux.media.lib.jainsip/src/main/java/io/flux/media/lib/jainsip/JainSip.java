package io.flux.media.lib.jainsip;

import java.util.Properties;

import org.osgi.annotation.versioning.ProviderType;

import gov.nist.core.CommonLogger;

/**
 * Stack properties that keep the NIST stack off log4j 1.x, which this bundle does not carry.
 * <p>
 * The stack instantiates its loggers by class name with {@code Class.forName} from its own class
 * loader, so the logger classes must live in this bundle; consumers only name them.
 */
@ProviderType
public final class JainSip {

    /** Stack property naming the {@link gov.nist.core.StackLogger} class. */
    public static final String STACK_LOGGER = "gov.nist.javax.sip.STACK_LOGGER";
    /** Stack property naming the {@link gov.nist.core.ServerLogger} class (the message trace). */
    public static final String SERVER_LOGGER = "gov.nist.javax.sip.SERVER_LOGGER";
    /** Stack property naming the {@link gov.nist.core.net.SecurityManagerProvider} class (TLS key material). */
    public static final String SECURITY_MANAGER_PROVIDER = "gov.nist.javax.sip.SECURITY_MANAGER_PROVIDER";
    /** Stack property naming the TLS security policy class. */
    public static final String TLS_SECURITY_POLICY = "gov.nist.javax.sip.TLS_SECURITY_POLICY";

    private JainSip() {
    }

    /**
     * Properties for {@code new gov.nist.javax.sip.SipStackImpl(Properties)} or
     * {@code SipFactory.createSipStack}: the stack name, the SLF4J loggers, and no TLS key material (the
     * RI's defaults read the JVM key store settings and warn when there are none). Callers add their own,
     * and replace {@link #SECURITY_MANAGER_PROVIDER} to use TLS.
     */
    public static Properties properties(String stackName) {
        installLogging();
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", stackName);
        p.setProperty(STACK_LOGGER, Slf4jStackLogger.class.getName());
        p.setProperty(SERVER_LOGGER, Slf4jServerLogger.class.getName());
        p.setProperty(SECURITY_MANAGER_PROVIDER, NoTlsSecurityManagerProvider.class.getName());
        p.setProperty(TLS_SECURITY_POLICY, "gov.nist.javax.sip.stack.DefaultTlsSecurityPolicy");
        return p;
    }

    /**
     * Makes the RI's static loggers use SLF4J before any stack exists (parsers and factories log too);
     * without it their first log call would reach for log4j and fail with {@code NoClassDefFoundError}.
     */
    public static synchronized void installLogging() {
        if (!(CommonLogger.legacyLogger instanceof Slf4jStackLogger)) {
            CommonLogger.legacyLogger = new Slf4jStackLogger();
        }
        CommonLogger.useLegacyLogger = true;
    }
}
