package io.flux.media.lib.jainsip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Properties;

import javax.sip.ListeningPoint;
import javax.sip.message.Request;

import org.junit.jupiter.api.Test;

import gov.nist.core.CommonLogger;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;

/** The RI runs without log4j, which this bundle does not carry, once its loggers are the SLF4J ones. */
class JainSipTest {

    @Test
    void log4jIsNotOnTheClassPath() {
        // Otherwise the tests below would pass for the wrong reason.
        assertThatThrownBy(() -> Class.forName("org.apache.log4j.Logger")).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void parsingBeforeAnyStackExistsLogsThroughSlf4j() throws Exception {
        JainSip.installLogging();

        Request r = (Request) new MessageFactoryImpl().createRequest("OPTIONS sip:a@b SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\nFrom: <sip:c@d>;tag=1\r\nTo: <sip:a@b>\r\n"
                + "Call-ID: x\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");

        assertThat(r.getMethod()).isEqualTo("OPTIONS");
        assertThat(CommonLogger.legacyLogger).isInstanceOf(Slf4jStackLogger.class);
    }

    @Test
    void stackStartsListensAndStopsWithTheSlf4jLoggers() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            port = probe.getLocalPort();
        }
        Properties p = JainSip.properties("jainsip-test");
        assertThat(p).containsEntry(JainSip.STACK_LOGGER, Slf4jStackLogger.class.getName())
                .containsEntry(JainSip.SERVER_LOGGER, Slf4jServerLogger.class.getName())
                .containsEntry(JainSip.SECURITY_MANAGER_PROVIDER, NoTlsSecurityManagerProvider.class.getName());

        SipStackImpl stack = new SipStackImpl(p);
        ListeningPoint lp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP);
        stack.createSipProvider(lp);
        stack.start();
        assertThat(CommonLogger.legacyLogger).isInstanceOf(Slf4jStackLogger.class);
        try {
            stack.stop();
        } catch (RuntimeException e) {
            // Known JAIN SIP race right after start (the UDP processor's channel list not yet created): the
            // socket is closed by then; stopping the processor and the stack again completes the stop, as
            // the GB28181 Registrar does.
            try {
                ((gov.nist.javax.sip.ListeningPointImpl) lp).getMessageProcessor().stop();
                stack.stop();
            } catch (RuntimeException again) {
                // Same race again; what matters is below: the port must be free.
            }
        }

        try (DatagramSocket rebind = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
            assertThat(rebind.getLocalPort()).isEqualTo(port);
        }
    }
}
