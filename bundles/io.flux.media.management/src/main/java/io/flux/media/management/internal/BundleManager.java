package io.flux.media.management.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;
import org.osgi.framework.namespace.HostNamespace;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.flux.media.api.rest.ApiException;

/**
 * Installs, updates, starts, stops and uninstalls bundles so that a failure never leaves anything
 * half-done: a bundle that cannot resolve or start is uninstalled again, and a failed update is rolled
 * back to the previous jar. A plain class over a {@link BundleContext}, so it runs against any
 * framework (tests use an embedded Felix).
 * <p>
 * Every jar installed or updated through the API is kept as {@code <jar store>/<bundle id>.jar}, the
 * source of a later rollback.
 */
public final class BundleManager {

    /**
     * Start level of the bundles installed at runtime (API, features), below the core bundles' 10: the framework
     * stops higher levels first, so on shutdown the recorder closes its open segments while a storage backend from
     * a feature is still there (the launcher's default, 16, stopped the backends first and lost those segments).
     */
    static final int EXTENSION_START_LEVEL = 9;

    /**
     * Gives a bundle installed at runtime the extension start level, or the framework's active level when that is
     * lower (an embedded framework running at level 1 must still start it).
     */
    static void placeBelowCore(BundleContext context, Bundle bundle) {
        bundle.adapt(BundleStartLevel.class).setStartLevel(extensionStartLevel(context));
    }

