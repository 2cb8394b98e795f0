#!/usr/bin/env bash
# Installs what building and testing nettool needs and a fresh Debian machine may lack:
# libpcap-dev (for the capture module), and the real peers the tests talk to: netcat-openbsd,
# socat, curl, python3 (http.server), iproute2 (ip netns), util-linux (setpriv, to test as an unprivileged user),
# coreutils (stdbuf), and for capture: tcpdump (reads back what -w wrote), arping and ndisc6 (real ARP
# and NDP traffic); nftables (a local firewall rule that refuses a send); openssl, ca-certificates
# tshark and nginx for TLS. Uses sudo when not root. Safe to run repeatedly.
set -euo pipefail

need=()
pkg-config --exists libpcap 2>/dev/null || need+=(libpcap-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
[ -x /usr/bin/nc ] && /usr/bin/nc -h 2>&1 | grep -q OpenBSD || need+=(netcat-openbsd)
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v curl >/dev/null 2>&1 || need+=(curl)
[ -x /usr/bin/python3 ] || need+=(python3)
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
command -v stdbuf >/dev/null 2>&1 || need+=(coreutils)
[ -x /usr/bin/tcpdump ] || need+=(tcpdump)
[ -x /usr/sbin/arping ] || need+=(arping)
[ -x /usr/bin/ndisc6 ] || need+=(ndisc6)
[ -x /usr/sbin/nft ] || need+=(nftables)
# TLS: the openssl CLI (test certificates, s_server, s_client), the trust store, and tshark
# (decrypts a capture with --keylog's secrets).
[ -x /usr/bin/openssl ] || need+=(openssl)
[ -f /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)
[ -x /usr/bin/tshark ] || need+=(tshark)
[ -x /usr/sbin/nginx ] || need+=(nginx)
# ethtool turns off TSO/GSO on test veths, so captures hold real segment sizes.
[ -x /usr/sbin/ethtool ] || need+=(ethtool)

if [ ${#need[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing: ${need[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
