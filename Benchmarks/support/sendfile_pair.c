/* The limit for file transfer on this machine: a minimal HTTP server that answers any request
 * with the whole file through sendfile(2), and a reader that writes what it receives to a file
 * and fsyncs it (as `download` does, minus the SHA-256).
 *   sendfile_pair serve PORT FILE        serves until killed, one connection at a time
 *   sendfile_pair fetch PORT OUTPUT      → "bytes seconds MB/s" */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: sendfile_pair serve PORT FILE | fetch PORT OUTPUT\n"); return 2; }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (!strcmp(argv[1], "serve")) {
        int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);
        setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 64)) { perror("bind"); return 1; }
        for (;;) {
            int c = accept(l, NULL, NULL);
            if (c < 0) continue;
            char request[8192];
            if (read(c, request, sizeof request) <= 0) { close(c); continue; }
            int f = open(argv[3], O_RDONLY);
            struct stat st; fstat(f, &st);
            char head[128];
            int n = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %lld\r\nConnection: close\r\n\r\n", (long long)st.st_size);
            write(c, head, n);
            off_t off = 0;
            while (off < st.st_size) if (sendfile(c, f, &off, st.st_size - off) <= 0) break;
            close(f); close(c);
        }
    }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&a, sizeof a)) { perror("connect"); return 1; }
    double start = now();
    const char *get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    write(s, get, strlen(get));
    int out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    static char buf[1 << 20];
    long long total = 0; ssize_t r; int head = 1;
    while ((r = read(s, buf, sizeof buf)) > 0) {
        char *p = buf; ssize_t len = r;
        if (head) {   /* skip the response head */
            char *end = memmem(buf, r, "\r\n\r\n", 4);
            if (!end) continue;
            p = end + 4; len = r - (p - buf); head = 0;
        }
        for (ssize_t done = 0; done < len;) { ssize_t w = write(out, p + done, len - done); if (w <= 0) return 1; done += w; }
        total += len;
    }
    fsync(out); close(out);
    double seconds = now() - start;
    printf("%lld %.3f %.1f\n", total, seconds, total / seconds / 1e6);
    return 0;
}