    /** {@link #EXTENSION_START_LEVEL}, or the framework's active level when that is lower. */
    static int extensionStartLevel(BundleContext context) {
        int active = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkStartLevel.class).getStartLevel();
        return Math.max(1, Math.min(EXTENSION_START_LEVEL, active));
    }


    private static final Logger LOG = LoggerFactory.getLogger(BundleManager.class);

    /** How long a package refresh may take before the caller goes on without it. */
    static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(60);

    /** Headers {@code GET /api/v1/bundles/{id}} shows. */
    static final List<String> DETAIL_HEADERS = List.of(Constants.BUNDLE_NAME, Constants.BUNDLE_DESCRIPTION,
            Constants.BUNDLE_VENDOR, Constants.BUNDLE_LICENSE, Constants.BUNDLE_DOCURL, Constants.BUNDLE_ACTIVATOR,
            Constants.FRAGMENT_HOST, Constants.EXPORT_PACKAGE, Constants.IMPORT_PACKAGE,
            Constants.DYNAMICIMPORT_PACKAGE, Constants.REQUIRE_BUNDLE, Constants.REQUIRE_CAPABILITY,
            Constants.PROVIDE_CAPABILITY, "Service-Component");

    private static final String UPLOAD_PREFIX = "upload-";

    private final BundleContext context;
    private final FrameworkWiring frameworkWiring;
    private final Path jarStore;
    private final Path deployDir;
    // One change at a time: API calls, feature installs and the boot installer share it.
    private final ReentrantLock lock = new ReentrantLock();

    /**
     * @param context   any bundle context of the framework to manage
     * @param jarStore  where copies of installed jars are kept (created when missing)
     * @param deployDir the deploy folder, to tell deployed bundles from core ones
     */
    public BundleManager(BundleContext context, Path jarStore, Path deployDir) {
        this.context = context;
        this.frameworkWiring = context.getBundle(Constants.SYSTEM_BUNDLE_ID).adapt(FrameworkWiring.class);
        this.jarStore = jarStore.toAbsolutePath().normalize();
        this.deployDir = deployDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.jarStore);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the jar store " + this.jarStore, e);
        }
    }

    // ---------------------------------------------------------------- queries

    public List<BundleView> list() {
        return Arrays.stream(context.getBundles()).map(this::view).toList();
    }

    public BundleView.Detail detail(long id) {
        Bundle bundle = require(id);
        BundleView v = view(bundle);
        Dictionary<String, String> raw = bundle.getHeaders("");
        Map<String, String> headers = new TreeMap<>();
        for (String name : DETAIL_HEADERS) {
            String value = raw.get(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        List<BundleView.ServiceView> services = new ArrayList<>();
        ServiceReference<?>[] registered = bundle.getState() == Bundle.UNINSTALLED ? null : bundle.getRegisteredServices();
        if (registered != null) {
            for (ServiceReference<?> ref : registered) {
                Object serviceId = ref.getProperty(Constants.SERVICE_ID);
                String[] classes = (String[]) ref.getProperty(Constants.OBJECTCLASS);
                services.add(new BundleView.ServiceView(serviceId instanceof Long l ? l : -1L,
                        classes == null ? List.of() : List.of(classes)));
            }
        }
        return new BundleView.Detail(v.id(), v.symbolic_name(), v.version(), v.state(), v.location(),
                v.fragment(), v.core(), v.source(), headers, services);
    }

    public BundleView view(Bundle bundle) {
        BundleOrigin origin = origin(bundle);
        return new BundleView(bundle.getBundleId(), bundle.getSymbolicName(), bundle.getVersion().toString(),
                BundleView.stateName(bundle.getState()), bundle.getLocation(), isFragment(bundle), origin.core(),
                origin.source());
    }

    public BundleOrigin origin(Bundle bundle) {
        return BundleOrigin.of(bundle.getBundleId(), bundle.getLocation(), deployDir);
    }

    /** The installed bundle with this symbolic name and version, if any. */
    public Optional<Bundle> findInstalled(String symbolicName, Version version) {
        return Arrays.stream(context.getBundles())
                .filter(b -> symbolicName.equals(b.getSymbolicName()) && version.equals(b.getVersion()))
                .findFirst();
    }

    public BundleContext context() {
        return context;
    }

    // ---------------------------------------------------------------- operations

    /** A fresh file in the jar store to receive an upload into (same file system as the copies). */
    public Path newUploadFile() throws IOException {
        return Files.createTempFile(jarStore, UPLOAD_PREFIX, ".tmp");
    }

    public BundleView install(Path jar) {
        BundleJar meta = inspect(jar, ApiException::badRequest);
        return locked(() -> {
            refuseDuplicate(meta, -1);
            String location = BundleOrigin.apiLocation(meta.symbolicName());
            Bundle atLocation = context.getBundle(location);
            if (atLocation != null) {
                throw ApiException.conflict("bundle " + meta.symbolicName() + " is already installed through the API"
                        + " with version " + atLocation.getVersion() + " (id " + atLocation.getBundleId()
                        + "): update it with PUT /api/v1/bundles/" + atLocation.getBundleId(),
                        Map.of("id", atLocation.getBundleId()));
            }
            Bundle bundle;
            try (InputStream in = Files.newInputStream(jar)) {
                bundle = context.installBundle(location, in);
                placeBelowCore(context, bundle);
            } catch (BundleException e) {
                throw installFailed(meta, e);
            } catch (IOException e) {
                throw ioFailure("cannot read the uploaded jar", e);
            }
            try {
                Files.copy(jar, storedJar(bundle.getBundleId()), StandardCopyOption.REPLACE_EXISTING);
                Map<Bundle, Unresolved> unresolved = resolve(List.of(bundle));
                if (!unresolved.isEmpty()) {
                    throw unresolvable(unresolved);
                }
                if (!meta.fragment()) {
                    startOrFail(bundle);
                }
                LOG.info("installed bundle {} {} (id {}) through the API", meta.symbolicName(), meta.version(),
                        bundle.getBundleId());
                return view(bundle);
            } catch (RuntimeException | IOException e) {
                discard(List.of(bundle));
                if (e instanceof IOException io) {
                    throw ioFailure("cannot keep a copy of the jar", io);
                }
                throw (RuntimeException) e;
            }
        });
    }

    public BundleView update(long id, Path jar) {
        BundleJar meta = inspect(jar, ApiException::badRequest);
        return locked(() -> {
            Bundle bundle = require(id);
            refuseCore(bundle, "updated");
            if (!meta.symbolicName().equals(bundle.getSymbolicName())) {
                throw ApiException.badRequest("the jar's Bundle-SymbolicName " + meta.symbolicName()
                        + " does not match bundle " + id + " (" + bundle.getSymbolicName() + ")");
            }
            refuseDuplicate(meta, id);
            boolean fragment = isFragment(bundle);
            boolean wasActive = !fragment && (bundle.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0;
            Path stored = storedJar(id);
            Path previous;
            try {
                previous = Files.isRegularFile(stored) ? copyToTemp(stored) : snapshot(bundle);
            } catch (IOException e) {
                throw ioFailure("cannot keep the current jar of bundle " + id + " for a rollback", e);
            }
            try {
                if (wasActive) {
                    // Transient: should the process die mid-update, the bundle still starts next time.
                    bundle.stop(Bundle.STOP_TRANSIENT);
                }
                try (InputStream in = Files.newInputStream(jar)) {
                    bundle.update(in);
                } catch (BundleException e) {
                    // The framework kept the old revision: only the transient stop needs undoing.
                    restart(bundle, wasActive);
                    throw installFailed(meta, e);
                }
                refresh(List.of(bundle));
                Map<Bundle, Unresolved> unresolved = resolve(List.of(bundle));
                if (!unresolved.isEmpty()) {
                    ApiException failure = unresolvable(unresolved); // names the new version, so before the rollback
                    rollback(bundle, previous, wasActive);
                    throw failure;
                }
                if (wasActive) {
                    try {
                        startOrFail(bundle);
                    } catch (ApiException e) {
                        rollback(bundle, previous, wasActive);
                        throw e;
                    }
                }
                Files.copy(jar, stored, StandardCopyOption.REPLACE_EXISTING);
                LOG.info("updated bundle {} (id {}) to version {} through the API", meta.symbolicName(), id,
                        meta.version());
                return view(bundle);
            } catch (BundleException | IOException e) {
                rollback(bundle, previous, wasActive);
                throw new ApiException(500, "internal_error", "update of bundle " + id + " failed: " + e.getMessage(),
                        Map.of(), e);
            } finally {
                deleteQuietly(previous);
            }
        });
    }

    public void uninstall(long id) {
        locked(() -> {
            Bundle bundle = require(id);
            refuseCore(bundle, "uninstalled");
            try {
                bundle.uninstall();
            } catch (BundleException | IllegalStateException e) {
                throw new ApiException(500, "internal_error", "uninstall of bundle " + id + " failed: " + e.getMessage(),
                        Map.of(), e);
            }
            refresh(List.of(bundle));
            deleteQuietly(storedJar(id));
            LOG.info("uninstalled bundle {} (id {}) through the API", bundle.getSymbolicName(), id);
            return null;
        });
    }

    public BundleView start(long id) {
        return locked(() -> {
            Bundle bundle = require(id);
            if (isFragment(bundle)) {
                throw ApiException.conflict("bundle " + id + " is a fragment: fragments are not started");
            }
            startOrFail(bundle);
            return view(bundle);
        });
    }

    public BundleView stop(long id) {
        return locked(() -> {
            Bundle bundle = require(id);
            refuseCore(bundle, "stopped");
            if (isFragment(bundle)) {
                throw ApiException.conflict("bundle " + id + " is a fragment: fragments are not stopped");
            }
            try {
                bundle.stop();
            } catch (BundleException | IllegalStateException e) {
                throw ApiException.conflict("bundle " + id + " could not be stopped: " + e.getMessage());
            }
            return view(bundle);
        });
    }

    /** Deletes leftover uploads and the copies of bundles that are gone. */
    public void cleanStore() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(jarStore)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(UPLOAD_PREFIX)) {
                    deleteQuietly(file);
                } else if (name.endsWith(".jar")) {
                    try {
                        long id = Long.parseLong(name.substring(0, name.length() - 4));
                        if (context.getBundle(id) == null) {
                            deleteQuietly(file);
                        }
                    } catch (NumberFormatException e) {
                        // not one of ours
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot clean the jar store {}: {}", jarStore, e.toString());
        }
    }

    // ---------------------------------------------------------------- shared with FeatureManager

    /** Why a bundle did not resolve: the missing requirements and Felix's own message, if any. */
    public record Unresolved(List<String> missing, String resolverMessage) {
    }

    <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Resolves the bundles and answers the ones that stayed unresolved, with why. A fragment whose
     * host is already resolved can only attach when the host is refreshed, which this does.
     */
    Map<Bundle, Unresolved> resolve(Collection<Bundle> bundles) {
        if (!frameworkWiring.resolveBundles(bundles)) {
            Set<Bundle> hosts = new LinkedHashSet<>();
            for (Bundle bundle : bundles) {
                if (bundle.getState() == Bundle.INSTALLED && isFragment(bundle)
                        && MissingRequirements.unsatisfied(bundle, frameworkWiring).isEmpty()) {
                    hosts.addAll(resolvedHosts(bundle));
                }
            }
            if (!hosts.isEmpty()) {
                refresh(hosts);
                Set<Bundle> all = new LinkedHashSet<>(bundles);
                all.addAll(hosts);
                frameworkWiring.resolveBundles(all);
            }
        }
        Map<Bundle, Unresolved> unresolved = new LinkedHashMap<>();
        for (Bundle bundle : bundles) {
            if (bundle.getState() == Bundle.INSTALLED) {
                unresolved.put(bundle, explain(bundle));
            }
        }
        return unresolved;
    }

    Unresolved explain(Bundle bundle) {
        Set<String> missing = new LinkedHashSet<>();
        String message = null;
        if (!isFragment(bundle)) {
            // Starting is how Felix tells why; transient, so no start mark stays behind.
            try {
                bundle.start(Bundle.START_TRANSIENT);
                bundle.stop(Bundle.STOP_TRANSIENT);
            } catch (BundleException e) {
                if (e.getType() == BundleException.RESOLVE_ERROR) {
                    message = e.getMessage();
                    missing.addAll(MissingRequirements.parse(message));
                }
            } catch (IllegalStateException e) {
                message = e.getMessage();
            }
        }
        missing.addAll(MissingRequirements.unsatisfied(bundle, frameworkWiring));
        return new Unresolved(List.copyOf(missing), message);
    }

    /** Starts a bundle; a failure becomes a 409 naming the missing requirements or the cause. */
    void startOrFail(Bundle bundle) {
        try {
            bundle.start();
        } catch (BundleException e) {
            if (e.getType() == BundleException.RESOLVE_ERROR) {
                List<String> missing = MissingRequirements.parse(e.getMessage());
                throw unresolvable(Map.of(bundle, new Unresolved(missing, e.getMessage())));
            }
            throw startFailed(bundle, e);
        } catch (IllegalStateException e) {
            throw startFailed(bundle, e);
        }
    }

    /** Uninstalls the bundles (ignoring failures), refreshes them and drops their stored copies. */
    void discard(Collection<Bundle> bundles) {
        List<Bundle> gone = new ArrayList<>();
        for (Bundle bundle : bundles) {
            try {
                if (bundle.getState() != Bundle.UNINSTALLED) {
                    bundle.uninstall();
                }
                gone.add(bundle);
            } catch (BundleException | IllegalStateException e) {
                LOG.error("cannot uninstall bundle {} (id {}) while undoing an install: {}", bundle.getSymbolicName(),
                        bundle.getBundleId(), e.toString());
            }
            deleteQuietly(storedJar(bundle.getBundleId()));
        }
        refresh(gone);
    }

    /** Refreshes the bundles and waits (bounded) until the framework is done. */
    void refresh(Collection<Bundle> bundles) {
        if (bundles.isEmpty()) {
            return; // an empty collection would refresh every pending removal in the framework
        }
        CountDownLatch done = new CountDownLatch(1);
        frameworkWiring.refreshBundles(bundles, event -> done.countDown());
        try {
            if (!done.await(REFRESH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("refreshing {} bundle(s) did not finish within {}", bundles.size(), REFRESH_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    ApiException unresolvable(Map<Bundle, Unresolved> unresolved) {
        Set<String> missing = new LinkedHashSet<>();
        List<String> names = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        for (Map.Entry<Bundle, Unresolved> entry : unresolved.entrySet()) {
            names.add(label(entry.getKey()));
            missing.addAll(entry.getValue().missing());
            if (entry.getValue().resolverMessage() != null) {
                messages.add(entry.getValue().resolverMessage());
            }
        }
        String why = missing.isEmpty()
                ? (messages.isEmpty() ? "the resolver gave no reason" : String.join("; ", messages))
                : "missing requirement" + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("bundles", names);
        details.put("missing_requirements", List.copyOf(missing));
        if (!messages.isEmpty()) {
            details.put("resolver_message", String.join("\n", messages));
        }
        return ApiException.conflict(String.join(", ", names) + " cannot be resolved: " + why, details);
    }

    static boolean isFragment(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        if (revision != null) {
            return (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
        }
        return bundle.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
    }

    static String label(Bundle bundle) {
        return "bundle " + bundle.getSymbolicName() + " " + bundle.getVersion() + " (id " + bundle.getBundleId() + ")";
    }

    static <E extends RuntimeException> BundleJar inspect(Path jar, java.util.function.Function<String, E> failure) {
        try {
            return BundleJar.inspect(jar);
        } catch (BundleJar.InvalidBundleException e) {
            throw failure.apply(e.getMessage());
        }
    }

    // ---------------------------------------------------------------- internals

    private Bundle require(long id) {
        Bundle bundle = context.getBundle(id);
        if (bundle == null || bundle.getState() == Bundle.UNINSTALLED) {
            throw ApiException.notFound("no bundle with id " + id);
        }
        return bundle;
    }

    private void refuseCore(Bundle bundle, String verb) {
        if (origin(bundle).core()) {
            throw ApiException.conflict("core bundle " + bundle.getSymbolicName() + " (id " + bundle.getBundleId()
                    + ") cannot be " + verb + " through the API", Map.of("id", bundle.getBundleId()));
        }
    }

    private void refuseDuplicate(BundleJar meta, long exceptId) {
        Optional<Bundle> same = findInstalled(meta.symbolicName(), meta.version());
        if (same.isPresent() && same.get().getBundleId() != exceptId) {
            long other = same.get().getBundleId();
            throw ApiException.conflict("bundle " + meta + " is already installed (id " + other + ")",
                    Map.of("id", other));
        }
    }

    private ApiException installFailed(BundleJar meta, BundleException e) {
        return switch (e.getType()) {
            case BundleException.MANIFEST_ERROR, BundleException.READ_ERROR, BundleException.UNSUPPORTED_OPERATION ->
                ApiException.badRequest("bundle " + meta + " was refused by the framework: " + e.getMessage());
            default -> ApiException.conflict("bundle " + meta + " cannot be installed: " + e.getMessage());
        };
    }

    private ApiException startFailed(Bundle bundle, Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return ApiException.conflict(label(bundle) + " failed to start: " + e.getMessage()
                + (root != e ? " (" + root + ")" : ""), Map.of("cause", String.valueOf(root)));
    }

    private static ApiException ioFailure(String what, IOException e) {
        return new ApiException(500, "internal_error", what + ": " + e.getMessage(), Map.of(), e);
    }

    private void restart(Bundle bundle, boolean wasActive) {
        if (wasActive) {
            try {
                bundle.start();
            } catch (BundleException | IllegalStateException e) {
                LOG.error("{} could not be started again: {}", label(bundle), e.toString());
            }
        }
    }

    /** Puts the previous jar back after a failed update; a failure here is logged and reported. */
    private void rollback(Bundle bundle, Path previous, boolean wasActive) {
        try (InputStream in = Files.newInputStream(previous)) {
            bundle.update(in);
            refresh(List.of(bundle));
            frameworkWiring.resolveBundles(List.of(bundle));
            restart(bundle, wasActive);
            LOG.warn("update of {} failed: rolled back to the previous jar", label(bundle));
        } catch (BundleException | IOException | IllegalStateException e) {
            LOG.error("rollback of {} failed", label(bundle), e);
            throw new ApiException(500, "internal_error", "update of bundle " + bundle.getBundleId()
                    + " failed and the rollback to the previous jar failed too: " + e.getMessage(), Map.of(), e);
        }
    }

    private List<Bundle> resolvedHosts(Bundle fragment) {
        BundleRevision revision = fragment.adapt(BundleRevision.class);
        List<Bundle> hosts = new ArrayList<>();
        if (revision == null) {
            return hosts;
        }
        for (BundleRequirement requirement : revision.getDeclaredRequirements(HostNamespace.HOST_NAMESPACE)) {
            for (Bundle host : MissingRequirements.hosts(requirement, frameworkWiring)) {
                if ((host.getState() & (Bundle.RESOLVED | Bundle.STARTING | Bundle.ACTIVE)) != 0) {
                    hosts.add(host);
                }
            }
        }
        return hosts;
    }

    private Path storedJar(long id) {
        return jarStore.resolve(id + ".jar");
    }

    private Path copyToTemp(Path source) throws IOException {
        Path copy = newUploadFile();
        Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
        return copy;
    }

    /**
     * Rebuilds the bundle's current jar from its entries, for bundles that came from elsewhere than
     * the API (deploy folder, a feature) and so have no stored copy.
     */
    private Path snapshot(Bundle bundle) throws IOException {
        Path file = newUploadFile();
        URL manifestUrl = bundle.getEntry(JarFile.MANIFEST_NAME);
        if (manifestUrl == null) {
            throw new IOException("bundle " + bundle.getBundleId() + " has no manifest entry to snapshot");
        }
        Manifest manifest;
        try (InputStream in = manifestUrl.openStream()) {
            manifest = new Manifest(in);
        }
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            copyEntries(bundle, "/", jar);
        }
        return file;
    }

    private static void copyEntries(Bundle bundle, String dir, JarOutputStream jar) throws IOException {
        Enumeration<String> paths = bundle.getEntryPaths(dir);
        if (paths == null) {
            return;
        }
        while (paths.hasMoreElements()) {
            String path = paths.nextElement();
            if (path.endsWith("/")) {
                copyEntries(bundle, path, jar);
            } else if (!path.equalsIgnoreCase(JarFile.MANIFEST_NAME)) {
                URL url = bundle.getEntry(path);
                if (url != null) {
                    jar.putNextEntry(new JarEntry(path));
                    try (InputStream in = url.openStream()) {
                        in.transferTo(jar);
                    }
                    jar.closeEntry();
                }
            }
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", file, e.toString());
        }
    }
}
