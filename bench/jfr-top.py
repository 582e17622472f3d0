#!/usr/bin/env python3
"""Summarises the CPU samples of a JFR recording (jdk.ExecutionSample): hottest frames by self time, and
the share of samples whose stack passes through each method of the gateway (dev.switchboard) and a few
named library methods (inclusive). Usage: python3 bench/jfr-top.py FILE.jfr [TOP]"""
import collections, json, subprocess, sys

path = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
raw = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample", "--stack-depth", "64", path],
                     check=True, capture_output=True, text=True).stdout
events = json.loads(raw)["recording"]["events"]
self_c, incl = collections.Counter(), collections.Counter()
threads = collections.Counter()
for e in events:
    frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
    names = [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"] for f in frames]
    if not names:
        continue
    self_c[names[0]] += 1
    t = e["values"].get("sampledThread") or {}
    tn = (t.get("javaName") or t.get("osName") or "?").rstrip("0123456789-")
    threads[tn] += 1
    for n in set(names):
        incl[n] += 1
n = sum(self_c.values())
print(f"{n} samples")
print("\nby thread (name without number):")
for k, v in threads.most_common(8):
    print(f"  {100*v/n:5.1f}%  {k}")
print(f"\ntop {top} self:")
for k, v in self_c.most_common(top):
    print(f"  {100*v/n:5.1f}%  {k}")
print(f"\ntop {top} inclusive, gateway and chosen library methods:")
keep = ("dev.switchboard", "AccessLogValve", "com.fasterxml.jackson.databind.ObjectMapper.readTree",
        "com.fasterxml.jackson.databind.ObjectMapper.writeValueAsBytes", "org.apache.logging.log4j",
        "java.lang.String.format", "java.security.MessageDigest")
for k, v in [kv for kv in incl.most_common() if any(s in kv[0] for s in keep)][:top]:
    print(f"  {100*v/n:5.1f}%  {k}")
