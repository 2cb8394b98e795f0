#ifndef CPCAP_H
#define CPCAP_H
#include <pcap/pcap.h>

/// Why libpcap could not be loaded, or NULL once it is. nettool does not link libpcap: it is
/// loaded (dlopen) the first time a pcap_* function is called, so the other commands start
/// without it and its dependencies (dbus, systemd, gcrypt, …), and run where it is missing.
const char *nettool_pcap_load_error(void);

#endif
