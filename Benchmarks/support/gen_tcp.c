/* Writes a pcap of N TCP segments over IPv4 (Ethernet): connections of 64 segments each, with
 * the handshake, data both ways (1448-byte segments, timestamps option), one retransmission
 * and one duplicate ACK per connection, and the four-way close; 500 connections interleaved at
 * a time. Captured with a 96-byte snapshot, as `tcpdump -s 96` keeps headers only, so the file
 * stays small while the lengths say what the wire carried.
 *   gen_tcp N FILE.pcap */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#define SNAP 96
#define PER_CONNECTION 64
#define LIVE 500

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static void put32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }

static uint16_t checksum(const uint8_t *p, int n) {
    uint32_t sum = 0;
    for (int i = 0; i + 1 < n; i += 2) sum += p[i] << 8 | p[i + 1];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return ~sum;
}

/* Segment k of connection c: who sends it and what it carries. */
static int segment(uint8_t *frame, int c, int k, uint32_t *wire_length) {
    int from_client, flags, length = 0;
    uint32_t cisn = 1000u + c * 7919u, sisn = 5000000u + c * 104729u, seq, ack;
    int data = (k - 3) / 2;  /* data segments after the handshake alternate with ACKs */
    if (k == 0) { from_client = 1; flags = 0x02; seq = cisn; ack = 0; }
    else if (k == 1) { from_client = 0; flags = 0x12; seq = sisn; ack = cisn + 1; }
    else if (k == 2) { from_client = 1; flags = 0x10; seq = cisn + 1; ack = sisn + 1; }
    else if (k < PER_CONNECTION - 4) {
        int n = k == 40 ? data - 1 : data;  /* one retransmission */
        if (k % 2 == 1) { from_client = 0; flags = 0x18; length = 1448; seq = sisn + 1 + n * 1448u; ack = cisn + 1; }
        else { from_client = 1; flags = 0x10; seq = cisn + 1; ack = sisn + 1 + (k == 42 ? data - 1 : data + 1) * 1448u; }
    } else {
        uint32_t end = sisn + 1 + (PER_CONNECTION / 2) * 1448u;
        int step = k - (PER_CONNECTION - 4);
        from_client = step % 2 == 0;
        flags = step < 2 ? 0x11 : 0x10;
        if (from_client) { seq = cisn + 1 + (step == 2); ack = end + (step == 2); }
        else { seq = end + (step == 3); ack = cisn + 2; }
    }
    uint8_t *ip = frame + 14, *tcp = ip + 20;
    memset(frame, 0, 14 + 20 + 32);
    frame[5] = 1; frame[11] = 2; put16(frame + 12, 0x0800);
    uint32_t client = 0xc6120000u | (c % 65000 + 1), server = 0xc6130001u;  /* 198.18.x.x -> 198.19.0.1 */
    *wire_length = 14 + 20 + 32 + length;
    ip[0] = 0x45; put16(ip + 2, 20 + 32 + length); put16(ip + 4, k); ip[6] = 0x40; ip[8] = 64; ip[9] = 6;
    put32(ip + 12, from_client ? client : server); put32(ip + 16, from_client ? server : client);
    put16(ip + 10, checksum(ip, 20));
    put16(tcp, from_client ? 40000 + c % 20000 : 443); put16(tcp + 2, from_client ? 443 : 40000 + c % 20000);
    put32(tcp + 4, seq); put32(tcp + 8, ack); tcp[12] = 8 << 4; tcp[13] = flags; put16(tcp + 14, 502);
    tcp[20] = 1; tcp[21] = 1; tcp[22] = 8; tcp[23] = 10; put32(tcp + 24, 1000 + k); put32(tcp + 28, k ? 999 + k : 0);
    return 14 + 20 + 32;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: gen_tcp N FILE.pcap\n"); return 2; }
    long total = atol(argv[1]);
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, SNAP);
    pcap_dumper_t *out = pcap_dump_open(dead, argv[2]);
    if (!out) { fprintf(stderr, "%s\n", pcap_geterr(dead)); return 1; }
    uint8_t frame[128];
    long written = 0;
    for (int base = 0; written < total; base += LIVE) {
        for (int k = 0; k < PER_CONNECTION && written < total; k++) {
            for (int c = base; c < base + LIVE && written < total; c++, written++) {
                uint32_t wire;
                int captured = segment(frame, c, k, &wire);
                struct pcap_pkthdr h = { .caplen = captured, .len = wire };
                h.ts.tv_sec = 1795000000 + written / 100000;
                h.ts.tv_usec = written % 100000 * 10;
                pcap_dump((u_char *)out, &h, frame);
            }
        }
    }
    pcap_dump_close(out);
    pcap_close(dead);
    return 0;
}
