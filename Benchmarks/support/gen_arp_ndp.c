/* Writes a pcap of N mixed ARP/NDP Ethernet frames for Benchmarks/capture.sh: ARP requests,
 * replies, probes and announcements; NDP RS, RA (prefix, MTU, RDNSS, DNSSL), NS (incl. DAD),
 * NA and Redirect, all with valid checksums, 1 in 5 carried in an 802.1Q tag, and 1 in 1000
 * with a zero-length option (malformed). Addresses come from 198.18.0.0/15 and fd00:198:18::/48.
 * Usage: gen_arp_ndp COUNT OUT.pcap */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t frame[512];
static size_t len;

static void put8(uint8_t v) { frame[len++] = v; }
static void put16(uint16_t v) { put8(v >> 8); put8(v & 0xff); }
static void put32(uint32_t v) { put16(v >> 16); put16(v & 0xffff); }
static void putmac(uint32_t host) { put8(0x02); put8(0x00); put8(0x5e); put8(host >> 16); put8(host >> 8); put8(host); }
/* fd00:198:18::HOST, or fe80::HOST and ff02::HOST */
static void putv6(uint16_t first, uint32_t host) {
    int ula = first == 0xfd00;
    put16(first); put16(ula ? 0x0198 : 0); put16(ula ? 0x0018 : 0);
    put16(0); put16(0); put16(0); put32(host);
}

static void ethernet(uint32_t src, const uint8_t *dst, uint16_t type, int tagged, uint32_t seq) {
    len = 0;
    for (int i = 0; i < 6; i++) put8(dst[i]);
    putmac(src);
    if (tagged) { put16(0x8100); put16(seq % 4094 + 1); }
    put16(type);
}

static void checksum(size_t ip, size_t icmp) {
    uint32_t sum = 0;
    size_t n = len - icmp;
    for (size_t i = ip + 8; i < ip + 40; i += 2) sum += frame[i] << 8 | frame[i + 1];
    sum += (uint32_t)n + 58;
    for (size_t i = icmp; i + 1 < len; i += 2) sum += frame[i] << 8 | frame[i + 1];
    if (n & 1) sum += frame[len - 1] << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    uint16_t c = ~sum;
    frame[icmp + 2] = c >> 8; frame[icmp + 3] = c & 0xff;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: %s COUNT OUT.pcap\n", argv[0]); return 2; }
    long count = atol(argv[1]);
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
    pcap_dumper_t *out = pcap_dump_open(dead, argv[2]);
    if (!out) { fprintf(stderr, "%s\n", pcap_geterr(dead)); return 1; }
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t allrouters[6] = {0x33, 0x33, 0, 0, 0, 2};
    static const uint8_t allnodes[6] = {0x33, 0x33, 0, 0, 0, 1};
    for (long seq = 0; seq < count; seq++) {
        uint32_t a = (uint32_t)(seq % 50000) + 1, b = (uint32_t)((seq * 7) % 50000) + 1;
        int tagged = seq % 5 == 4;
        int kind = (int)(seq % 10);
        if (kind < 4) {
            ethernet(a, kind == 1 ? (uint8_t[]){0x02, 0x00, 0x5e, b >> 16, b >> 8, b} : bcast, 0x0806, tagged, seq);
            put16(1); put16(0x0800); put8(6); put8(4);
            put16(kind == 1 ? 2 : 1);
            putmac(a); put32(kind == 2 ? 0 : 0xc6120000 | a);       /* probe: sender 0.0.0.0 */
            if (kind == 1) putmac(b); else for (int i = 0; i < 6; i++) put8(0);
            put32(kind == 3 ? 0xc6120000 | a : 0xc6120000 | b);     /* announcement: target = sender */
            while (len < 60) put8(0);
        } else {
            int type = kind == 4 ? 133 : kind == 5 ? 134 : kind <= 7 ? 135 : kind == 8 ? 136 : 137;
            ethernet(a, type == 133 ? allrouters : allnodes, 0x86dd, tagged, seq);
            size_t ip = len;
            int dad = type == 135 && seq % 20 == 17;
            put32(0x60000000); put16(0); put8(58); put8(255);
            if (dad) { for (int i = 0; i < 16; i++) put8(0); } else putv6(type == 136 ? 0xfd00 : 0xfe80, a);
            putv6(0xff02, type == 133 ? 2 : 1);
            size_t icmp = len;
            put8(type); put8(0); put16(0);
            switch (type) {
            case 133: put32(0); put8(1); put8(1); putmac(a); break;
            case 134:
                put8(64); put8(0xc0); put16(1800); put32(0); put32(0);
                put8(1); put8(1); putmac(a);
                put8(3); put8(4); put8(64); put8(0xc0); put32(2592000); put32(604800); put32(0); putv6(0xfd00, 0);
                put8(5); put8(1); put16(0); put32(1500);
                put8(25); put8(3); put16(0); put32(600); putv6(0xfd00, 53);
                put8(31); put8(3); put16(0); put32(600);
                put8(7); memcpy(frame + len, "example", 7); len += 7;                   /* "example." padded to 16 */
                for (int i = 0; i < 8; i++) put8(0);
                break;
            case 135: put32(0); putv6(0xfd00, b); if (!dad) { put8(1); put8(1); putmac(a); } break;
            case 136: put32(0x60000000); putv6(0xfd00, a); put8(2); put8(1); putmac(a); break;
            case 137: put32(0); putv6(0xfe80, b); putv6(0xfd00, b + 1); put8(1); put8(1); putmac(a); break;
            }
            if (seq % 1000 == 999) { put8(200); put8(0); put16(0); put32(0); }   /* option length 0 */
            uint16_t payload = (uint16_t)(len - ip - 40);
            frame[ip + 4] = payload >> 8; frame[ip + 5] = payload & 0xff;
            checksum(ip, icmp);
        }
        struct pcap_pkthdr h = {.caplen = (bpf_u_int32)len, .len = (bpf_u_int32)len};
        h.ts.tv_sec = 1795000000 + seq / 1000;
        h.ts.tv_usec = (seq % 1000) * 1000;
        pcap_dump((u_char *)out, &h, frame);
    }
    pcap_dump_close(out);
    pcap_close(dead);
    return 0;
}
