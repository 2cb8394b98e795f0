/* Minimal epoll TCP echo server: the reference for what this machine can do.
 * One thread per core (default), each with its own SO_REUSEPORT listener, level-triggered
 * epoll, non-blocking sockets; when the peer does not read, the connection stops being read
 * until its pending echo is written (the same back-pressure rule as nettool's server).
 *   echo_server PORT [THREADS]      listens on 127.0.0.1:PORT */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF 65536

struct conn { int fd, writing; size_t off, len; char buf[BUF]; };

static int port;

static void *serve(void *unused) {
    (void)unused;
    int one = 1;
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 4096)) { perror("bind/listen"); exit(1); }
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    struct epoll_event events[256];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    c = malloc(sizeof *c);
                    c->fd = fd; c->writing = 0; c->off = c->len = 0;
                    struct epoll_event cev = { .events = EPOLLIN, .data.ptr = c };
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
                }
                continue;
            }
            int closed = 0;
            if (c->len > c->off) {                      /* pending echo: write it first */
                ssize_t w = write(c->fd, c->buf + c->off, c->len - c->off);
                if (w < 0 && errno != EAGAIN) closed = 1;
                if (w > 0) c->off += w;
            } else {
                ssize_t r = read(c->fd, c->buf, BUF);
                if (r == 0 || (r < 0 && errno != EAGAIN)) closed = 1;
                if (r > 0) {
                    ssize_t w = write(c->fd, c->buf, r);
                    if (w < 0 && errno != EAGAIN) closed = 1;
                    c->off = w > 0 ? (size_t)w : 0; c->len = r;
                }
            }
            if (closed) { close(c->fd); free(c); continue; }
            int writing = c->len > c->off;
            if (!writing) c->off = c->len = 0;
            if (writing != c->writing) {                /* switch between reading and writing */
                struct epoll_event cev = { .events = writing ? EPOLLOUT : EPOLLIN, .data.ptr = c };
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &cev);
                c->writing = writing;
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: echo_server PORT [THREADS]\n"); return 2; }
    port = atoi(argv[1]);
    int threads = argc > 2 ? atoi(argv[2]) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    pthread_t t[64];
    for (int i = 0; i < threads && i < 64; i++) pthread_create(&t[i], NULL, serve, NULL);
    pthread_join(t[0], NULL);
    return 0;
}
