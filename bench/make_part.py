#!/usr/bin/env python3
"""Write a realistic Zoho backup part for the benchmark: a zip of about SIZE bytes in
which about 40 % is CSV text that deflates about 5:1 and 60 % is incompressible attachment
bytes (as a data part with record images, or an attachments part, looks).

usage: make_part.py OUT SIZE_MIB
"""
import os
import random
import sys
import zipfile

out, size_mib = sys.argv[1], int(sys.argv[2])
target = size_mib << 20
rng = random.Random(42)
words = [''.join(rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(rng.randint(3, 10))) for _ in range(5000)]


counter = [4876876000002000000]


def csv_block(rows):
    # Like a CRM export: sequential ids, repeated owners and picklist values, many empty columns.
    lines = []
    for _ in range(rows):
        counter[0] += rng.randrange(1, 5)
        first, last, city = rng.choice(words[:800]), rng.choice(words[:1500]), rng.choice(words[:300])
        lines.append(f"{counter[0]},{first.title()} {last.title()},{first}.{last}@{city}.example.com,"
                     f"+1-555-{rng.randrange(1000, 9999)},{city.title()},{rng.choice(['Open', 'Closed Won', 'Closed Lost', 'Qualification'])},"
                     f"{rng.randrange(0, 500) * 100}.00,2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T09:00:00+05:30,"
                     f"Patricia Boyle,4876876000000327001,,,,,,,,,,,,false,false,,,{rng.choice(['Web', 'Partner', 'Cold Call', ''])},,,\n")
    return ''.join(lines).encode()


# A pool of CSV text reused in shuffled blocks: generating 2 GiB of fresh rows in Python is
# slow, and blocks of 1 MiB reshuffled keep deflate near 5:1 (its window is only 32 KiB).
pool = [csv_block(6000) for _ in range(24)]
with zipfile.ZipFile(out + ".tmp", "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6, allowZip64=True) as z:
    modules = ["Leads", "Contacts", "Accounts", "Deals", "Tasks", "Notes"]
    csv_target = int(target * 0.40)
    for i, module in enumerate(modules):
        with z.open(f"{module}.csv", "w", force_zip64=True) as f:
            while os.path.getsize(out + ".tmp") < csv_target * (i + 1) // len(modules):
                for _ in range(32):
                    f.write(rng.choice(pool))
    n = 0
    while os.path.getsize(out + ".tmp") < target - (1 << 20):
        n += 1
        left = target - os.path.getsize(out + ".tmp")
        with z.open(f"Attachments/{n}.bin", "w", force_zip64=True) as f:
            for _ in range(min(32, max(1, left >> 20))):
                f.write(os.urandom(1 << 20))
os.replace(out + ".tmp", out)
print(f"{out}: {os.path.getsize(out) >> 20} MiB")
