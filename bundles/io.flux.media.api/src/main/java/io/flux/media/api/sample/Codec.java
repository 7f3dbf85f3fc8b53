package io.flux.media.api.sample;

/** Elementary-stream codecs the media core understands. */
public enum Codec {
    H264(Kind.VIDEO),
    H265(Kind.VIDEO),
    AAC(Kind.AUDIO),
    G711A(Kind.AUDIO),
    G711U(Kind.AUDIO);

    public enum Kind { VIDEO, AUDIO }

    private final Kind kind;

    Codec(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isVideo() {
        return kind == Kind.VIDEO;
    }
}
