package io.flux.media.protocol.gb28181.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.flux.media.api.gb28181.CatalogResult;
import io.flux.media.api.gb28181.ChannelView;
import io.flux.media.api.gb28181.DeviceInfoResult;
import io.flux.media.api.gb28181.DeviceRequest;
import io.flux.media.api.gb28181.DeviceStatusResult;
import io.flux.media.api.gb28181.Gb28181Exception;
import io.flux.media.api.gb28181.Gb28181Exception.Reason;
import io.flux.media.protocol.gb28181.internal.DevicePeer.Msg;

/** Catalog, DeviceInfo and DeviceStatus against a scripted device on loopback. */
class QueryManagerTest {

    static final String DEVICE = RegistrarTest.DEVICE;

    private TestServer server;
    private DevicePeer device;

    @AfterEach
    void stop() {
        if (device != null) {
            device.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start() throws Exception {
        server = TestServer.start();
        device = server.device(DEVICE);
    }

    static String channel(int n) {
        return String.format("340200000013100%05d", n);
    }

    /** One catalog page, GB2312 declared, GB18030 bytes (with names outside GB2312, as devices send). */
    static byte[] page(String sn, int sumNum, int from, int count) {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n<Response>\r\n"
                + "<CmdType>Catalog</CmdType>\r\n<SN>" + sn + "</SN>\r\n<DeviceID>" + DEVICE + "</DeviceID>\r\n"
                + "<SumNum>" + sumNum + "</SumNum>\r\n<DeviceList Num=\"" + count + "\">\r\n");
        for (int i = from; i < from + count; i++) {
            sb.append("<Item>\r\n<DeviceID>").append(channel(i)).append("</DeviceID>\r\n<Name>大门摄像机 ").append(i)
                    .append(" 镕</Name>\r\n<Manufacturer>Hikvision</Manufacturer>\r\n<Model>DS-2CD</Model>\r\n")
                    .append("<Owner>Owner</Owner>\r\n<CivilCode>340200</CivilCode>\r\n<Address>北京</Address>\r\n")
                    .append("<Parental>0</Parental>\r\n<ParentID>").append(DEVICE).append("</ParentID>\r\n")
                    .append("<Status>").append(i % 2 == 0 ? "ON" : "off").append("</Status>\r\n")
                    .append("<Longitude>116.3</Longitude>\r\n<Latitude>39.9</Latitude>\r\n</Item>\r\n");
        }
        sb.append("</DeviceList>\r\n</Response>\r\n");
        return sb.toString().getBytes(DevicePeer.GB18030);
    }

    private <T> CompletableFuture<T> async(java.util.function.Supplier<T> call) {
        return CompletableFuture.supplyAsync(call);
    }

    @Test
    void catalogInThreePagesIsAggregatedDecodedAndStored() throws Exception {
        start();
        CompletableFuture<CatalogResult> result = async(() -> server.backend().catalog(new DeviceRequest(DEVICE)));

        Msg query = device.next("MESSAGE");
        assertThat(query).isNotNull();
        assertThat(query.header("Content-Type")).isEqualToIgnoringCase("Application/MANSCDP+xml");
        assertThat(new String(query.body(), DevicePeer.GB18030)).startsWith(
                "<?xml version=\"1.0\" encoding=\"GB2312\"?>").contains("<CmdType>Catalog</CmdType>",
                "<DeviceID>" + DEVICE + "</DeviceID>");
        assertThat(query.firstLine()).startsWith("MESSAGE sip:" + DEVICE + "@127.0.0.1:" + device.port());
        device.reply(query, 200, "OK");
        String sn = query.xml("SN");
        assertThat(sn).matches("\\d+");

        assertThat(device.message(page(sn, 5, 0, 2)).status()).isEqualTo(200);
        assertThat(device.message(page(sn, 5, 2, 2)).status()).isEqualTo(200);
        assertThat(result).isNotDone();
        assertThat(device.message(page(sn, 5, 4, 1)).status()).isEqualTo(200);

        CatalogResult r = result.get(5, TimeUnit.SECONDS);
        assertThat(r.complete()).isTrue();
        assertThat(r.sum_num()).isEqualTo(5);
        assertThat(r.channels()).extracting(ChannelView::channel_id)
                .containsExactly(channel(0), channel(1), channel(2), channel(3), channel(4));
        ChannelView first = r.channels().get(0);
        assertThat(first.name()).isEqualTo("大门摄像机 0 镕");
        assertThat(first.address()).isEqualTo("北京");
        assertThat(first.status()).isEqualTo("ON");
        assertThat(r.channels().get(1).status()).isEqualTo("OFF");
        assertThat(first.parent_id()).isEqualTo(DEVICE);
        assertThat(first.longitude()).isEqualTo(116.3);

        assertThat(server.backend().channels(DEVICE)).hasSize(5);
        assertThat(server.backend().device(DEVICE).orElseThrow().channel_count()).isEqualTo(5);
        assertThat(rows("SELECT name FROM gb28181_channel WHERE channel_id = '" + channel(3) + "'"))
                .containsExactly("大门摄像机 3 镕");
    }

    @Test
    void aCompleteCatalogReplacesTheChannelsAPartialOneAddsToThem() throws Exception {
        start();
        CompletableFuture<CatalogResult> full = async(() -> server.backend().catalog(new DeviceRequest(DEVICE)));
        Msg q1 = device.next("MESSAGE");
        device.reply(q1, 200, "OK");
        device.message(page(q1.xml("SN"), 3, 0, 3));
        assertThat(full.get(5, TimeUnit.SECONDS).complete()).isTrue();

        // The device lost channel 0 and 1 and gained 7: a complete catalog replaces.
        CompletableFuture<CatalogResult> replaced = async(() -> server.backend().catalog(new DeviceRequest(DEVICE)));
        Msg q2 = device.next("MESSAGE");
        device.reply(q2, 200, "OK");
        device.message(page(q2.xml("SN"), 2, 2, 1));
        device.message(page(q2.xml("SN"), 2, 7, 1));
        assertThat(replaced.get(5, TimeUnit.SECONDS).complete()).isTrue();
        assertThat(server.backend().channels(DEVICE)).extracting(ChannelView::channel_id)
                .containsExactly(channel(2), channel(7));

        // Partial: channel 9 of 4 announced arrives, the rest never: added, nothing removed.
        CompletableFuture<CatalogResult> partial = async(() -> server.backend().catalog(new DeviceRequest(DEVICE)));
        Msg q3 = device.next("MESSAGE");
        device.reply(q3, 200, "OK");
        device.message(page(q3.xml("SN"), 4, 9, 1));
        CatalogResult p = partial.get(5, TimeUnit.SECONDS);
        assertThat(p.complete()).isFalse();
        assertThat(p.sum_num()).isEqualTo(4);
        assertThat(p.channels()).extracting(ChannelView::channel_id).containsExactly(channel(9));
        assertThat(server.backend().channels(DEVICE)).extracting(ChannelView::channel_id)
                .containsExactly(channel(2), channel(7), channel(9));
        assertThat(rows("SELECT channel_id FROM gb28181_channel ORDER BY channel_id"))
                .containsExactly(channel(2), channel(7), channel(9));
    }

    @Test
    void noAnswerAtAllIsATimeout() throws Exception {
        start();
        CompletableFuture<CatalogResult> result = async(() -> server.backend().catalog(new DeviceRequest(DEVICE)));
        assertThat(device.next("MESSAGE")).isNotNull(); // never answered

        assertThatThrownBy(() -> result.join()).cause().isInstanceOfSatisfying(Gb28181Exception.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
        // Answered 200 but no Response MESSAGE either.
        CompletableFuture<DeviceInfoResult> info = async(() -> server.backend().deviceInfo(new DeviceRequest(DEVICE)));
        device.reply(device.next("MESSAGE"), 200, "OK");
        assertThatThrownBy(() -> info.join()).cause().isInstanceOfSatisfying(Gb28181Exception.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
    }

    @Test
    void aRefusedQueryIsRejectedWithTheStatus() throws Exception {
        start();
        CompletableFuture<DeviceStatusResult> result = async(() -> server.backend().deviceStatus(
                new DeviceRequest(DEVICE)));
        device.reply(device.next("MESSAGE"), 403, "Forbidden");

        assertThatThrownBy(() -> result.join()).cause().isInstanceOfSatisfying(Gb28181Exception.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.REJECTED);
            assertThat(e.getMessage()).contains("403 Forbidden");
        });
    }

    @Test
    void deviceInfoAndStatusAreReadAndInfoIsStored() throws Exception {
        start();
        CompletableFuture<DeviceInfoResult> info = async(() -> server.backend().deviceInfo(new DeviceRequest(DEVICE)));
        Msg q = device.next("MESSAGE");
        assertThat(q.xml("CmdType")).isEqualTo("DeviceInfo");
        device.reply(q, 200, "OK");
        // An answer with an SN nobody asked for is acknowledged and ignored.
        assertThat(device.message(("<?xml version=\"1.0\" encoding=\"GB2312\"?><Response><CmdType>DeviceInfo"
                + "</CmdType><SN>1</SN><DeviceID>" + DEVICE + "</DeviceID><DeviceName>wrong</DeviceName></Response>")
                .getBytes(DevicePeer.GB18030)).status()).isEqualTo(200);
        assertThat(info).isNotDone();
        device.message(("<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n<Response>\r\n<CmdType>DeviceInfo</CmdType>"
                + "\r\n<SN>" + q.xml("SN") + "</SN>\r\n<DeviceID>" + DEVICE + "</DeviceID>\r\n<DeviceName>东门 NVR"
                + "</DeviceName>\r\n<Result>OK</Result>\r\n<Manufacturer>Dahua</Manufacturer>\r\n<Model>NVR4216"
                + "</Model>\r\n<Firmware>V4.0</Firmware>\r\n<Channel>16</Channel>\r\n</Response>\r\n")
                .getBytes(DevicePeer.GB18030));
        DeviceInfoResult r = info.get(5, TimeUnit.SECONDS);
        assertThat(r).isEqualTo(new DeviceInfoResult(DEVICE, "东门 NVR", "Dahua", "NVR4216", "V4.0", 16, "OK"));
        assertThat(server.backend().device(DEVICE).orElseThrow().name()).isEqualTo("东门 NVR");
        assertThat(rows("SELECT manufacturer FROM gb28181_device")).containsExactly("Dahua");

        CompletableFuture<DeviceStatusResult> status = async(() -> server.backend().deviceStatus(
                new DeviceRequest(DEVICE)));
        Msg s = device.next("MESSAGE");
        device.reply(s, 200, "OK");
        device.message(("<?xml version=\"1.0\" encoding=\"GB2312\"?><Response><CmdType>DeviceStatus</CmdType><SN>"
                + s.xml("SN") + "</SN><DeviceID>" + DEVICE + "</DeviceID><Result>OK</Result><Online>ONLINE</Online>"
                + "<Status>OK</Status><Encode>ON</Encode><Record>OFF</Record><DeviceTime>2026-03-01T16:00:00"
                + "</DeviceTime></Response>").getBytes(DevicePeer.GB18030));
        assertThat(status.get(5, TimeUnit.SECONDS)).isEqualTo(new DeviceStatusResult(DEVICE, "ONLINE", "OK", "ON",
                "OFF", "2026-03-01T16:00:00", "OK"));
        // SNs are unique.
        assertThat(s.xml("SN")).isNotEqualTo(q.xml("SN"));
    }

    @Test
    void unknownOfflineAndMalformedDevicesAreRefused() throws Exception {
        start();
        assertThatThrownBy(() -> server.backend().catalog(new DeviceRequest("34020000001320000099")))
                .isInstanceOfSatisfying(Gb28181Exception.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_DEVICE));
        assertThatThrownBy(() -> server.backend().deviceInfo(new DeviceRequest("1234")))
                .isInstanceOfSatisfying(Gb28181Exception.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID));
        assertThatThrownBy(() -> server.backend().channels("34020000001320000099"))
                .isInstanceOfSatisfying(Gb28181Exception.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_DEVICE));
        assertThat(device.unregister().status()).isEqualTo(200);
        assertThatThrownBy(() -> server.backend().deviceStatus(new DeviceRequest(DEVICE)))
                .isInstanceOfSatisfying(Gb28181Exception.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.OFFLINE);
                    assertThat(e.getMessage()).contains("unregistered");
                });
        assertThat(server.backend().device(DEVICE).orElseThrow().offline_reason()).isEqualTo("unregistered");
    }

    @Test
    void catalogNotificationsUpsertChannels() throws Exception {
        start();
        byte[] notify = new String(page("77", 1, 5, 1), DevicePeer.GB18030).replace("<Response>", "<Notify>")
                .replace("</Response>", "</Notify>").getBytes(DevicePeer.GB18030);
        assertThat(device.message(notify).status()).isEqualTo(200);

        // The 200 goes out before the notification is applied.
        RegistrarTest.await(() -> server.backend().channels(DEVICE).size() == 1, "the channel");
        assertThat(server.backend().channels(DEVICE)).extracting(ChannelView::channel_id).containsExactly(channel(5));
        RegistrarTest.await(() -> !rows("SELECT channel_id FROM gb28181_channel").isEmpty(), "the channel row");
    }

    private List<String> rows(String sql) {
        List<String> out = new ArrayList<>();
        try (var c = server.db.dataSource().getConnection(); var s = c.createStatement(); var rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        return out;
    }
}
