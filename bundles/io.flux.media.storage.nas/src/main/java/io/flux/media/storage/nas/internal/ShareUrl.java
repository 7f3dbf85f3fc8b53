package io.flux.media.storage.nas.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.flux.media.storage.common.StorageKeys;

/**
 * Where the objects live: {@code smb://host[:port]/share[/base/dir]}. The base directory segments follow the
 * key rules, so the base can never climb out of the share. Credentials are configured separately and are
 * refused inside the URL, so the URL can be logged.
 */
record ShareUrl(String host, int port, String share, List<String> baseDir) {

    static final int DEFAULT_PORT = 445;

    ShareUrl {
        baseDir = List.copyOf(baseDir);
    }

    static ShareUrl parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("share URL must not be empty (smb://host[:port]/share[/base/dir])");
        }
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("share URL '" + text + "' is not a URL: " + e.getMessage(), e);
        }
        if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("smb")) {
            throw new IllegalArgumentException("share URL '" + text + "' must start with smb://");
        }
        if (uri.getRawUserInfo() != null) {
            // Never echo the URL here: it holds a secret.
            throw new IllegalArgumentException("the share URL must not carry credentials; set user and .password");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("share URL '" + text + "' must not have a query or a fragment");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("share URL '" + text + "' has no host");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        if (port == 0 || port > 65535) {
            throw new IllegalArgumentException("share URL '" + text + "' has an invalid port " + port);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.isEmpty()) {
            throw new IllegalArgumentException("share URL '" + text + "' names no share (smb://host/share)");
        }
        String problem = StorageKeys.keyProblem(path);
        if (problem != null) {
            throw new IllegalArgumentException("share URL '" + text + "' has an invalid path: " + problem);
        }
        String[] parts = path.split("/");
        List<String> base = new ArrayList<>(List.of(parts).subList(1, parts.length));
        return new ShareUrl(host, port, parts[0], base);
    }

    /** The SMB path (backslash-separated, relative to the share) of a validated key. */
    String path(String key) {
        StringBuilder b = new StringBuilder();
        for (String s : baseDir) {
            b.append(s).append('\\');
        }
        return b.append(key.replace('/', '\\')).toString();
    }

    /** The SMB path of the base directory; empty for the share's root. */
    String basePath() {
        return String.join("\\", baseDir);
    }

    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return "smb://" + h + (port == DEFAULT_PORT ? "" : ":" + port) + "/" + share
                + (baseDir.isEmpty() ? "" : "/" + String.join("/", baseDir));
    }
}
