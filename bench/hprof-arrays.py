#!/usr/bin/env python3
# Who holds the byte[]/char[] in an HPROF heap dump (from BENCH_HEAPDUMP): sums arrays >= 1 KiB by
# owner chain and length. Usage: python3 bench/hprof-arrays.py dump.hprof
import mmap, struct, sys
from collections import defaultdict

f = open(sys.argv[1], 'rb'); m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
nul = m.find(b'\0'); idsz = struct.unpack('>I', m[nul+1:nul+5])[0]; pos = nul + 13
assert idsz == 8
U8 = struct.Struct('>Q'); U4 = struct.Struct('>I'); U2 = struct.Struct('>H')
TSZ = {2: 8, 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8}
strings = {}; classname = {}; cdump = {}  # class id -> (super, [field types])
prim = {}   # id -> (type, length)
inst = []   # (id, class, offset, nbytes)
objarr = [] # (id, class, offset, n)
end = len(m)
while pos < end:
    tag = m[pos]; ln = U4.unpack_from(m, pos + 5)[0]; body = pos + 9; pos = body + ln
    if tag == 0x01:
        strings[U8.unpack_from(m, body)[0]] = m[body+8:body+ln].decode('utf8', 'replace')
    elif tag == 0x02:
        classname[U8.unpack_from(m, body+4)[0]] = U8.unpack_from(m, body+16)[0]
    elif tag in (0x0C, 0x1C):
        p = body; e = body + ln
        while p < e:
            st = m[p]; p += 1
            if st == 0xFF or st == 0x05 or st == 0x07: p += 8
            elif st == 0x01: p += 16
            elif st in (0x02, 0x03, 0x08): p += 16
            elif st in (0x04, 0x06): p += 12
            elif st == 0x20:
                cid = U8.unpack_from(m, p)[0]; sup = U8.unpack_from(m, p+12)[0]; p += 8+4+8*6+4
                n = U2.unpack_from(m, p)[0]; p += 2
                for _ in range(n):
                    t = m[p+2]; p += 3 + TSZ[t]
                n = U2.unpack_from(m, p)[0]; p += 2
                for _ in range(n):
                    t = m[p+8]; p += 9 + TSZ[t]
                n = U2.unpack_from(m, p)[0]; p += 2
                fields = []
                for _ in range(n):
                    fields.append(m[p+8]); p += 9
                cdump[cid] = (sup, fields)
            elif st == 0x21:
                oid = U8.unpack_from(m, p)[0]; cid = U8.unpack_from(m, p+12)[0]; nb = U4.unpack_from(m, p+20)[0]
                inst.append((oid, cid, p+24, nb)); p += 24 + nb
            elif st == 0x22:
                oid = U8.unpack_from(m, p)[0]; n = U4.unpack_from(m, p+12)[0]; cid = U8.unpack_from(m, p+16)[0]
                objarr.append((oid, cid, p+24, n)); p += 24 + 8*n
            elif st == 0x23:
                oid = U8.unpack_from(m, p)[0]; n = U4.unpack_from(m, p+12)[0]; t = m[p+16]
                prim[oid] = (t, n); p += 17 + n*TSZ[t]
            else:
                raise SystemExit('unknown subtag %x at %d' % (st, p))

def cname(cid):
    return strings.get(classname.get(cid), hex(cid)).replace('/', '.')

layout = {}
def fields_of(cid):
    if cid in layout: return layout[cid]
    out = []; c = cid
    while c and c in cdump:
        out.extend(cdump[c][1]); c = cdump[c][0]
    layout[cid] = out; return out

owner = {}; kind = {}
for oid, cid, off, nb in inst:
    kind[oid] = cname(cid); p = off
    for t in fields_of(cid):
        if t == 2:
            r = U8.unpack_from(m, p)[0]
            if r and r not in owner: owner[r] = oid
        p += TSZ[t]
for oid, cid, off, n in objarr:
    kind[oid] = cname(cid) + '[]'
    for i in range(n):
        r = U8.unpack_from(m, off + 8*i)[0]
        if r and r not in owner: owner[r] = oid

SKIP = ('java.nio.HeapByteBuffer', 'java.nio.HeapCharBuffer', '[L', 'java.lang.Object[]')
agg = defaultdict(lambda: [0, 0])
for oid, (t, n) in prim.items():
    if t not in (5, 8): continue
    size = n * TSZ[t]
    if size < 1024: continue
    chain = []; o = owner.get(oid); depth = 0
    while o is not None and depth < 3:
        k = kind.get(o, '?'); chain.append(k.rsplit('.', 1)[-1])
        if not (k.startswith(SKIP) or k.endswith('[]')): depth += 1
        o = owner.get(o)
        if len(chain) > 6: break
    key = ('byte' if t == 8 else 'char') + '[%d] <- ' % n + ' <- '.join(chain)
    agg[key][0] += 1; agg[key][1] += size
tot = sum(v[1] for v in agg.values())
print('arrays >= 1 KiB: %.1f MiB total' % (tot / 2**20))
for k, (c, s) in sorted(agg.items(), key=lambda kv: -kv[1][1])[:25]:
    print('%8.1f MiB %6d  %s' % (s / 2**20, c, k))
