#!/usr/bin/env node
// Turns the JSON files bench/run.sh leaves in its temp directory into one Markdown table.
//   node bench/report.js --dir DIR --date D --commit C --machine M --mode full|smoke
//        [--tomcat DESCRIPTION] [--long-counts "2000 9000"] [--h2-counts "10000"] [--long-only 0|1]
// Exits 3 when a functional check fails (errors, broken streams, missing pool token); never on a timing.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function arg(name, dflt) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}
const dir = arg('dir', '.');
const load = (n) => JSON.parse(fs.readFileSync(path.join(dir, n + '.json'), 'utf8'));
const longOnly = arg('long-only', '0') === '1';
// The JVM the gateway runs in: Tomcat (default) or Jetty (BENCH_CONTAINER=jetty).
const C = arg('container', 'Tomcat');
const longCounts = arg('long-counts', '').split(/\s+/).filter(Boolean);
const h2Counts = arg('h2-counts', '').split(/\s+/).filter(Boolean);

// The short-stream test runs in rounds (streams_direct_1.json, ...): merge them into one distribution.
function pct(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
function merged(prefix) {
  const files = fs.readdirSync(dir).filter((n) => n.startsWith(prefix + '_') && n.endsWith('.json')).sort();
  const runs = files.map((n) => JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')));
  const ttfts = runs.flatMap((r) => r.ttftsMs).sort((a, b) => a - b);
  const gaps = runs.flatMap((r) => r.maxGapsMs).sort((a, b) => a - b);
  const roundP99 = runs.map((r) => r.ttftP99Ms);
  return { ...runs[0], rounds: runs.length, streams: runs[0].streams, total: ttfts.length,
    intact: runs.reduce((a, r) => a + r.intact, 0), events: runs.reduce((a, r) => a + r.events, 0),
    ttftP50Ms: pct(ttfts, 50), ttftP99Ms: pct(ttfts, 99), maxGapMs: gaps[gaps.length - 1], roundP99 };
}
const up = load('upstream_stats');

const f = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : Number(x).toFixed(d));
const rps = (w) => w.requests / (w.durationUs / 1e6);
const ms = (us) => us / 1000;
const cpuUs = (ticks, hz, n) => (n > 0 ? (ticks * 1e6) / hz / n : null);
const errs = (w) => w.non2xx + w.connectErr + w.readErr + w.writeErr + w.timeoutErr;
const signed = (x, d = 2) => (x === null ? 'n/a' : (x >= 0 ? '+' : '') + Number(x).toFixed(d));

const rows = [];
const row = (measure, direct, gateway, cmp) => rows.push(`| ${measure} | ${direct} | ${gateway} | ${cmp} |`);
const sanity = [];
let sd = null;

if (!longOnly) {
  const td = load('tput_direct'), tg = load('tput_gateway');
  const ld = load('lat_direct'), lg = load('lat_gateway');
  sd = merged('streams_direct'); const sg = merged('streams_gateway');
  row('non-streaming throughput, 64 conn (req/s)', f(rps(td), 0), f(rps(tg), 0), `${f(rps(tg) / rps(td))}× direct`);
  row('  requests / errors (non-2xx + socket)', `${td.requests} / ${errs(td)}`, `${tg.requests} / ${errs(tg)}`, '');
  row('  latency p50 / p99 at 64 conn (ms)', `${f(ms(td.p50Us))} / ${f(ms(td.p99Us))}`,
    `${f(ms(tg.p50Us))} / ${f(ms(tg.p99Us))}`, '');
  row('CPU per request at 64 conn (µs)', `${f(cpuUs(td.upstreamCpuTicks, td.clkTck, td.requests), 0)} (fake upstream)`,
    `${f(cpuUs(tg.tomcatCpuTicks, tg.clkTck, tg.requests), 0)} (${C} JVM)`, 'target ≤ 100 µs');
  row('CPU per request on 1 conn (µs)', `${f(cpuUs(ld.upstreamCpuTicks, ld.clkTck, ld.requests), 0)} (fake upstream)`,
    `${f(cpuUs(lg.tomcatCpuTicks, lg.clkTck, lg.requests), 0)} (${C} JVM)`, '');
  if (tg.mavenCpuTicks > 0) {
    row('  harness: Maven JVM relaying Tomcat stdout (µs/req)', '', f(cpuUs(tg.mavenCpuTicks, tg.clkTck, tg.requests), 0),
      'not gateway cost, but shares the 2 cores');
  }
  for (const [p, k] of [['p50', 'p50Us'], ['p90', 'p90Us'], ['p99', 'p99Us']]) {
    row(`latency, 1 conn, ${p} (ms)`, f(ms(ld[k]), 3), f(ms(lg[k]), 3), `${signed(ms(lg[k] - ld[k]), 3)} ms added`);
  }
  row('  requests / errors, 1 conn', `${ld.requests} / ${errs(ld)}`, `${lg.requests} / ${errs(lg)}`, '');
  const rs = (x) => x.roundP99.map((v) => f(v, 0)).join(', ');
  row(`TTFT p50, ${sd.streams} streams × ${sd.rounds} rounds (ms)`, f(sd.ttftP50Ms), f(sg.ttftP50Ms), `${signed(sg.ttftP50Ms - sd.ttftP50Ms)} ms added`);
  row(`TTFT p99, ${sd.streams} streams × ${sd.rounds} rounds (ms)`, f(sd.ttftP99Ms), f(sg.ttftP99Ms), `${signed(sg.ttftP99Ms - sd.ttftP99Ms)} ms added`);
  row(`  TTFT p99 of each round (ms)`, rs(sd), rs(sg), 'spread = noise');
  row(`largest inter-chunk gap, ${sd.streams} streams × ${sd.rounds} rounds (ms)`, f(sd.maxGapMs), f(sg.maxGapMs),
    `upstream sends every ${sd.gap} ms`);
  row(`  intact / events`, `${sd.intact}/${sd.total} / ${sd.events}`, `${sg.intact}/${sg.total} / ${sg.events}`,
    `expected ${sd.expectedEvents} events each`);

  // The converted vendor (an `anthropic` platform), next to pass-through. Direct = the same fake upstream
  // spoken to in Anthropic Messages.
  const ad = merged('antstreams_direct'), ag = merged('antstreams_gateway');
  const atd = load('ant_tput_direct'), atg = load('ant_tput_gateway');
  const cpuPass = cpuUs(tg.tomcatCpuTicks, tg.clkTck, tg.requests);
  const cpuAnt = cpuUs(atg.tomcatCpuTicks, atg.clkTck, atg.requests);
  row('**anthropic (converted)**: throughput, 64 conn (req/s)', f(rps(atd), 0), f(rps(atg), 0),
    `${f(rps(atg) / rps(atd))}× direct (pass-through: ${f(rps(tg) / rps(td))}×)`);
  row('  requests / errors (non-2xx + socket)', `${atd.requests} / ${errs(atd)}`, `${atg.requests} / ${errs(atg)}`, '');
  row('  latency p50 / p99 at 64 conn (ms)', `${f(ms(atd.p50Us))} / ${f(ms(atd.p99Us))}`,
    `${f(ms(atg.p50Us))} / ${f(ms(atg.p99Us))}`, '');
  row('  CPU per request at 64 conn (µs)', `${f(cpuUs(atd.upstreamCpuTicks, atd.clkTck, atd.requests), 0)} (fake upstream)`,
    `${f(cpuAnt, 0)} (${C} JVM)`, `${f(cpuAnt / cpuPass)}× pass-through; target ≤ 2×`);
  row(`  TTFT p50, ${ad.streams} streams × ${ad.rounds} rounds (ms)`, f(ad.ttftP50Ms), f(ag.ttftP50Ms),
    `${signed(ag.ttftP50Ms - ad.ttftP50Ms)} ms added (pass-through ${signed(sg.ttftP50Ms - sd.ttftP50Ms)})`);
  row(`  TTFT p99, ${ad.streams} streams × ${ad.rounds} rounds (ms)`, f(ad.ttftP99Ms), f(ag.ttftP99Ms),
    `${signed(ag.ttftP99Ms - ad.ttftP99Ms)} ms added (pass-through ${signed(sg.ttftP99Ms - sd.ttftP99Ms)})`);
  row(`  largest inter-chunk gap (ms)`, f(ad.maxGapMs), f(ag.maxGapMs), `upstream sends every ${ad.gap} ms`);
  row(`  intact / events`, `${ad.intact}/${ad.streams * ad.rounds} / ${ad.events}`, `${ag.intact}/${ag.streams * ag.rounds} / ${ag.events}`,
    `direct: Anthropic events (${ad.expectedEvents} each); gateway: OpenAI chunks`);

  // The floor (bench/floor/FloorProxy.java): the same load through a bare async proxy servlet on the same Tomcat and
  // HttpClient 5 setup. What the stack itself costs; the gateway's own work is the difference.
  if (fs.existsSync(path.join(dir, 'tput_floor.json'))) {
    const tf = load('tput_floor'), lf = load('lat_floor');
    const cpuFloor = cpuUs(tf.tomcatCpuTicks, tf.clkTck, tf.requests);
    row('**floor** (bare async proxy servlet, same container and HttpClient 5): throughput, 64 conn (req/s)',
      f(rps(td), 0), f(rps(tf), 0), `${f(rps(tf) / rps(td))}× direct (gateway: ${f(rps(tg) / rps(td))}×)`);
    row('  requests / errors (non-2xx + socket)', '', `${tf.requests} / ${errs(tf)} · 1 conn: ${lf.requests} / ${errs(lf)}`, '');
    row('  CPU per request at 64 conn (µs)', '', `${f(cpuFloor, 0)} (${C} JVM)`,
      `the gateway's own work: ${f(cpuPass - cpuFloor, 0)} µs of its ${f(cpuPass, 0)}`);
    row('  CPU per request on 1 conn (µs)', '', f(cpuUs(lf.tomcatCpuTicks, lf.clkTck, lf.requests), 0),
      `gateway: ${f(cpuUs(lg.tomcatCpuTicks, lg.clkTck, lg.requests), 0)}`);
    row('  latency, 1 conn, p50 (ms)', f(ms(ld.p50Us), 3), f(ms(lf.p50Us), 3),
      `${signed(ms(lf.p50Us - ld.p50Us), 3)} ms added (gateway: ${signed(ms(lg.p50Us - ld.p50Us), 3)})`);
    if (errs(tf) + errs(lf) > 0) sanity.push('the floor proxy answered some requests with errors');
    // The floor relays the same short streams chunk by chunk (committing with the first, as the gateway does).
    if (fs.readdirSync(dir).some((n) => n.startsWith('streams_floor_'))) {
      const sf = merged('streams_floor');
      row(`  TTFT p50 / p99, ${sf.streams} streams × ${sf.rounds} rounds (ms)`,
        `${f(sd.ttftP50Ms)} / ${f(sd.ttftP99Ms)}`, `${f(sf.ttftP50Ms)} / ${f(sf.ttftP99Ms)}`,
        `${signed(sf.ttftP50Ms - sd.ttftP50Ms)} / ${signed(sf.ttftP99Ms - sd.ttftP99Ms)} ms added ` +
        `(gateway: ${signed(sg.ttftP50Ms - sd.ttftP50Ms)} / ${signed(sg.ttftP99Ms - sd.ttftP99Ms)})`);
      row('  largest inter-chunk gap; intact', '', `${f(sf.maxGapMs)}; ${sf.intact}/${sf.total}`, `gateway: ${f(sg.maxGapMs)}`);
      if (sf.intact !== sf.total) sanity.push('some of the floor\'s short streams were not intact');
    }
  }

  // Functional checks only (never a timing): every stream intact, every request answered 200.
  if (errs(tg) + errs(lg) > 0) sanity.push('the gateway answered some requests with errors; its throughput is not comparable');
  if (errs(atg) > 0) sanity.push('the gateway answered some anthropic requests with errors');
  if (errs(td) + errs(ld) + errs(atd) > 0) sanity.push('the fake upstream answered some direct requests with errors');
  if (sg.intact !== sg.streams * sg.rounds || sd.intact !== sd.streams * sd.rounds) sanity.push('some of the short streams were not intact');
  if (ag.intact !== ag.streams * ag.rounds || ad.intact !== ad.streams * ad.rounds) sanity.push('some of the anthropic streams were not intact');
}

let Lfirst = null;
// kind "long": HTTP/1.1 to the upstream, one connection per stream; "h2": the http2 platform, every stream
// multiplexed on h2c. Same columns; the h2 rows also say how many upstream connections carried them.
function longRows(kind, n) {
  const Ld = load(kind + '_direct_' + n), Lg = load(kind + '_gateway_' + n), Lt = load(kind + '_tomcat_' + n);
  Lfirst = Lfirst || Ld;
  const title = kind === 'h2' ? `**${n} long streams, upstream over h2c**` : `**${n} long streams**`;
  row(`${title}: intact`, `${Ld.intact}/${Ld.streams}`, `${Lg.intact}/${Lg.streams}`,
    Object.keys(Lg.errors).length ? 'gateway errors: ' + JSON.stringify(Lg.errors) : '');
  row(`  open at once (client's count)`, Ld.peakOpen, Lg.peakOpen, `upstream saw ${Lt.midOpenUpstream} open mid-run`);
  if (kind === 'h2') {
    row(`  upstream h2c connections (fake upstream's count, whole run)`, '', `${Lt.h2Sessions}`,
      'direct: one HTTP/1.1 connection per stream');
  }
  row(`  TTFT p50 / p99 (ms)`, `${f(Ld.ttftP50Ms)} / ${f(Ld.ttftP99Ms)}`, `${f(Lg.ttftP50Ms)} / ${f(Lg.ttftP99Ms)}`, '');
  row(`  largest inter-chunk gap / wall time (ms)`, `${f(Ld.maxGapMs)} / ${Ld.wallMs}`, `${f(Lg.maxGapMs)} / ${Lg.wallMs}`,
    `upstream sends every ${Ld.gap} ms`);
  row(`  ${C} threads idle → peak`, '', `${Lt.idleThreads} → ${Lt.peakThreads}`, '');
  row(`  ${C} open files, peak`, '', `${Lt.peakFds}`, 'limit 20,000 per process here');
  // No per-stream RSS figure: G1 gives memory back after the forced full GCs, so RSS moves both ways.
  row(`  ${C} RSS idle → peak (MiB)`, '', `${f(Lt.idleRssKb / 1024, 0)} → ${f(Lt.peakRssKb / 1024, 0)}`, '');
  const perStream = Lt.baseHeapKb >= 0 && Lt.midHeapKb >= 0 && Lt.midOpenUpstream > 0
    ? ((Lt.midHeapKb - Lt.baseHeapKb) / Lt.midOpenUpstream) : null;
  const base = kind === 'h2' ? 'with the HTTP/1.1 pool empty' : 'the first';
  row(`  heap after full GC: before the first step / before this step → streams open (MiB)`, '',
    Lt.baseHeapKb >= 0 ? `${f(Lt.baseHeapKb / 1024, 1)} / ${f(Lt.idleHeapKb / 1024, 1)} → ${f(Lt.midHeapKb / 1024, 1)}` : 'n/a (no jcmd)',
    perStream === null ? '' : `**${f(perStream, 1)} KB per open stream** (from ${base})`);
  if (Lg.intact !== Lg.streams || Ld.intact !== Ld.streams) sanity.push(`some of the ${n} ${kind} streams were not intact`);
}
for (const n of longCounts) longRows('long', n);
for (const n of h2Counts) longRows('h2', n);

if (up.unauthorized > 0) sanity.push(`fake upstream refused ${up.unauthorized} requests without the pool token`);
if (up.aborted > 0) sanity.push(`${up.aborted} upstream streams were closed before their end`);

const out = [];
out.push(`### ${arg('date')} · commit ${arg('commit')} · ${arg('mode')} run${longOnly ? ', long streams only' : ''}`);
out.push('');
out.push(`Machine: ${arg('machine')}.`);
out.push(`Gateway: ${arg('tomcat', 'cargo:run')}.`);
out.push(`Fake upstream requests: ${up.gateway} via the gateway, ${up.direct} direct (${up.anthropic || 0} of all in Anthropic format); ` +
  `${up.unauthorized} without the pool token; ${up.aborted} streams cut early.`);
const parts = [];
if (sd) parts.push(`${sd.rounds} rounds of ${sd.streams} concurrent, upstream ttft ${sd.ttft} ms, ${sd.chunks} chunks ${sd.gap} ms apart`);
if (Lfirst) parts.push(`long: ${[...longCounts, ...h2Counts.map((n) => n + ' over h2c')].join(', then ')} concurrent (started over 2 ms per stream), ${Lfirst.chunks} chunks ${Lfirst.gap} ms apart`);
out.push(`Streams: ${parts.join('; ')}.`);
out.push('');
out.push('| measure | direct | gateway | gateway vs direct |');
out.push('|---|---|---|---|');
out.push(...rows);
if (sanity.length) { out.push(''); for (const s of sanity) out.push(`**Check:** ${s}.`); }
process.stdout.write(out.join('\n') + '\n');
if (sanity.length) process.exitCode = 3;
