#!/usr/bin/env python3
"""Regenerate the Swift registry tables from the CSV files in Data/ (IANA's, and our own
curated common uses of ports).

    python3 scripts/generate-registries.py            # from Data/
    python3 scripts/generate-registries.py --refresh ../shared/data
                                                     # copy newer CSVs into Data/ first

Writes:
    Sources/Addresses/Registry/SpecialPurposeRegistry+Generated.swift
    Sources/Ports/Registry/ServiceRegistry+Generated.swift
    Sources/Ports/Registry/CommonUses+Generated.swift
The registry dates below come from Data/SOURCES.md; update them with the data.
"""
import argparse
import csv
import ipaddress
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "Data")

IPV4_SPECIAL_UPDATED = "2025-10-09"
IPV6_SPECIAL_UPDATED = "2025-10-09"
IPV4_MULTICAST_UPDATED = "2026-06-26"
IPV6_ADDRESS_SPACE_UPDATED = "2025-10-23"
SERVICES_NEWEST_RECORD = "2026-02-25"

# The `scope` vocabulary is ours, not IANA's: each special-purpose block maps to one word.
# A block not named here is an IETF protocol assignment; the script says so, so a new
# registry row gets a deliberate decision.
SCOPES = {
    "0.0.0.0/8": "this-network", "0.0.0.0/32": "unspecified", "10.0.0.0/8": "private",
    "100.64.0.0/10": "shared", "127.0.0.0/8": "loopback", "169.254.0.0/16": "link-local",
    "172.16.0.0/12": "private", "192.168.0.0/16": "private", "192.0.2.0/24": "documentation",
    "198.51.100.0/24": "documentation", "203.0.113.0/24": "documentation",
    "198.18.0.0/15": "benchmarking", "240.0.0.0/4": "reserved", "255.255.255.255/32": "broadcast",
    "::/128": "unspecified", "::1/128": "loopback", "::ffff:0:0/96": "ipv4-mapped",
    "64:ff9b::/96": "ipv4-translated", "64:ff9b:1::/48": "ipv4-translated", "100::/64": "discard",
    "2001::/32": "teredo", "2001:2::/48": "benchmarking", "2001:db8::/32": "documentation",
    "3fff::/20": "documentation", "2002::/16": "6to4", "fc00::/7": "private", "fe80::/10": "link-local",
    # From the other address-space registries (iana-address-space-extras.csv):
    "2000::/3": "public", "224.0.0.0/4": "multicast", "233.252.0.0/24": "documentation", "ff0X::db8:0:0/96": "documentation", "ff00::/8": "multicast", "fec0::/10": "site-local",
}
DEFAULT_SCOPE = "protocol-assignment"

SCOPE_CASES = {
    "unspecified": "unspecified", "this-network": "thisNetwork", "loopback": "loopback",
    "private": "private", "shared": "shared", "link-local": "linkLocal", "site-local": "siteLocal",
    "multicast": "multicast", "broadcast": "broadcast", "documentation": "documentation",
    "benchmarking": "benchmarking", "ipv4-mapped": "ipv4Mapped", "ipv4-translated": "ipv4Translated",
    "teredo": "teredo", "6to4": "sixToFour", "discard": "discard",
    "protocol-assignment": "protocolAssignment", "reserved": "reserved", "public": "public",
}
FLAGS = {"True": ".yes", "False": ".no", "N/A": ".notApplicable", "": ".unset"}


def swift_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


DEFAULTED = []


def scope_for(block, allow_default=True):
    if block in SCOPES:
        return SCOPES[block]
    if allow_default:
        DEFAULTED.append(block)
        return DEFAULT_SCOPE
    return None


def special_entries(path, family):
    out = []
    for row in csv.DictReader(open(path, encoding="utf-8", newline="")):
        net = ipaddress.ip_network(row["address_block"])
        assert net.version == family
        footnotes = [f for f in row["footnotes"].split("|") if f] if row["footnotes"] else []
        terminated = row["termination_date"] if row["termination_date"] not in ("", "N/A") else None
        scope = SCOPE_CASES[scope_for(row["address_block"])]
        out.append((net.prefixlen, f"""        SpecialPurposeEntry(
            prefix: IPPrefix(uncheckedNetwork: IPAddress(family: .v{family}, value: {hex(int(net.network_address))}), length: {net.prefixlen}),
            name: {swift_string(row["name"])}, rfc: {swift_string(row["rfc"])},
            allocationDate: {swift_string(row["allocation_date"])}, terminationDate: {swift_string(terminated) if terminated else "nil"},
            source: {FLAGS[row["source"]]}, destination: {FLAGS[row["destination"]]}, forwardable: {FLAGS[row["forwardable"]]},
            globallyReachable: {FLAGS[row["globally_reachable"]]}, reservedByProtocol: {FLAGS[row["reserved_by_protocol"]]},
            footnotes: [{", ".join(swift_string(f) for f in footnotes)}], scope: .{scope}),"""))
    # Most specific first, so the first match is the one that wins.
    out.sort(key=lambda item: -item[0])
    assert len(out) < 64, "RowSet holds at most 64 rows per table"
    return [text for _, text in out]


