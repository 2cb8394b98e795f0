// The pcap_* functions nettool calls, each forwarding to libpcap loaded on first use. When
// libpcap cannot be loaded, the functions that take an error buffer fill it with why (and how to
// install it) and fail as libpcap itself fails; the rest cannot be reached without a handle.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include "CPcap.h"

static void *library;
static char failure[PCAP_ERRBUF_SIZE];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    const char *names[] = {"libpcap.so.0.8", "libpcap.so.1", "libpcap.so"};
    for (unsigned i = 0; i < sizeof names / sizeof names[0] && !library; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (!library) {
        snprintf(failure, sizeof failure, "libpcap could not be loaded (%s); install it: apt-get install libpcap0.8", dlerror());
    }
}

static void *symbol(const char *name) {
    pthread_once(&once, load);
    return library ? dlsym(library, name) : NULL;
}

const char *nettool_pcap_load_error(void) {
    pthread_once(&once, load);
    return library ? NULL : failure;
}

static void explain(char *errbuf) {
    if (errbuf) snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", nettool_pcap_load_error() ? nettool_pcap_load_error() : "libpcap lacks a function nettool needs");
}

// RET NAME(PARAMS) calls the real NAME with ARGS; without it, runs FALLBACK.
#define FORWARD(ret, name, params, args, fallback)            \
    ret name params {                                         \
        static ret (*real) params;                            \
        if (!real) real = (ret (*) params) symbol(#name);     \
        if (!real) { fallback; }                              \
        return real args;                                     \
    }
#define FORWARD_VOID(name, params, args)                      \
    void name params {                                        \
        static void (*real) params;                           \
        if (!real) real = (void (*) params) symbol(#name);    \
        if (real) real args;                                  \
    }

FORWARD(pcap_t *, pcap_create, (const char *source, char *errbuf), (source, errbuf), explain(errbuf); return NULL)
FORWARD(pcap_t *, pcap_open_offline_with_tstamp_precision, (const char *file, u_int precision, char *errbuf), (file, precision, errbuf),
        explain(errbuf); return NULL)
FORWARD(pcap_t *, pcap_open_dead, (int linktype, int snaplen), (linktype, snaplen), return NULL)
FORWARD(int, pcap_findalldevs, (pcap_if_t **devices, char *errbuf), (devices, errbuf), explain(errbuf); return -1)
FORWARD(int, pcap_setnonblock, (pcap_t *p, int nonblock, char *errbuf), (p, nonblock, errbuf), explain(errbuf); return -1)
FORWARD(int, pcap_activate, (pcap_t *p), (p), return -1)
FORWARD(int, pcap_set_timeout, (pcap_t *p, int ms), (p, ms), return -1)
FORWARD(int, pcap_set_snaplen, (pcap_t *p, int snaplen), (p, snaplen), return -1)
FORWARD(int, pcap_set_promisc, (pcap_t *p, int promisc), (p, promisc), return -1)
FORWARD(int, pcap_set_immediate_mode, (pcap_t *p, int immediate), (p, immediate), return -1)
FORWARD(int, pcap_set_datalink, (pcap_t *p, int linktype), (p, linktype), return -1)
FORWARD(int, pcap_datalink, (pcap_t *p), (p), return -1)
FORWARD(int, pcap_get_selectable_fd, (pcap_t *p), (p), return -1)
FORWARD(int, pcap_stats, (pcap_t *p, struct pcap_stat *stats), (p, stats), return -1)
FORWARD(int, pcap_compile, (pcap_t *p, struct bpf_program *program, const char *text, int optimize, bpf_u_int32 netmask),
        (p, program, text, optimize, netmask), return -1)
FORWARD(int, pcap_setfilter, (pcap_t *p, struct bpf_program *program), (p, program), return -1)
FORWARD(int, pcap_offline_filter, (const struct bpf_program *program, const struct pcap_pkthdr *header, const u_char *bytes),
        (program, header, bytes), return 0)
FORWARD(int, pcap_next_ex, (pcap_t *p, struct pcap_pkthdr **header, const u_char **bytes), (p, header, bytes), return PCAP_ERROR)
FORWARD(char *, pcap_geterr, (pcap_t *p), (p), return failure)
FORWARD(const char *, pcap_statustostr, (int status), (status), return failure)
FORWARD(const char *, pcap_datalink_val_to_name, (int linktype), (linktype), return NULL)
FORWARD(pcap_dumper_t *, pcap_dump_open, (pcap_t *p, const char *file), (p, file), return NULL)
FORWARD(int, pcap_dump_flush, (pcap_dumper_t *dumper), (dumper), return -1)
FORWARD_VOID(pcap_dump, (u_char *user, const struct pcap_pkthdr *header, const u_char *bytes), (user, header, bytes))
FORWARD_VOID(pcap_dump_close, (pcap_dumper_t *dumper), (dumper))
FORWARD_VOID(pcap_freecode, (struct bpf_program *program), (program))
FORWARD_VOID(pcap_freealldevs, (pcap_if_t *devices), (devices))
FORWARD_VOID(pcap_close, (pcap_t *p), (p))
FORWARD_VOID(pcap_breakloop, (pcap_t *p), (p))
