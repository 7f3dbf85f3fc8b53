package io.flux.media.recording.internal;

import java.util.List;

/**
 * The boxes of a fragmented MP4 file (ISO/IEC 14496-12): the initialization part (ftyp, moov with empty sample
 * tables and mvex/trex) and one fragment header (moof with mfhd and one traf per track, then the mdat header).
 */
final class Fmp4 {

    /** Sample flags: sample_depends_on = 2 (an I-frame / sync sample). */
    static final int FLAGS_SYNC = 0x0200_0000;
    /** Sample flags: sample_depends_on = 1 and sample_is_non_sync_sample. */
    static final int FLAGS_NON_SYNC = 0x0101_0000;
    /** The sample_is_non_sync_sample bit. */
    static final int FLAG_NON_SYNC_BIT = 0x0001_0000;

    static final int TFHD_DEFAULT_BASE_IS_MOOF = 0x02_0000;
    static final int TRUN_DATA_OFFSET = 0x001;
    static final int TRUN_FIRST_SAMPLE_FLAGS = 0x004;
    static final int TRUN_DURATION = 0x100;
    static final int TRUN_SIZE = 0x200;
    static final int TRUN_FLAGS = 0x400;
    static final int TRUN_CTO = 0x800;

    private static final int MOVIE_TIMESCALE = 1000;
    private static final long[] MATRIX = {0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000};

    private Fmp4() {
    }

    /** One track of the file. {@code sampleEntry} is a complete stsd entry box. */
    record Track(int id, boolean video, int timescale, int width, int height, byte[] sampleEntry) {
    }

    /** ftyp and moov. */
    static byte[] init(List<Track> tracks) {
        BoxBuffer b = new BoxBuffer(1024);
        int ftyp = b.begin("ftyp");
        b.fourcc("iso5").u32(512).fourcc("iso5").fourcc("iso6").fourcc("mp41");
        b.end(ftyp);

        int moov = b.begin("moov");
        int mvhd = b.beginFull("mvhd", 0, 0);
        b.u32(0).u32(0).u32(MOVIE_TIMESCALE).u32(0);
        b.u32(0x0001_0000).u16(0x0100).u16(0).u32(0).u32(0);
        matrix(b);
        b.zeros(24);
        int nextId = 1;
        for (Track t : tracks) {
            nextId = Math.max(nextId, t.id() + 1);
        }
        b.u32(nextId);
        b.end(mvhd);
        for (Track t : tracks) {
            trak(b, t);
        }
        int mvex = b.begin("mvex");
        for (Track t : tracks) {
            int trex = b.beginFull("trex", 0, 0);
            b.u32(t.id()).u32(1).u32(0).u32(0).u32(0);
            b.end(trex);
        }
        b.end(mvex);
        b.end(moov);
        return b.toByteArray();
    }

    private static void trak(BoxBuffer b, Track t) {
        int trak = b.begin("trak");
        int tkhd = b.beginFull("tkhd", 0, 0x3); // enabled, in movie
        b.u32(0).u32(0).u32(t.id()).u32(0).u32(0);
        b.zeros(8);
        b.u16(0).u16(t.video() ? 0 : 1).u16(t.video() ? 0 : 0x0100).u16(0);
        matrix(b);
        b.u32(t.video() ? (long) t.width() << 16 : 0);
        b.u32(t.video() ? (long) t.height() << 16 : 0);
        b.end(tkhd);

        int mdia = b.begin("mdia");
        int mdhd = b.beginFull("mdhd", 0, 0);
        b.u32(0).u32(0).u32(t.timescale()).u32(0);
        b.u16(0x55C4).u16(0); // language "und"
        b.end(mdhd);
        int hdlr = b.beginFull("hdlr", 0, 0);
        b.u32(0).fourcc(t.video() ? "vide" : "soun").zeros(12);
        b.ascii(t.video() ? "VideoHandler" : "SoundHandler").u8(0);
        b.end(hdlr);

        int minf = b.begin("minf");
        if (t.video()) {
            int vmhd = b.beginFull("vmhd", 0, 1);
            b.zeros(8);
            b.end(vmhd);
        } else {
            int smhd = b.beginFull("smhd", 0, 0);
            b.zeros(4);
            b.end(smhd);
        }
        int dinf = b.begin("dinf");
        int dref = b.beginFull("dref", 0, 0);
        b.u32(1);
        int url = b.beginFull("url ", 0, 1); // media in this file
        b.end(url);
        b.end(dref);
        b.end(dinf);

        int stbl = b.begin("stbl");
        int stsd = b.beginFull("stsd", 0, 0);
        b.u32(1);
        b.bytes(t.sampleEntry());
        b.end(stsd);
        for (String empty : new String[] {"stts", "stsc", "stco"}) {
            int box = b.beginFull(empty, 0, 0);
            b.u32(0);
            b.end(box);
        }
        int stsz = b.beginFull("stsz", 0, 0);
        b.u32(0).u32(0);
        b.end(stsz);
        b.end(stbl);
        b.end(minf);
        b.end(mdia);
        b.end(trak);
    }

    private static void matrix(BoxBuffer b) {
        for (long v : MATRIX) {
            b.u32(v);
        }
    }

    /** The samples of one track in one fragment; {@code ctos} is null for tracks without composition offsets. */
    record Run(int trackId, long baseDecodeTime, int count, int[] durations, int[] sizes, int[] flags, int[] ctos,
            int dataLength) {
    }

    /**
     * Writes moof (mfhd, one traf per run) and the mdat header into {@code b}; the caller appends each run's data
     * in order right after. Data offsets are relative to the moof (default-base-is-moof).
     */
    static void fragmentHeader(BoxBuffer b, int sequence, List<Run> runs) {
        int moof = b.begin("moof");
        int mfhd = b.beginFull("mfhd", 0, 0);
        b.u32(sequence);
        b.end(mfhd);
        int[] dataOffsetAt = new int[runs.size()];
        for (int r = 0; r < runs.size(); r++) {
            Run run = runs.get(r);
            int traf = b.begin("traf");
            int tfhd = b.beginFull("tfhd", 0, TFHD_DEFAULT_BASE_IS_MOOF);
            b.u32(run.trackId());
            b.end(tfhd);
            int tfdt = b.beginFull("tfdt", 1, 0);
            b.u64(run.baseDecodeTime());
            b.end(tfdt);
            int flags = TRUN_DATA_OFFSET | TRUN_DURATION | TRUN_SIZE | TRUN_FLAGS
                    | (run.ctos() != null ? TRUN_CTO : 0);
            int trun = b.beginFull("trun", 1, flags);
            b.u32(run.count());
            dataOffsetAt[r] = b.position();
            b.u32(0);
            for (int i = 0; i < run.count(); i++) {
                b.u32(run.durations()[i] & 0xFFFF_FFFFL);
                b.u32(run.sizes()[i] & 0xFFFF_FFFFL);
                b.u32(run.flags()[i] & 0xFFFF_FFFFL);
                if (run.ctos() != null) {
                    b.u32(run.ctos()[i] & 0xFFFF_FFFFL);
                }
            }
            b.end(trun);
            b.end(traf);
        }
        b.end(moof);
        int moofSize = b.position() - moof;
        long dataBytes = 0;
        for (Run run : runs) {
            dataBytes += run.dataLength();
        }
        long offset = moofSize + 8L;
        for (int r = 0; r < runs.size(); r++) {
            b.putU32(dataOffsetAt[r], offset);
            offset += runs.get(r).dataLength();
        }
        b.u32(8 + dataBytes);
        b.fourcc("mdat");
    }
}
