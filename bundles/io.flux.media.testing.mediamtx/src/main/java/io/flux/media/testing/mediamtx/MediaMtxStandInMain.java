package io.flux.media.testing.mediamtx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the stand-in from the command line for demos and manual checks:
 *
 * <pre>
 * java -cp ... io.flux.media.testing.mediamtx.MediaMtxStandInMain --api-port 9997 --playback-port 9996 \
 *     [--user U --password P] [--path live/demo ...]
 * </pre>
 *
 * Prints the API and playback URLs, then serves until interrupted.
 */
public final class MediaMtxStandInMain {

    private MediaMtxStandInMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        MediaMtxStandIn.Builder builder = MediaMtxStandIn.builder();
        String user = null;
        String password = null;
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                usage();
                return;
            }
            if (i + 1 >= args.length) {
                System.err.println("missing value for " + arg);
                usage();
                System.exit(2);
            }
            String value = args[++i];
            switch (arg) {
                case "--api-port" -> builder.apiPort(Integer.parseInt(value));
                case "--playback-port" -> builder.playbackPort(Integer.parseInt(value));
                case "--user" -> user = value;
                case "--password" -> password = value;
                case "--path" -> paths.add(value);
                default -> {
                    System.err.println("unknown option " + arg);
                    usage();
                    System.exit(2);
                }
            }
        }
        builder.credentials(user, password);
        MediaMtxStandIn standIn = builder.start();
        for (String path : paths) {
            standIn.addPathConfig(path, Map.of());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            standIn.close();
            stopped.countDown();
        }, "mediamtx-standin-shutdown"));
        System.out.println("MediaMTX stand-in " + MediaMtxStandIn.VERSION);
        System.out.println("api      " + standIn.apiUrl());
        System.out.println("playback " + standIn.playbackUrl());
        System.out.println(user == null ? "auth     none" : "auth     basic (user " + user + ")");
        System.out.flush();
        stopped.await();
    }

    private static void usage() {
        System.err.println("usage: MediaMtxStandInMain [--api-port N] [--playback-port N] [--user U --password P]"
                + " [--path NAME]...");
    }
}
