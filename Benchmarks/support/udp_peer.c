/* Minimal C UDP peer for Benchmarks/udp.sh: the baseline nettool is compared with.
 *   udp_peer send HOST PORT SIZE COUNT [RATE]   send COUNT datagrams (RATE per second, 0 = max)
 *   udp_peer recv PORT COUNT IDLE_MS            receive until COUNT arrived or IDLE_MS of silence
 * Both print one line: "<datagrams> <seconds> <datagrams/s>". Loopback only. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc >= 6 && strcmp(argv[1], "send") == 0) {
        struct addrinfo hints = {0}, *res;
        hints.ai_socktype = SOCK_DGRAM;
        if (getaddrinfo(argv[2], argv[3], &hints, &res) != 0) return 3;
        int fd = socket(res->ai_family, SOCK_DGRAM, 0);
        if (connect(fd, res->ai_addr, res->ai_addrlen) != 0) return 1;
        int size = atoi(argv[4]);
        long count = atol(argv[5]);
        double rate = argc > 6 ? atof(argv[6]) : 0;
        char *buf = calloc(1, size > 0 ? size : 1);
        double start = now();
        for (long i = 0; i < count; i++) {
            if (rate > 0) while (now() - start < i / rate) { }
            if (send(fd, buf, size, 0) < 0) { i--; continue; }
        }
        double elapsed = now() - start;
        printf("%ld %.6f %.0f\n", count, elapsed, count / elapsed);
        return 0;
    }
    if (argc >= 5 && strcmp(argv[1], "recv") == 0) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        int size = 8 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        struct sockaddr_in addr = {0};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(atoi(argv[2]));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) return 1;
        long want = atol(argv[3]), got = 0;
        int idle = atoi(argv[4]);
        char buf[65536];
        double first = 0, last = 0;
        struct pollfd p = { fd, POLLIN, 0 };
        while (got < want && poll(&p, 1, idle) > 0) {
            if (recv(fd, buf, sizeof buf, 0) >= 0) {
                last = now();
                if (got++ == 0) first = last;
            }
        }
        double elapsed = last - first;
        printf("%ld %.6f %.0f\n", got, elapsed, elapsed > 0 ? got / elapsed : 0);
        return 0;
    }
    fprintf(stderr, "usage: udp_peer send HOST PORT SIZE COUNT [RATE] | recv PORT COUNT IDLE_MS\n");
    return 2;
}
