"""Writes N mixed address lines to stdout, reproducibly (fixed seed)."""
import ipaddress
import random
import sys

count = int(sys.argv[1])
rng = random.Random(20261127)
special = ["127.0.0.1", "10.1.2.3", "192.168.1.10", "100.64.3.4", "169.254.7.7", "192.0.0.9", "198.18.0.5",
           "224.0.0.251", "255.255.255.255", "::1", "fe80::1%eth0", "fd00:198:18::1", "2001:db8::1",
           "::ffff:192.0.2.1", "2002:c000:204::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "ff02::1:ff00:1",
           "64:ff9b::192.0.2.33", "10.0.0.0/8", "2001:db8::/32", "192.168.0.0/24"]
invalid = ["010.1.1.1", "1.2.3", "256.1.1.1", "1::2::3", "12345::", "10.0.0.1/8", "hello"]
out = []
for _ in range(count):
    r = rng.random()
    if r < 0.45:
        out.append(str(ipaddress.IPv4Address(rng.getrandbits(32))))
    elif r < 0.80:
        out.append(str(ipaddress.IPv6Address(rng.getrandbits(128))))
    elif r < 0.98:
        out.append(rng.choice(special))
    else:
        out.append(rng.choice(invalid))
sys.stdout.write("\n".join(out) + "\n")
