package io.flux.media.storage.s3.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Element;

import io.flux.media.api.storage.StorageHealth;
import io.flux.media.api.storage.StorageObject;
import io.flux.media.api.storage.StoragePage;
import io.flux.media.storage.common.StorageKeys;
import io.flux.media.storage.common.StorageMetrics;

/**
 * The storage operations on one bucket and key prefix. Objects smaller than a part go up with one
 * PutObject; larger ones as a multipart upload, one part buffered at a time, aborted on any failure. Both
 * become visible atomically (S3 semantics), so readers never see a partial object.
 */
final class S3Store {

    static final String BACKEND = "s3";
    static final int MAX_KEYS_PER_PAGE = 10_000;
    /** S3's limits: parts of 5 MiB at least (but the last), at most 10,000 parts. */
    static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    static final int MAX_PARTS = 10_000;
    private static final int S3_MAX_KEYS = 1000;
    private static final int FIRST_BUFFER = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(S3Store.class);

    private final S3Client client;
    private final String prefix;
    private final int partSize;
    private final StorageMetrics metrics;

    S3Store(S3Client client, String prefix, int partSize, StorageMetrics metrics) {
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("part size must be at least " + MIN_PART_SIZE + " bytes: " + partSize);
        }
        this.client = client;
        this.prefix = normalizePrefix(prefix);
        this.partSize = partSize;
        this.metrics = metrics;
    }

    /** {@code ""} or a valid key prefix ending with '/'. */
    static String normalizePrefix(String prefix) {
        String p = prefix == null ? "" : prefix.trim();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty()) {
            return "";
        }
        String problem = StorageKeys.keyProblem(p);
        if (problem != null) {
            throw new IllegalArgumentException("invalid prefix '" + prefix + "': " + problem);
        }
        return p + "/";
    }

    String prefix() {
        return prefix;
    }

    S3Client client() {
        return client;
    }

    private String objectKey(String key) {
        return prefix + key;
    }

    private String describe(String op, String key) {
        return "S3 " + op + " of '" + key + "' in bucket " + client.endpoint().bucket();
    }

    // ---- write ----

    long write(String key, InputStream data) throws IOException {
        requireKey(key, "write");
        String object = objectKey(key);
        try {
            PartBuffer first = new PartBuffer(Math.min(FIRST_BUFFER, partSize), partSize);
            first.fill(data);
            long size;
            if (first.endOfStream) {
                client.call(describe("PutObject", key),
                        S3Client.Request.withBody("PUT", object, Map.of(), first.bytes, 0, first.length),
                        s -> false, false);
                size = first.length;
            } else {
                size = multipart(key, object, first, data);
            }
            metrics.written(size);
            return size;
        } catch (IOException e) {
            metrics.error("write", reason(e));
            throw e;
        }
    }

    private long multipart(String key, String object, PartBuffer buffer, InputStream data) throws IOException {
        HttpResponse<byte[]> created = client.call(describe("CreateMultipartUpload", key),
                S3Client.Request.withBody("POST", object, Map.of("uploads", ""), new byte[0], 0, 0), s -> false,
                false);
        String uploadId = Xml.text(Xml.parse(created.body()), "UploadId");
        if (uploadId == null || uploadId.isBlank()) {
            throw new IOException(describe("CreateMultipartUpload", key) + " returned no UploadId");
        }
        List<String> etags = new ArrayList<>();
        long total = 0;
        try {
            while (true) {
                int partNumber = etags.size() + 1;
                if (partNumber > MAX_PARTS) {
                    throw new IOException(describe("multipart upload", key) + ": more than " + MAX_PARTS
                            + " parts of " + partSize + " bytes; raise part.size.bytes");
                }
                Map<String, String> q = new LinkedHashMap<>();
                q.put("partNumber", Integer.toString(partNumber));
                q.put("uploadId", uploadId);
                HttpResponse<byte[]> part = client.call(describe("UploadPart " + partNumber, key),
                        S3Client.Request.withBody("PUT", object, q, buffer.bytes, 0, buffer.length), s -> false,
                        false);
                String etag = part.headers().firstValue("ETag").orElseThrow(
                        () -> new IOException(describe("UploadPart " + partNumber, key) + " returned no ETag"));
                etags.add(etag);
                total += buffer.length;
                if (buffer.endOfStream) {
                    break;
                }
                buffer.reset();
                buffer.fill(data);
                if (buffer.length == 0) {
                    break;
                }
            }
            complete(key, object, uploadId, etags, total);
            return total;
        } catch (IOException | RuntimeException | Error e) {
            abortQuietly(key, object, uploadId);
            throw e;
        }
    }

    private void complete(String key, String object, String uploadId, List<String> etags, long total)
            throws IOException {
        StringBuilder xml = new StringBuilder("<CompleteMultipartUpload>");
        for (int i = 0; i < etags.size(); i++) {
            xml.append("<Part><PartNumber>").append(i + 1).append("</PartNumber><ETag>")
                    .append(escape(etags.get(i))).append("</ETag></Part>");
        }
        xml.append("</CompleteMultipartUpload>");
        byte[] body = xml.toString().getBytes(StandardCharsets.UTF_8);
        String what = describe("CompleteMultipartUpload", key);
        try {
            client.call(what, S3Client.Request.withBody("POST", object, Map.of("uploadId", uploadId), body, 0,
                    body.length).header("content-type", "application/xml"), s -> false, true);
        } catch (S3Exception e) {
            // A retried Complete whose first attempt went through (answer lost) finds the upload gone.
            if ("NoSuchUpload".equals(e.code())) {
                Optional<StorageObject> done = statObject(object, key);
                if (done.isPresent() && done.get().size() == total) {
                    return;
                }
            }
            throw e;
        }
    }

    private void abortQuietly(String key, String object, String uploadId) {
        try {
            abort(object, uploadId, key);
        } catch (IOException e) {
            LOG.warn("Cannot abort the multipart upload of '{}' ({}); it is aborted at the next start: {}", key,
                    uploadId, e.getMessage());
        }
    }

    private void abort(String object, String uploadId, String what) throws IOException {
        client.call(describe("AbortMultipartUpload", what),
                S3Client.Request.of("DELETE", object, Map.of("uploadId", uploadId)), s -> s == 404, false);
    }

    /** Reads until {@code limit} bytes are held or the stream ends; grows from small so tiny objects stay cheap. */
    private static final class PartBuffer {
        byte[] bytes;
        int length;
        boolean endOfStream;
        private final int limit;

        PartBuffer(int initial, int limit) {
            this.bytes = new byte[initial];
            this.limit = limit;
        }

        void fill(InputStream in) throws IOException {
            while (length < limit) {
                if (length == bytes.length) {
                    bytes = Arrays.copyOf(bytes, (int) Math.min(limit, 2L * bytes.length));
                }
                int n = in.read(bytes, length, bytes.length - length);
                if (n < 0) {
                    endOfStream = true;
                    return;
                }
                length += n;
            }
            // Exactly full: peek whether anything follows, so a stream of exactly one part is one PutObject.
            int next = in.read();
            if (next < 0) {
                endOfStream = true;
            } else {
                pending = next;
            }
        }

        private int pending = -1;

        void reset() {
            length = 0;
            if (pending >= 0) {
                bytes[length++] = (byte) pending;
                pending = -1;
            }
        }
    }

    // ---- read ----

    InputStream read(String key, long offset, long length) throws IOException {
        requireKey(key, "read");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        String object = objectKey(key);
        try {
            if (length == 0) {
                long size = statObject(object, key).orElseThrow(() -> new NoSuchFileException(key)).size();
                if (offset > size) {
                    throw new EOFException("offset " + offset + " is past the end of '" + key + "' (" + size
                            + " bytes)");
                }
                return InputStream.nullInputStream();
            }
            S3Client.Request r = S3Client.Request.of("GET", object, Map.of());
            if (offset > 0 || length > 0) {
                r = r.header("range", "bytes=" + offset + "-" + (length > 0 ? offset + length - 1 : ""));
            }
            HttpResponse<InputStream> response = client.stream(describe("GetObject", key), r,
                    s -> s == 404 || s == 416);
            int status = response.statusCode();
            if (status == 404) {
                response.body().close();
                throw new NoSuchFileException(key);
            }
            if (status == 416) {
                response.body().close();
                // The range starts at or past the end: at the end is an empty read, past it an error.
                long size = statObject(object, key).orElseThrow(() -> new NoSuchFileException(key)).size();
                if (offset == size) {
                    return InputStream.nullInputStream();
                }
                throw new EOFException("offset " + offset + " is past the end of '" + key + "' (" + size
                        + " bytes)");
            }
            return response.body();
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            metrics.error("read", reason(e));
            throw e;
        }
    }

    // ---- list ----

    StoragePage list(String listPrefix, String continuationToken, int maxKeys) throws IOException {
        String p;
        try {
            p = StorageKeys.requireValidPrefix(listPrefix);
        } catch (IllegalArgumentException e) {
            metrics.error("list", "invalid_key");
            throw e;
        }
        if (maxKeys <= 0) {
            throw new IllegalArgumentException("maxKeys must be positive: " + maxKeys);
        }
        int max = Math.min(maxKeys, MAX_KEYS_PER_PAGE);
        List<StorageObject> found = new ArrayList<>();
        // Our token is the last key of the previous page (as in the other backends); S3's own continuation
        // tokens only page through one call of ours.
        String s3Token = null;
        boolean more;
        try {
            do {
                Map<String, String> q = new LinkedHashMap<>();
                q.put("list-type", "2");
                q.put("prefix", prefix + p);
                q.put("max-keys", Integer.toString(Math.min(S3_MAX_KEYS, max + 1 - found.size())));
                if (s3Token != null) {
                    q.put("continuation-token", s3Token);
                } else if (continuationToken != null && !continuationToken.isEmpty()) {
                    q.put("start-after", prefix + continuationToken);
                }
                HttpResponse<byte[]> response = client.call("S3 ListObjectsV2 of '" + p + "' in bucket "
                        + client.endpoint().bucket(), S3Client.Request.of("GET", null, q), s -> false, false);
                Element root = Xml.parse(response.body());
                for (Element c : Xml.children(root, "Contents")) {
                    String k = Xml.text(c, "Key");
                    if (k == null || !k.startsWith(prefix)) {
                        continue;
                    }
                    found.add(new StorageObject(k.substring(prefix.length()), parseLong(Xml.text(c, "Size")),
                            parseIso(Xml.text(c, "LastModified"))));
                }
                more = "true".equals(Xml.text(root, "IsTruncated"));
                s3Token = Xml.text(root, "NextContinuationToken");
            } while (more && s3Token != null && found.size() <= max);
        } catch (IOException e) {
            metrics.error("list", reason(e));
            throw e;
        }
        if (found.size() <= max) {
            return new StoragePage(found, null);
        }
        List<StorageObject> page = found.subList(0, max);
        return new StoragePage(page, page.get(max - 1).key());
    }

    // ---- delete / stat ----

    boolean delete(String key) throws IOException {
        requireKey(key, "delete");
        String object = objectKey(key);
        try {
            // S3 answers 204 whether or not the object existed; the HEAD tells the caller which it was.
            boolean existed = statObject(object, key).isPresent();
            client.call(describe("DeleteObject", key), S3Client.Request.of("DELETE", object, Map.of()),
                    s -> s == 404, false);
            return existed;
        } catch (IOException e) {
            metrics.error("delete", reason(e));
            throw e;
        }
    }

    Optional<StorageObject> stat(String key) throws IOException {
        requireKey(key, "stat");
        try {
            return statObject(objectKey(key), key);
        } catch (IOException e) {
            metrics.error("stat", reason(e));
            throw e;
        }
    }

    private Optional<StorageObject> statObject(String object, String key) throws IOException {
        HttpResponse<byte[]> r = client.call(describe("HeadObject", key), S3Client.Request.of("HEAD", object,
                Map.of()), s -> s == 404, false);
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        long size = parseLong(r.headers().firstValue("Content-Length").orElse("-1"));
        Instant modified = r.headers().firstValue("Last-Modified").map(S3Store::parseHttpDate).orElse(Instant.EPOCH);
        return Optional.of(new StorageObject(key, size, modified));
    }

    // ---- health and cleanup ----

    StorageHealth health() {
        String bucket = client.endpoint().bucket();
        try {
            HttpResponse<byte[]> r = client.once(S3Client.Request.of("HEAD", null, Map.of()));
            int s = r.statusCode();
            if (s / 100 == 2) {
                return new StorageHealth(true, -1, -1, "bucket " + bucket + " at " + client.endpoint().endpoint()
                        + " is reachable");
            }
            S3Exception e = S3Client.error("S3 HeadBucket of " + bucket, s, r.body());
            return new StorageHealth(false, -1, -1, e.getMessage());
        } catch (IOException e) {
            return new StorageHealth(false, -1, -1, "S3 HeadBucket of " + bucket + " at "
                    + client.endpoint().endpoint() + " failed: " + e);
        }
    }

    /**
     * Aborts the multipart uploads under our prefix that were started before {@code before}: what writes
     * interrupted by a crash or an outage left behind. Returns how many were aborted.
     */
    int abortIncompleteUploads(Instant before) throws IOException {
        int aborted = 0;
        String keyMarker = null;
        String uploadIdMarker = null;
        while (true) {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("uploads", "");
            q.put("prefix", prefix);
            if (keyMarker != null) {
                q.put("key-marker", keyMarker);
                if (uploadIdMarker != null) {
                    q.put("upload-id-marker", uploadIdMarker);
                }
            }
            HttpResponse<byte[]> r = client.call("S3 ListMultipartUploads in bucket " + client.endpoint().bucket(),
                    S3Client.Request.of("GET", null, q), s -> false, false);
            Element root = Xml.parse(r.body());
            for (Element u : Xml.children(root, "Upload")) {
                String object = Xml.text(u, "Key");
                String uploadId = Xml.text(u, "UploadId");
                Instant initiated = parseIso(Xml.text(u, "Initiated"));
                if (object == null || uploadId == null || !object.startsWith(prefix)
                        || initiated.isAfter(before)) {
                    continue;
                }
                abort(object, uploadId, object);
                aborted++;
            }
            if (!"true".equals(Xml.text(root, "IsTruncated"))) {
                return aborted;
            }
            String nextKey = Xml.text(root, "NextKeyMarker");
            if (nextKey == null || nextKey.isEmpty() || nextKey.equals(keyMarker)
                    && java.util.Objects.equals(Xml.text(root, "NextUploadIdMarker"), uploadIdMarker)) {
                return aborted;
            }
            keyMarker = nextKey;
            uploadIdMarker = Xml.text(root, "NextUploadIdMarker");
        }
    }

    /** Incomplete multipart uploads under our prefix (for tests and diagnostics). */
    List<String> incompleteUploads() throws IOException {
        HttpResponse<byte[]> r = client.call("S3 ListMultipartUploads in bucket " + client.endpoint().bucket(),
                S3Client.Request.of("GET", null, Map.of("uploads", "", "prefix", prefix)), s -> false, false);
        List<String> out = new ArrayList<>();
        for (Element u : Xml.children(Xml.parse(r.body()), "Upload")) {
            out.add(Xml.text(u, "Key"));
        }
        return out;
    }

    // ---- helpers ----

    private void requireKey(String key, String op) {
        try {
            StorageKeys.requireValidKey(key);
        } catch (IllegalArgumentException e) {
            metrics.error(op, "invalid_key");
            throw e;
        }
    }

    private static String reason(IOException e) {
        return e instanceof S3Exception s ? s.reason() : "io";
    }

    private static long parseLong(String s) {
        try {
            return s == null ? -1 : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Instant parseIso(String s) {
        try {
            return s == null ? Instant.EPOCH : Instant.parse(s.trim());
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    private static Instant parseHttpDate(String s) {
        try {
            return ZonedDateTime.parse(s.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
