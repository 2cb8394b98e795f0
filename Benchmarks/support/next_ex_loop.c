/* The limit for reading a capture file: pcap_next_ex over every packet, touching one byte
 * each so the read is not optimised away. Usage: next_ex_loop FILE */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv) {
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (!p) { fprintf(stderr, "%s\n", err); return 1; }
    struct pcap_pkthdr *h;
    const u_char *data;
    unsigned long packets = 0, sum = 0;
    while (pcap_next_ex(p, &h, &data) == 1) { packets++; sum += data[h->caplen - 1]; }
    printf("%lu packets (checksum %lu)\n", packets, sum);
    pcap_close(p);
    return 0;
}
