"""The peer: Python's ipaddress doing the same job per line (parse, is_private, is_global)."""
import ipaddress
import sys

valid = invalid = 0
for line in sys.stdin:
    text = line.rstrip("\r\n")
    if not text:
        continue
    try:
        value = ipaddress.ip_network(text) if "/" in text else ipaddress.ip_address(text)
        value.is_private, value.is_global
        valid += 1
    except ValueError:
        invalid += 1
print(valid, invalid)