def extras_entries(path):
    out = []
    for row in csv.DictReader(open(path, encoding="utf-8", newline="")):
        block = row["block"]
        if block.startswith("scope"):
            continue  # multicast scopes are a fixed RFC 7346 table in MulticastScope.swift
        family = int(row["family"])
        variable_scope = "X" in block
        if "-" in block and "/" not in block:
            first_text, last_text = block.split("-")
            first, last = int(ipaddress.ip_address(first_text)), int(ipaddress.ip_address(last_text))
            length = None
        else:
            net = ipaddress.ip_network(block.replace("X", "0"))
            first, last, length = int(net.network_address), int(net.broadcast_address), net.prefixlen
        scope = scope_for(block, allow_default=False)
        if scope is None and row["name"] == "Reserved by IETF":
            scope = "reserved"
        out.append((last - first, f"""        AddressSpaceEntry(
            family: .v{family}, first: {hex(first)}, last: {hex(last)}, prefixLength: {length if length is not None else "nil"},
            block: {swift_string(block)}, name: {swift_string(row["name"])}, registry: {swift_string(row["registry"])},
            reference: {swift_string(row["reference"])}, note: {swift_string(row["note"])},
            variableMulticastScope: {"true" if variable_scope else "false"}, scope: {"." + SCOPE_CASES[scope] if scope else "nil"}),"""))
    out.sort(key=lambda item: item[0])
    assert len(out) < 64, "RowSet holds at most 64 rows per table"
    return [text for _, text in out]


def write_addresses():
    lines = [
        "// Generated by scripts/generate-registries.py from Data/*.csv. Do not edit; rerun the script.",
        "",
        "extension SpecialPurposeRegistry {",
        f'    public static let ipv4LastUpdated = "{IPV4_SPECIAL_UPDATED}"',
        f'    public static let ipv6LastUpdated = "{IPV6_SPECIAL_UPDATED}"',
        f'    public static let ipv4MulticastLastUpdated = "{IPV4_MULTICAST_UPDATED}"',
        f'    public static let ipv6AddressSpaceLastUpdated = "{IPV6_ADDRESS_SPACE_UPDATED}"',
        "",
        "    /// IANA IPv4 Special-Purpose Address Registry, most specific first.",
        "    static let ipv4Entries: [SpecialPurposeEntry] = [",
        *special_entries(os.path.join(DATA, "iana-ipv4-special-registry.csv"), 4),
        "    ]",
        "",
        "    /// IANA IPv6 Special-Purpose Address Registry, most specific first.",
        "    static let ipv6Entries: [SpecialPurposeEntry] = [",
        *special_entries(os.path.join(DATA, "iana-ipv6-special-registry.csv"), 6),
        "    ]",
        "",
        "    /// IPv4 multicast blocks, IPv6 address space and well-known groups, smallest first.",
        "    static let addressSpaceEntries: [AddressSpaceEntry] = [",
        *extras_entries(os.path.join(DATA, "iana-address-space-extras.csv")),
        "    ]",
        "}",
        "",
    ]
    target = os.path.join(ROOT, "Sources/Addresses/Registry/SpecialPurposeRegistry+Generated.swift")
    open(target, "w").write("\n".join(lines))
    print(f"wrote {os.path.relpath(target, ROOT)}")


def clean(text):
    return " ".join(text.replace("\t", " ").split())


def write_services():
    records = []
    for row in csv.DictReader(open(os.path.join(DATA, "iana-service-names-port-numbers.csv"), encoding="utf-8", newline="")):
        description = clean(row["Description"])
        if description == "Unassigned":
            continue  # "unassigned" is what no record means
        fields = [clean(row["Service Name"]), row["Port Number"].strip(), row["Transport Protocol"].strip(),
                  description, clean(row["Reference"])]
        records.append("\t".join(fields))
    body = "\n".join(records)
    assert '"###' not in body
    lines = [
        "// Generated by scripts/generate-registries.py from Data/iana-service-names-port-numbers.csv.",
        "// Do not edit; rerun the script. One record per line, tab-separated:",
        "// service name, port or range (empty for name-only registrations), protocol, description, reference.",
        "// \"Unassigned\" records are left out: no record for a port means unassigned.",
        "",
        "extension ServiceRegistry {",
        f'    public static let newestRecordDate = "{SERVICES_NEWEST_RECORD}"',
        "",
        '    static let ianaTable = ###"""',
        body,
        '"""###',
        "}",
        "",
    ]
    target = os.path.join(ROOT, "Sources/Ports/Registry/ServiceRegistry+Generated.swift")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    open(target, "w", encoding="utf-8").write("\n".join(lines))
    print(f"wrote {os.path.relpath(target, ROOT)} ({len(records)} records)")


def write_common_uses():
    rows = list(csv.DictReader(open(os.path.join(DATA, "common-port-uses.csv"), encoding="utf-8", newline="")))
    lines = [
        "// Generated by scripts/generate-registries.py from Data/common-port-uses.csv. Do not edit;",
        "// change the CSV (every row names its source) and rerun the script.",
        "",
        "extension CommonUses {",
        "    public static let table: [CommonUse] = [",
    ]
    for row in rows:
        transport = swift_string(row["transport"]) if row["transport"] else "nil"
        lines.append(f'        CommonUse(port: {int(row["port"])}, transport: {transport}, use: {swift_string(row["use"])}, '
                     f'source: {swift_string(row["source"])}),')
    lines += ["    ]", "}", ""]
    target = os.path.join(ROOT, "Sources/Ports/Registry/CommonUses+Generated.swift")
    open(target, "w", encoding="utf-8").write("\n".join(lines))
    print(f"wrote {os.path.relpath(target, ROOT)} ({len(rows)} uses)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--refresh", metavar="DIR", help="copy the CSV files and SOURCES.md from DIR into Data/ first")
    args = parser.parse_args()
    if args.refresh:
        for name in ("iana-ipv4-special-registry.csv", "iana-ipv6-special-registry.csv",
                     "iana-address-space-extras.csv", "iana-service-names-port-numbers.csv", "SOURCES.md"):
            shutil.copyfile(os.path.join(args.refresh, name), os.path.join(DATA, name))
    write_addresses()
    write_services()
    write_common_uses()
    print(f"scope {DEFAULT_SCOPE} (no entry in SCOPES): {', '.join(DEFAULTED)}")


if __name__ == "__main__":
    main()
