#!/usr/bin/env python3
# Usage: fault_model.py LACKEY_LOG VALGRIND_STDERR (from valgrind --tool=lackey
# --trace-mem=yes --trace-syscalls=yes -d -d --log-file=LACKEY_LOG PROG 2>VALGRIND_STDERR).
# See docs/trace-replay.md, "Validation against the host".
# Estimate the host's minor faults from a lackey log: file-backed pages fault
# in 64 KiB fault-around windows (read) plus one COW fault per written page;
# anonymous pages fault once per page (a read first maps the zero page, so a
# later write faults again).
import re, sys
log, err = sys.argv[1], sys.argv[2]
maps = []  # (start, end, kind)
for l in open(err):
    m = re.search(r'tell tool about ([0-9a-f]+)-([0-9a-f]+) (\S+)', l)
    if m:
        s, e = int(m.group(1), 16), int(m.group(2), 16) + 1
        kind = 'stack' if s > 0x1000000000 else ('brk' if m.group(3) == 'rwx' else 'file')
        maps.append((s, e, kind))
first = {}; written = set()
def kind_of(a):
    for s, e, k in reversed(maps):
        if s <= a < e: return k
    return 'stack' if a > 0x1000000000 else 'anon?'
for l in open(log):
    if l.startswith('SYSCALL') and 'sys_mmap' in l and 'Success' in l:
        args = l.split('( ')[1].split(' )')[0].split(', ')
        res = int(re.search(r'Success\((0x[0-9a-f]+)\)', l).group(1), 16)
        ln = int(args[1], 0); fd = int(args[4], 0)
        maps.append((res, res + ((ln + 4095) & ~4095), 'anon' if fd in (4294967295, -1) else 'file'))
        continue
    m = re.match(r'^(?:I | ([LSM])) +([0-9a-f]+),', l)
    if not m: continue
    a = int(m.group(2), 16) >> 12
    w = m.group(1) in ('S', 'M')
    if a not in first: first[a] = (kind_of(a << 12), w)
    if w: written.add(a)
pages = {'file': 0, 'anon': 0, 'stack': 0, 'brk': 0, 'anon?': 0}
windows = set(); est = 0; dbl = 0
for p, (k, w) in first.items():
    pages[k] += 1
    if k == 'file':
        windows.add(p >> 4)
        if p in written: est += 1      # COW of a private file page
    else:
        est += 1
        if p in written and not w: est += 1; dbl += 1
est += len(windows)
print('pages touched by kind', pages, 'file 64K windows', len(windows),
      'anon read-then-write pages', dbl, 'estimated host faults', est)
