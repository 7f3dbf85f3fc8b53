package io.flux.media.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import io.flux.media.itests.tiny.TinyInfoContributor;

/** Bundles built by the tests themselves, so that installing one at runtime is real. */
public final class TestBundles {

    public static final String TINY_BSN = "io.flux.media.itests.tiny";

    private TestBundles() {
    }

    /** A DS component providing an InfoContributor with the property flux.itest=tiny. */
    public static byte[] tiny(String version) {
        String cls = TinyInfoContributor.class.getName().replace('.', '/') + ".class";
        String ds = """
                <?xml version="1.0" encoding="UTF-8"?>
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.3.0" name="tiny" immediate="true">
                  <implementation class="%s"/>
                  <property name="flux.itest" value="tiny"/>
                  <service><provide interface="io.flux.media.api.health.InfoContributor"/></service>
                </scr:component>
                """.formatted(TinyInfoContributor.class.getName());
        Manifest m = manifest(TINY_BSN, version);
        m.getMainAttributes().putValue("Import-Package", "io.flux.media.api.health;version=\"[1.0,2)\"");
        m.getMainAttributes().putValue("Service-Component", "OSGI-INF/tiny.xml");
        m.getMainAttributes().putValue("Require-Capability",
                "osgi.extender;filter:=\"(&(osgi.extender=osgi.component)(version>=1.3)(!(version>=2)))\"");
        try (InputStream in = TinyInfoContributor.class.getClassLoader().getResourceAsStream(cls)) {
            return jar(m, cls, in.readAllBytes(), "OSGI-INF/tiny.xml", ds.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A valid bundle that imports a package nobody exports. */
    public static byte[] unresolvable() {
        Manifest m = manifest("io.flux.media.itests.unresolvable", "1.0.0");
        m.getMainAttributes().putValue("Import-Package", "com.example.nowhere;version=\"[1.0,2)\"");
        return jar(m);
    }

    public static Manifest manifest(String bsn, String version) {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", version);
        return m;
    }

    /** A jar with the manifest and (name, bytes) pairs. */
    public static byte[] jar(Manifest m, Object... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(out, m)) {
            for (int i = 0; i + 1 < entries.length; i += 2) {
                jar.putNextEntry(new JarEntry((String) entries[i]));
                jar.write((byte[]) entries[i + 1]);
                jar.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
