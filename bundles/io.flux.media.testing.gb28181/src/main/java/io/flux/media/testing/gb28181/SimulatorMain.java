package io.flux.media.testing.gb28181;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Command line: runs simulated devices against a platform until interrupted (Ctrl-C unregisters them) or for
 * {@code --duration} seconds. Run without arguments or with {@code --help} for the options.
 */
public final class SimulatorMain {

    private static final String ENV_PASSWORD = "FLUX_SIM_PASSWORD";

    private static final String USAGE = """
            Usage: SimulatorMain --server HOST:PORT [options]

              --server HOST:PORT        platform SIP address (required)
              --transport udp|tcp       SIP transport (udp)
              --local-address IP        address to bind and announce (the route to the server)
              --local-port N            local SIP port (any)
              --platform-id ID          platform SIP id (34020000002000000001)
              --domain D                SIP domain (3402000000)
              --devices N               number of devices (1)
              --first-id ID             first device id, the next ones count up (34020000001320000001)
              --password P              device password (default: environment FLUX_SIM_PASSWORD)
              --channels N              channels per device (1)
              --expires S               REGISTER expiry asked for (3600)
              --keepalive S             keepalive interval (60)
              --rate N                  registrations per second at start (100)
              --catalog-page-size N     catalog items per Response MESSAGE (20)
              --media FILE              program stream to send (default: generated, see --bitrate)
              --bitrate KBPS            bit rate of the generated stream (2000)
              --cache-dir DIR           where the generated stream is kept (target/flux-sim or ~/.cache/flux-sim)
              --media-threads N         RTP sender threads (min(2, cores))
              --max-sessions N          sessions per device before 486 (16)
              --report S                seconds between totals lines (10)
              --duration S              stop after S seconds (run until Ctrl-C)
            Faults (applied to every device):
              --fault-wrong-ssrc        send RTP with another SSRC than offered
              --fault-no-media          answer INVITEs, send nothing
              --fault-tcp-never-connect platform passive: never connect
              --fault-garbage-media     a non-RTP datagram before every UDP frame
              --fault-busy              answer INVITEs 486
              --fault-stop-media-after N  stop each stream after N packets (dialog stays up)
              --fault-query answer|ack-only|silent  how queries are treated (answer)
              --fault-catalog-pages N   send only the first N catalog pages
              --fault-no-keepalive      never send keepalives
            """;

