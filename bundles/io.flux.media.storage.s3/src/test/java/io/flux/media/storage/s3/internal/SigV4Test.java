package io.flux.media.storage.s3.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The example requests of the AWS S3 documentation ("Signature Calculations for the Authorization Header"). */
class SigV4Test {

    private static final Credentials AWS_EXAMPLE = new Credentials("AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    private static final Instant TIME = Instant.parse("2013-05-24T00:00:00Z");
    private static final String HOST = "examplebucket.s3.amazonaws.com";

    @Test
    void getObjectWithRange() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", HOST);
        headers.put("Range", "bytes=0-9");
        headers.put("x-amz-content-sha256", SigV4.EMPTY_SHA256);
        headers.put("x-amz-date", "20130524T000000Z");

        String canonical = SigV4.canonicalRequest("GET", "/test.txt", Map.of(), headers, SigV4.EMPTY_SHA256);
        assertThat(canonical).isEqualTo("""
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855""");
        assertThat(SigV4.stringToSign(TIME, "us-east-1", canonical)).isEqualTo("""
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972""");
        assertThat(SigV4.authorization(AWS_EXAMPLE, TIME, "us-east-1", "GET", "/test.txt", Map.of(), headers,
                SigV4.EMPTY_SHA256)).isEqualTo("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/"
                        + "s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                        + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    }

    @Test
    void putObjectWithHashedPayloadAndEncodedKey() {
        byte[] body = "Welcome to Amazon S3.".getBytes(StandardCharsets.UTF_8);
        String payload = SigV4.sha256Hex(body, 0, body.length);
        assertThat(payload).isEqualTo("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", HOST);
        headers.put("Date", "Fri, 24 May 2013 00:00:00 GMT");
        headers.put("x-amz-date", "20130524T000000Z");
        headers.put("x-amz-storage-class", "REDUCED_REDUNDANCY");
        headers.put("x-amz-content-sha256", payload);
        String uri = "/" + SigV4.uriEncode("test$file.text", true);
        assertThat(uri).isEqualTo("/test%24file.text");

        assertThat(SigV4.authorization(AWS_EXAMPLE, TIME, "us-east-1", "PUT", uri, Map.of(), headers, payload))
                .endsWith("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
                        + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
    }

    @Test
    void getBucketLifecycleWithValuelessParameter() {
        Map<String, String> headers = Map.of("Host", HOST, "x-amz-date", "20130524T000000Z",
                "x-amz-content-sha256", SigV4.EMPTY_SHA256);
        Map<String, String> query = Map.of("lifecycle", "");
        assertThat(SigV4.canonicalRequest("GET", "/", query, headers, SigV4.EMPTY_SHA256).split("\n")[2])
                .isEqualTo("lifecycle=");
        assertThat(SigV4.authorization(AWS_EXAMPLE, TIME, "us-east-1", "GET", "/", query, headers,
                SigV4.EMPTY_SHA256))
                .endsWith("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
    }

    @Test
    void listObjectsWithSortedQuery() {
        Map<String, String> headers = Map.of("Host", HOST, "x-amz-date", "20130524T000000Z",
                "x-amz-content-sha256", SigV4.EMPTY_SHA256);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("prefix", "J");
        query.put("max-keys", "2");
        assertThat(SigV4.canonicalQuery(query)).isEqualTo("max-keys=2&prefix=J");
        assertThat(SigV4.authorization(AWS_EXAMPLE, TIME, "us-east-1", "GET", "/", query, headers,
                SigV4.EMPTY_SHA256))
                .endsWith("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
    }

    @Test
    void uriEncodingFollowsS3Rules() {
        assertThat(SigV4.uriEncode("a b/c+d~e_f.g-h", true)).isEqualTo("a%20b/c%2Bd~e_f.g-h");
        assertThat(SigV4.uriEncode("a/b", false)).isEqualTo("a%2Fb");
        assertThat(SigV4.uriEncode("é*", true)).isEqualTo("%C3%A9%2A");
    }

    @Test
    void credentialsNeverPrintTheSecret() {
        assertThat(AWS_EXAMPLE.toString()).doesNotContain("wJalr").contains("AKIAIOSFODNN7EXAMPLE");
    }
}
