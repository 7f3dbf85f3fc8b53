package io.flux.media.storage.s3.internal;

/** An S3 access key and its secret. {@link #toString()} never shows the secret. */
record Credentials(String accessKey, String secretKey) {

    Credentials {
        accessKey = accessKey == null ? "" : accessKey.trim();
        secretKey = secretKey == null ? "" : secretKey;
    }

    @Override
    public String toString() {
        return "Credentials[accessKey=" + accessKey + ", secretKey=***]";
    }
}
