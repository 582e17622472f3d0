#!/usr/bin/env node
// Concurrent SSE client for the Switchboard benchmark. Node 20, no dependencies.
//
//   node bench/sse-client.js --url http://127.0.0.1:18080/bench/v1/chat/completions \
//        --key sk-... --streams 8 --ttft 200 --chunks 50 --gap 20 --timeout 60 \
//        [--ramp-ms 0] [--label gateway] [--format openai|anthropic]
//
// --format anthropic sends an Anthropic Messages request (x-api-key, max_tokens) instead of an OpenAI
// chat request: for the fake upstream's /direct/v1/messages, the baseline of the converted vendor.
// The parameters also go into the model name (`bench-model+ttft200+chunks50+gap20`), which the
// gateway's Anthropic conversion keeps while it drops unknown fields and headers.
//
// Opens --streams concurrent streaming chat requests (all started within --ramp-ms), each asking
// the fake upstream for --ttft ms to the first chunk, --chunks chunks, --gap ms between them
// (sent both as body fields and as x-bench-* headers, so the request shape is the same through the
// gateway, which does not forward unknown headers, and direct). Measures per stream: time from
// sending the request to the first `data:` event (TTFT), the largest gap between consecutive
// `data:` events, and whether the stream ended with `data: [DONE]` (intact). The whole run is cut
// off after --timeout seconds; unfinished streams count as not intact.
// Prints one JSON object on stdout.
'use strict';
const http = require('node:http');

function arg(name, dflt) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}
const url = new URL(arg('url', 'http://127.0.0.1:19101/direct/v1/chat/completions'));
const key = arg('key', 'none');
const streams = Number(arg('streams', '8'));
const ttft = Number(arg('ttft', '200'));
const chunks = Number(arg('chunks', '50'));
const gap = Number(arg('gap', '20'));
const timeoutS = Number(arg('timeout', '60'));
const rampMs = Number(arg('ramp-ms', '0'));
const label = arg('label', url.pathname);
const format = arg('format', 'openai');

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256 });
const model = `bench-model+ttft${ttft}+chunks${chunks}+gap${gap}`;
const body = Buffer.from(JSON.stringify(format === 'anthropic'
  ? { model, max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'benchmark' }] }
  : { model, stream: true, messages: [{ role: 'user', content: 'benchmark' }],
    bench_ttft_ms: ttft, bench_chunks: chunks, bench_gap_ms: gap }));
const authHeaders = format === 'anthropic'
  ? { 'x-api-key': key, 'anthropic-version': '2023-06-01' } : { authorization: 'Bearer ' + key };

const results = [];
let open = 0, peakOpen = 0;
const t0 = process.hrtime.bigint();
const nowMs = () => Number(process.hrtime.bigint() - t0) / 1e6;

function one(idx) {
  return new Promise((resolve) => {
    const r = { idx, status: 0, ttftMs: null, maxGapMs: 0, events: 0, intact: false, error: null };
    const start = nowMs();
    let last = null, buf = '', settled = false;
    const settle = () => { if (!settled) { settled = true; results.push(r); resolve(); } };
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent,
      headers: {
        'content-type': 'application/json', 'content-length': body.length,
        ...authHeaders, accept: 'text/event-stream',
        'x-bench-ttft-ms': String(ttft), 'x-bench-chunks': String(chunks), 'x-bench-gap-ms': String(gap),
      },
    }, (res) => {
      r.status = res.statusCode;
      if (res.statusCode !== 200) {   // name the error (e.g. "status 504 upstream_connect_timeout")
        let eb = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { if (eb.length < 4096) eb += d; });
        res.on('end', () => {
          let code = '';
          try { const j = JSON.parse(eb); code = (j.error && (j.error.code || j.error.type)) || ''; } catch { /* not JSON */ }
          r.error = ('status ' + res.statusCode + ' ' + code).trim();
          settle();
        });
        return;
      }
      open++;
      if (open > peakOpen) peakOpen = open;
      res.setEncoding('utf8');
      res.on('data', (d) => {
        buf += d;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).replace(/\r$/, '');
          buf = buf.slice(nl + 1);
          if (!line.startsWith('data:')) continue;
          const t = nowMs();
          if (r.ttftMs === null) r.ttftMs = t - start;
          else r.maxGapMs = Math.max(r.maxGapMs, t - last);
          last = t;
          r.events++;
          const data = line.slice(5).trim();
          // OpenAI streams end with [DONE]; Anthropic ones (direct) with the message_stop event.
          if (data === '[DONE]' || data.startsWith('{"type":"message_stop"')) r.intact = true;
        }
      });
      res.on('end', () => { open--; settle(); });
      res.on('error', (e) => { open--; r.error = String(e.code || e.message); settle(); });
      res.on('aborted', () => { r.error = r.error || 'aborted'; });
    });
    req.on('error', (e) => { r.error = String(e.code || e.message); settle(); });
    req.setTimeout(timeoutS * 1000, () => { r.error = 'timeout'; req.destroy(); });
    req.end(body);
  });
}

function pct(sorted, p) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[i] * 100) / 100;
}

async function main() {
  const all = [];
  for (let i = 0; i < streams; i++) {
    const delay = streams > 1 ? (rampMs * i) / (streams - 1) : 0;
    all.push(new Promise((res) => setTimeout(() => one(i).then(res), delay)));
  }
  const deadline = new Promise((res) => setTimeout(res, timeoutS * 1000 + 2000));
  await Promise.race([Promise.all(all), deadline]);
  const ttfts = results.filter((r) => r.ttftMs !== null).map((r) => r.ttftMs).sort((a, b) => a - b);
  const gaps = results.map((r) => r.maxGapMs).sort((a, b) => a - b);
  const errors = {};
  for (const r of results) {
    const k = r.error ? r.error : r.status !== 200 ? 'status ' + r.status : r.intact ? null : 'no [DONE]';
    if (k) errors[k] = (errors[k] || 0) + 1;
  }
  const out = {
    label, streams, ttft, chunks, gap, rampMs, finished: results.length, intact: results.filter((r) => r.intact).length,
    peakOpen, ttftP50Ms: pct(ttfts, 50), ttftP99Ms: pct(ttfts, 99),
    ttftMaxMs: pct(ttfts, 100), maxGapMs: gaps.length ? Math.round(gaps[gaps.length - 1] * 100) / 100 : null,
    gapP99Ms: pct(gaps, 99), expectedEvents: format === 'anthropic' ? chunks + 5 : chunks + 2, format,
    events: results.reduce((a, r) => a + r.events, 0), wallMs: Math.round(nowMs()), errors,
  };
  // Per-stream figures for small runs, so several rounds can be merged into one distribution.
  if (streams <= 100) { out.ttftsMs = ttfts; out.maxGapsMs = gaps; }
  process.stdout.write(JSON.stringify(out) + '\n');
  agent.destroy();
  process.exit(0);
}
main();
