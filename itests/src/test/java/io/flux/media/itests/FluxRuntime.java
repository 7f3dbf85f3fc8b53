package io.flux.media.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.options.UrlProvisionOption;

/**
 * Boots the same runtime users run: the bundles embedded in {@code runtime/target/flux-server.jar}, in the
 * launcher's order and with its start levels, and its framework properties. Each test class gets its own
 * data directory, config directory (a copy of the repository's {@code config/} plus what the test adds) and
 * free HTTP port, passed to the framework as configuration files, exactly as a deployment would.
 */
public final class FluxRuntime {

    public static final String ADMIN_TOKEN = "itest-admin-token-" + "0123456789abcdef";
    public static final String VIEWER_TOKEN = "itest-viewer-token-" + "0123456789abcdef";

    private FluxRuntime() {
    }

    /** Options for a runtime with the given extra configuration files (file name -> content). */
    public static Option[] options(Map<String, String> extraConfig) {
        try {
            Path work = Path.of(System.getProperty("flux.itest.work", "target/itest-work"))
                    .resolve(UUID.randomUUID().toString().substring(0, 8));
            Path bundles = extractBundles(work.getParent().resolve("bundles"));
            Path data = Files.createDirectories(work.resolve("data"));
            Path config = Files.createDirectories(work.resolve("config"));
            Path deploy = Files.createDirectories(work.resolve("deploy"));
            try (Stream<Path> files = Files.list(Path.of(System.getProperty("flux.config.dir", "../config")))) {
                for (Path f : files.toList()) {
                    Files.copy(f, config.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            int port = freePort();
            Map<String, String> cfg = new LinkedHashMap<>();
            cfg.put("io.flux.media.server.cfg", "http.port=" + port + "\nhttp.host=127.0.0.1\ndata.dir=" + data + "\n");
            cfg.put("io.flux.media.security.cfg", ".admin.token=" + ADMIN_TOKEN + "\n.viewer.token=" + VIEWER_TOKEN + "\n");
            cfg.put("io.flux.media.management.cfg", "deploy.dir=" + deploy + "\n");
            cfg.putAll(extraConfig);
            for (Map.Entry<String, String> e : cfg.entrySet()) {
                Files.writeString(config.resolve(e.getKey()), e.getValue());
            }

            Properties launcher = launcherProperties();
            List<Option> options = new ArrayList<>();
            options.add(workingDirectory(work.resolve("pax").toString()));
            options.add(cleanCaches(true));
            options.add(frameworkStartLevel(20));
            for (String name : launcher.stringPropertyNames()) {
                if (!name.startsWith("launch.") && !name.startsWith("org.osgi.framework.system.")) {
                    options.add(frameworkProperty(name).value(launcher.getProperty(name)));
                }
            }
            options.add(frameworkProperty("felix.fileinstall.dir").value(config.toString()));
            options.add(frameworkProperty("flux.features.dir").value(featuresDir().toString()));
            options.add(systemProperty("logback.configurationFile").value(config.resolve("logback.xml").toString()));
            options.add(systemProperty("flux.itest.port").value(Integer.toString(port)));
            options.add(systemProperty("flux.itest.data").value(data.toString()));
            options.add(systemProperty("flux.itest.config").value(config.toString()));
            options.add(systemProperty("flux.itest.deploy").value(deploy.toString()));

            Map<String, Integer> startLevels = startLevels(launcher.getProperty("launch.runbundles.attrs", ""));
            for (String jar : launcher.getProperty("launch.bundles").split(",")) {
                Path file = bundles.resolve(Path.of(jar).getFileName());
                String bsn = symbolicName(file);
                UrlProvisionOption b = bundle(file.toUri().toString()).startLevel(startLevels.getOrDefault(bsn, 10));
                if (isFragment(file)) {
                    b = b.noStart();
                }
                options.add(b);
            }
            Path testBundles = Path.of(System.getProperty("test.bundles.dir", "target/test-bundles"));
            for (String jar : List.of("hamcrest-core.jar", "junit.jar", "byte-buddy.jar", "assertj-core.jar")) {
                options.add(bundle(testBundles.resolve(jar).toUri().toString()).startLevel(5));
            }
            return options.toArray(Option[]::new);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Option[] options() {
        return options(Map.of());
    }

    static Path featuresDir() {
        return Path.of(System.getProperty("flux.server.jar")).getParent().getParent().getParent()
                .resolve("features/target/features");
    }

    private static Properties launcherProperties() throws IOException {
        try (JarFile jar = new JarFile(System.getProperty("flux.server.jar"));
                InputStream in = jar.getInputStream(jar.getEntry("launcher.properties"))) {
            Properties p = new Properties();
            p.load(in);
            return p;
        }
    }

    private static synchronized Path extractBundles(Path target) throws IOException {
        Path jarPath = Path.of(System.getProperty("flux.server.jar"));
        Path stamp = target.resolve(".extracted-" + Files.getLastModifiedTime(jarPath).toMillis());
        if (Files.exists(stamp)) {
            return target;
        }
        Files.createDirectories(target);
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                if (e.getName().startsWith("jar/") && e.getName().endsWith(".jar")) {
                    try (InputStream in = jar.getInputStream(e)) {
                        Files.copy(in, target.resolve(Path.of(e.getName()).getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        Files.createFile(stamp);
        return target;
    }

    /** {@code bsn;version="1";startlevel=1,...} from the launcher's properties. */
    static Map<String, Integer> startLevels(String attrs) {
        Map<String, Integer> levels = new LinkedHashMap<>();
        for (String clause : attrs.split(",")) {
            String[] parts = clause.split(";");
            for (String p : parts) {
                if (p.startsWith("startlevel=")) {
                    levels.put(parts[0].trim(), Integer.parseInt(p.substring("startlevel=".length()).trim()));
                }
            }
        }
        return levels;
    }

    private static String symbolicName(Path jar) throws IOException {
        try (JarFile f = new JarFile(jar.toFile())) {
            Manifest m = f.getManifest();
            String bsn = m.getMainAttributes().getValue("Bundle-SymbolicName");
            return bsn == null ? "" : bsn.split(";")[0].trim();
        }
    }

    private static boolean isFragment(Path jar) throws IOException {
        try (JarFile f = new JarFile(jar.toFile())) {
            return f.getManifest().getMainAttributes().getValue("Fragment-Host") != null;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
