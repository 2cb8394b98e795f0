/* Minimal C load generator for TCP echo servers: what `nettool tcp-echo-client --bench` is
 * measured against. One thread per core, each with its share of the connections on its own
 * epoll; ping-pong with PIPELINE messages in flight per connection; every echoed byte is
 * checked against the same pattern nettool uses (byte i of the stream is i % 251).
 *   echo_load bench PORT CONNECTIONS SIZE PIPELINE SECONDS  → "messages seconds msgs_per_sec p99_us errors"
 *   echo_load idle PORT CONNECTIONS SECONDS                 → opens and holds idle connections */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXUS 1000000
struct conn { int fd; long sent, done, pos; uint64_t *times; };
struct worker { int conns; long messages, errors; uint32_t *hist; pthread_t thread; };

static int port, size, pipeline_depth;
static double seconds;
static volatile int stopping;
static volatile uint64_t give_up_ns;            /* echoes still missing then are lost; nothing starts after it */
static unsigned char *pattern;                 /* size + 251 bytes of i % 251 */
static unsigned char reference[65536 + 251];

static uint64_t now_ns(void) {
    struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + t.tv_nsec;
}

/* A connected socket, or -1 when the handshake fails or takes over 3 s (a full accept queue). */
static int dial(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct timeval limit = { .tv_sec = 3 };
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) { close(fd); return -1; }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void send_message(struct conn *c) {
    if (now_ns() > give_up_ns) return;          /* a stalled server must not hold the run past its end */
    c->times[c->sent % pipeline_depth] = now_ns();
    const unsigned char *m = pattern + (c->sent * (long)size) % 251;
    for (long off = 0; off < size;) {             /* blocking socket: writes all of it */
        ssize_t w = write(c->fd, m + off, size - off);
        if (w <= 0) { if (errno == EINTR) continue; return; }
        off += w;
    }
    c->sent++;
}

static void *run(void *arg) {
    struct worker *w = arg;
    int ep = epoll_create1(0);
    struct conn *conns = calloc(w->conns, sizeof *conns);
    unsigned char *buf = malloc(65536);
    int open = 0, refused = 0;
    for (int i = 0; i < w->conns; i++) {
        conns[i].fd = refused || now_ns() > give_up_ns ? -1 : dial();  /* after one failure the server is saturated */
        if (conns[i].fd < 0) { w->errors++; refused = 1; continue; }
        conns[i].times = calloc(pipeline_depth, sizeof(uint64_t));
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &conns[i] };
        epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
        open++;
    }
    for (int i = 0; i < w->conns; i++)
        for (int d = 0; d < pipeline_depth && conns[i].fd >= 0; d++) send_message(&conns[i]);
    struct epoll_event events[256];
    int active = open;
    while (active > 0) {
        if (stopping && now_ns() > give_up_ns) { w->errors += active; break; }
        int n = epoll_wait(ep, events, 256, 1000);
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            ssize_t r = read(c->fd, buf, 65536);
            if (r <= 0) { w->errors++; close(c->fd); active--; continue; }
            long phase = c->pos % 251;
            if (memcmp(buf, reference + phase, r)) w->errors++;
            c->pos += r;
            uint64_t t = 0;
            while (c->pos >= (c->done + 1) * (long)size) {
                if (!t) t = now_ns();
                uint64_t us = (t - c->times[c->done % pipeline_depth]) / 1000;
                w->hist[us < MAXUS ? us : MAXUS - 1]++;
                w->messages++;
                c->done++;
                if (!stopping) send_message(c);
            }
            if (stopping && c->done == c->sent) { close(c->fd); epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); active--; }
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    struct rlimit l; getrlimit(RLIMIT_NOFILE, &l); l.rlim_cur = l.rlim_max; setrlimit(RLIMIT_NOFILE, &l);
    if (argc == 5 && !strcmp(argv[1], "idle")) {
        port = atoi(argv[2]);
        int n = atoi(argv[3]);
        for (int i = 0; i < n; i++) if (dial() < 0) { fprintf(stderr, "connection %d failed\n", i); return 1; }
        printf("%d idle connections open\n", n); fflush(stdout);
        sleep(atoi(argv[4]));
        return 0;
    }
    if (argc != 7 || strcmp(argv[1], "bench")) {
        fprintf(stderr, "usage: echo_load bench PORT CONNECTIONS SIZE PIPELINE SECONDS | idle PORT CONNECTIONS SECONDS\n");
        return 2;
    }
    port = atoi(argv[2]);
    int connections = atoi(argv[3]);
    size = atoi(argv[4]); pipeline_depth = atoi(argv[5]); seconds = atof(argv[6]);
    pattern = malloc(size + 251);
    for (int i = 0; i < size + 251; i++) pattern[i] = i % 251;
    for (int i = 0; i < 65536 + 251; i++) reference[i] = i % 251;
    int threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads > connections) threads = connections;
    struct worker *ws = calloc(threads, sizeof *ws);
    uint64_t start = now_ns();
    give_up_ns = start + (uint64_t)((seconds + 2) * 1e9);
    for (int i = 0; i < threads; i++) {
        ws[i].conns = connections / threads + (i < connections % threads);
        ws[i].hist = calloc(MAXUS, sizeof(uint32_t));
        pthread_create(&ws[i].thread, NULL, run, &ws[i]);
    }
    usleep((useconds_t)(seconds * 1e6));
    stopping = 1;
    long messages = 0, errors = 0;
    for (int i = 0; i < threads; i++) { pthread_join(ws[i].thread, NULL); messages += ws[i].messages; errors += ws[i].errors; }
    double elapsed = (now_ns() - start) / 1e9;
    long seen = 0, p99 = 0;
    for (long us = 0; us < MAXUS && !p99; us++)
        for (int i = 0; i < threads; i++) { seen += ws[i].hist[us]; if (seen >= messages * 0.99) { p99 = us; break; } }
    printf("%ld %.3f %.1f %ld %ld\n", messages, elapsed, messages / elapsed, p99, errors);
    return 0;
}