    private SimulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Parsed options (name without dashes to value; flags map to "true"). */
    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq > 0) {
                opts.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (name.equals("help") || name.startsWith("fault-") && isFlag(name)) {
                opts.put(name, "true");
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                opts.put(name, args[++i]);
            }
        }
        return opts;
    }

    private static boolean isFlag(String name) {
        return switch (name) {
            case "fault-wrong-ssrc", "fault-no-media", "fault-tcp-never-connect", "fault-garbage-media", "fault-busy",
                    "fault-no-keepalive" -> true;
            default -> false;
        };
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Map<String, String> o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (o.isEmpty() || o.containsKey("help")) {
            out.print(USAGE);
            return o.isEmpty() ? 2 : 0;
        }
        String server = o.remove("server");
        if (server == null || server.lastIndexOf(':') < 0) {
            err.println("--server HOST:PORT is required");
            return 2;
        }
        String password = o.containsKey("password") ? o.remove("password") : System.getenv(ENV_PASSWORD);
        if (password == null) {
            err.println("no password: use --password or set " + ENV_PASSWORD);
            return 2;
        }
        int devices = intOpt(o, "devices", 1);
        int channels = intOpt(o, "channels", 1);
        double rate = Double.parseDouble(o.getOrDefault("rate", "100"));
        o.remove("rate");
        int reportSeconds = intOpt(o, "report", 10);
        int durationSeconds = intOpt(o, "duration", 0);
        BigInteger firstId = new BigInteger(strOpt(o, "first-id", "34020000001320000001"));

        SimTransport transport = SimTransport.valueOf(strOpt(o, "transport", "udp").toUpperCase(Locale.ROOT));
        GbSimulator.Builder b = GbSimulator.builder()
                .server(server.substring(0, server.lastIndexOf(':')),
                        Integer.parseInt(server.substring(server.lastIndexOf(':') + 1)))
                .transport(transport)
                .registerExpires(intOpt(o, "expires", 3600))
                .keepaliveInterval(Duration.ofSeconds(intOpt(o, "keepalive", 60)))
                .catalogPageSize(intOpt(o, "catalog-page-size", 20))
                .maxSessionsPerDevice(intOpt(o, "max-sessions", 16))
                .closeTimeout(Duration.ofSeconds(10));
        if (o.containsKey("local-address")) {
            b.localAddress(o.remove("local-address"));
        }
        if (o.containsKey("local-port")) {
            b.localPort(intOpt(o, "local-port", 0));
        }
        if (o.containsKey("platform-id")) {
            b.platformId(o.remove("platform-id"));
        }
        if (o.containsKey("domain")) {
            b.domain(o.remove("domain"));
        }
        if (o.containsKey("media-threads")) {
            b.mediaThreads(intOpt(o, "media-threads", 1));
        }
        SimFaults faults = faults(o);
        boolean noKeepalive = o.remove("fault-no-keepalive") != null;
        PsMediaFile media = media(o, out, err);
        b.media(media);
        if (!o.isEmpty()) {
            err.println("unknown options: " + o.keySet());
            return 2;
        }

        GbSimulator sim = b.build();
        List<SimDevice> all = new ArrayList<>(devices);
        BigInteger id = firstId;
        for (int i = 0; i < devices; i++) {
            String s = id.toString();
            if (s.length() != 20) {
                err.println("device id out of 20 digits: " + s);
                sim.close();
                return 2;
            }
            SimDevice d = sim.addDevice(s, password, channels);
            d.faults().copyFrom(faults);
            d.pauseKeepalives(noKeepalive);
            all.add(d);
            id = id.add(BigInteger.ONE);
        }
        out.printf("simulating %d device(s) x %d channel(s) from %s over %s to %s, media %s%n", devices, channels,
                sim.localSipAddress(), transport, server, media == null ? "none (INVITEs refused)" : media);

        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(30, TimeUnit.SECONDS); // let main unregister the devices before the JVM goes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "flux-sim-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        long start = System.nanoTime();
        sim.registerAll(rate);
        boolean summarized = false;
        long lastBytes = 0;
        long lastReport = start;
        long end = durationSeconds > 0 ? start + TimeUnit.SECONDS.toNanos(durationSeconds) : Long.MAX_VALUE;
        while (!stop.await(Math.min(1000, reportSeconds * 1000L), TimeUnit.MILLISECONDS)) {
            long now = System.nanoTime();
            if (!summarized) {
                int registered = 0;
                int failed = 0;
                for (SimDevice d : all) {
                    if (d.registrations() > 0) {
                        registered++;
                    } else if (d.lastFailure() != null) {
                        failed++;
                    }
                }
                if (registered + failed == devices) {
                    summarized = true;
                    out.printf("registration: %d/%d registered, %d failed, in %.1f s%n", registered, devices, failed,
                            (now - start) / 1e9);
                    all.stream().filter(d -> d.lastFailure() != null).limit(10)
                            .forEach(d -> out.printf("  %s: %s%n", d.id(), d.lastFailure()));
                }
            }
            if (now - lastReport >= TimeUnit.SECONDS.toNanos(reportSeconds)) {
                SimCounters c = sim.counters();
                double mbps = (c.rtpBytes() - lastBytes) * 8 / ((now - lastReport) / 1e9) / 1e6;
                out.printf("[%5d s] registered %d/%d, sessions %d, RTP %d packets %.1f Mbit/s, keepalives %d "
                        + "(%d failed), registrations %d ok %d failed, queries %d, invites %d ok %d refused, "
                        + "retransmissions %d%n", (now - start) / 1_000_000_000L, c.registered(), c.devices(),
                        c.sessions(), c.rtpPackets(), mbps, c.keepalivesSent(), c.keepalivesFailed(),
                        c.registrationsOk(), c.registrationsFailed(), c.queriesAnswered(), c.invitesAccepted(),
                        c.invitesRejected(), c.retransmissionsSent());
                lastBytes = c.rtpBytes();
                lastReport = now;
            }
            if (now >= end) {
                break;
            }
        }
        out.println("stopping: hanging up and unregistering " + devices + " device(s)");
        sim.close();
        SimCounters c = sim.counters();
        out.printf("done: %d unregistered, %d BYEs sent, %d RTP packets, %d bytes%n", c.unregistrations(),
                c.byesSent(), c.rtpPackets(), c.rtpBytes());
        closed.countDown();
        if (stop.getCount() > 0) {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        return 0;
    }

    private static SimFaults faults(Map<String, String> o) {
        SimFaults f = new SimFaults();
        f.wrongSsrc(o.remove("fault-wrong-ssrc") != null);
        f.noMedia(o.remove("fault-no-media") != null);
        f.tcpNeverConnect(o.remove("fault-tcp-never-connect") != null);
        f.garbageMedia(o.remove("fault-garbage-media") != null);
        f.busy(o.remove("fault-busy") != null);
        if (o.containsKey("fault-stop-media-after")) {
            f.stopMediaAfterPackets(Long.parseLong(o.remove("fault-stop-media-after")));
        }
        if (o.containsKey("fault-query")) {
            f.queryReply(SimFaults.QueryReply.valueOf(
                    o.remove("fault-query").toUpperCase(Locale.ROOT).replace('-', '_')));
        }
        if (o.containsKey("fault-catalog-pages")) {
            f.catalogPageLimit(Integer.parseInt(o.remove("fault-catalog-pages")));
        }
        return f;
    }

    private static PsMediaFile media(Map<String, String> o, PrintStream out, PrintStream err) throws IOException {
        String file = o.remove("media");
        int bitrate = intOpt(o, "bitrate", 2000);
        Path cache = o.containsKey("cache-dir") ? Path.of(o.remove("cache-dir")) : PsMediaFile.defaultCacheDir();
        if (file != null) {
            Path p = Path.of(file);
            if (!Files.isRegularFile(p)) {
                throw new IOException("no such media file: " + p);
            }
            return PsMediaFile.load(p);
        }
        try {
            Path p = PsMediaFile.generate(cache, bitrate);
            out.println("media: " + p);
            return PsMediaFile.load(p);
        } catch (IOException e) {
            err.println("no media (" + e.getMessage() + "): INVITEs will be refused");
            return null;
        }
    }

    private static int intOpt(Map<String, String> o, String name, int fallback) {
        String v = o.remove(name);
        return v == null ? fallback : Integer.parseInt(v);
    }

    private static String strOpt(Map<String, String> o, String name, String fallback) {
        String v = o.remove(name);
        return v == null ? fallback : v;
    }
}
