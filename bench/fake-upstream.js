#!/usr/bin/env node
// Fake OpenAI-compatible upstream for the Switchboard benchmark. Node 20, no dependencies.
//
//   node bench/fake-upstream.js --port 19101 [--token bench-token] [--h2-port 19102]
//
// Listens on 127.0.0.1 only, HTTP/1.1 on --port and, with --h2-port, HTTP/2 over cleartext with prior
// knowledge (h2c, what a gateway platform with "http2": true speaks to an http:// base URL) on that port;
// both answer the same requests the same way, and count into the same stats. Two paths answer identically:
//   POST /v1/chat/completions         the gateway's upstream (baseUrl http://127.0.0.1:PORT/v1)
//   POST /direct/v1/chat/completions  the "direct" target the benchmark compares against
// Non-streaming: a fixed small chat.completion JSON.
// Streaming ("stream":true in the body): SSE; time-to-first-token, chunk count and inter-chunk
// gap come from headers x-bench-ttft-ms / x-bench-chunks / x-bench-gap-ms, or body fields
// bench_ttft_ms / bench_chunks / bench_gap_ms (headers win), then `data: [DONE]`.
// The model name may carry them too (`bench-model+ttft200+chunks50+gap20`): the gateway's Anthropic
// conversion forwards neither unknown body fields nor x-bench-* headers, but it keeps the model.
// On /v1 the Authorization header must be `Bearer <token>` (proves the gateway swapped in the
// pool token); otherwise 401.
// Anthropic Messages (WIRE-FORMATS.md §2): POST /v1/messages (the gateway's `anthropic` platform,
// baseUrl http://127.0.0.1:PORT/v1; `x-api-key: <token>` required) and /direct/v1/messages. Non-streaming:
// a fixed small Message. Streaming: message_start, content_block_start and the first
// content_block_delta at ttft, one content_block_delta per gap, then content_block_stop,
// message_delta and message_stop, each with its `event:` name, as the real API sends them.
// GET /stats -> {"gateway":n,"direct":n,"streams":n,"openStreams":n,"peakOpenStreams":n,...,
//   "h2Sessions":n (h2c connections accepted), "h2Streams":n (requests that came over them)}
'use strict';
const http = require('node:http');
const http2 = require('node:http2');

function arg(name, dflt) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}
const PORT = Number(arg('port', '19101'));
const TOKEN = arg('token', 'bench-token');
const H2_PORT = arg('h2-port', null);

const COMPLETION = Buffer.from(JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 1700000000, model: 'bench-model',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the fake upstream.' },
    finish_reason: 'stop' }],
  usage: { prompt_tokens: 9, completion_tokens: 6, total_tokens: 15 },
}));
const UNAUTH = Buffer.from(JSON.stringify({ error: { message: 'bad token', type: 'invalid_request_error',
  param: null, code: 'invalid_api_key' } }));

function chunk(i, last) {
  const delta = last ? {} : { content: i === 0 ? 'tok0' : ' tok' + i };
  if (i === 0) delta.role = 'assistant';
  return 'data: ' + JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk',
    created: 1700000000, model: 'bench-model',
    choices: [{ index: 0, delta, finish_reason: last ? 'stop' : null }] }) + '\n\n';
}

const MESSAGE = Buffer.from(JSON.stringify({
  id: 'msg_bench', type: 'message', role: 'assistant', model: 'bench-model',
  content: [{ type: 'text', text: 'Hello from the fake upstream.' }],
  stop_reason: 'end_turn', stop_sequence: null,
  usage: { input_tokens: 9, output_tokens: 6, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
}));
const ANT_UNAUTH = Buffer.from(JSON.stringify({ type: 'error',
  error: { type: 'authentication_error', message: 'invalid x-api-key' }, request_id: 'req_bench' }));

function antEvent(type, obj) {
  return 'event: ' + type + '\ndata: ' + JSON.stringify({ type, ...obj }) + '\n\n';
}
const ANT_START = antEvent('message_start', { message: { id: 'msg_bench', type: 'message', role: 'assistant',
  model: 'bench-model', content: [], stop_reason: null, stop_sequence: null,
  usage: { input_tokens: 9, output_tokens: 1 } } }) +
  antEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
function antDelta(i) {
  return antEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text: i === 0 ? 'tok0' : ' tok' + i } });
}
function antEnd(n) {
  return antEvent('content_block_stop', { index: 0 }) +
    antEvent('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: n } }) +
    antEvent('message_stop', {});
}

// x-bench-* header, else bench_* body field, else `+ttftN+chunksN+gapN` in the model name.
function fromModel(model, key) {
  const m = typeof model === 'string' ? model.match(new RegExp('\\+' + key + '(\\d+)')) : null;
  return m ? Number(m[1]) : undefined;
}

const stats = { gateway: 0, direct: 0, streams: 0, openStreams: 0, peakOpenStreams: 0,
  unauthorized: 0, notFound: 0, aborted: 0, anthropic: 0, h2Sessions: 0, h2Streams: 0 };

function num(h, b, dflt) {
  const v = h !== undefined ? Number(h) : b !== undefined ? Number(b) : dflt;
  return Number.isFinite(v) && v >= 0 ? v : dflt;
}

function stream(req, res, body, anthropic) {
  const p = (h, b, k) => (h !== undefined ? h : b !== undefined ? b : fromModel(body.model, k));
  const ttft = num(p(req.headers['x-bench-ttft-ms'], body.bench_ttft_ms, 'ttft'), undefined, 0);
  const chunks = Math.max(1, Math.floor(num(p(req.headers['x-bench-chunks'], body.bench_chunks, 'chunks'), undefined, 10)));
  const gap = num(p(req.headers['x-bench-gap-ms'], body.bench_gap_ms, 'gap'), undefined, 0);
  stats.streams++;
  stats.openStreams++;
  if (stats.openStreams > stats.peakOpenStreams) stats.peakOpenStreams = stats.openStreams;
  let i = 0, done = false, timer = null;
  const finish = (aborted) => {
    if (done) return;
    done = true;
    stats.openStreams--;
    if (aborted) stats.aborted++;
    if (timer) clearTimeout(timer);
  };
  // HTTP/2's compatibility response has writableEnded, not writableFinished, and sends headers with writeHead.
  res.on('close', () => finish(!(res.writableFinished ?? res.writableEnded)));
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (res.flushHeaders) res.flushHeaders();
  const step = () => {
    if (done) return;
    // chunks content chunks, then one chunk with finish_reason, then [DONE]
    if (i < chunks) {
      res.write(anthropic ? (i === 0 ? ANT_START : '') + antDelta(i) : chunk(i, false));
      i++;
      timer = setTimeout(step, gap);
    } else {
      res.end(anthropic ? antEnd(i) : chunk(i, true) + 'data: [DONE]\n\n');
      finish(false);
    }
  };
  timer = setTimeout(step, ttft);
}

// One handler for both servers: node's HTTP/2 compatibility API gives the same req/res shape.
function handle(req, res) {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(stats));
    return;
  }
  const anthropic = req.url === '/v1/messages' || req.url === '/direct/v1/messages';
  const gw = req.url === '/v1/chat/completions' || req.url === '/v1/messages';
  const direct = req.url === '/direct/v1/chat/completions' || req.url === '/direct/v1/messages';
  if (req.method !== 'POST' || (!gw && !direct)) {
    stats.notFound++;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}');
    return;
  }
  const parts = [];
  req.on('data', (d) => parts.push(d));
  req.on('end', () => {
    if (gw) stats.gateway++; else stats.direct++;
    if (req.httpVersionMajor === 2) stats.h2Streams++;
    if (anthropic) stats.anthropic++;
    if (gw && (anthropic ? req.headers['x-api-key'] !== TOKEN : req.headers.authorization !== 'Bearer ' + TOKEN)) {
      stats.unauthorized++;
      const b = anthropic ? ANT_UNAUTH : UNAUTH;
      res.writeHead(401, { 'content-type': 'application/json', 'content-length': b.length });
      res.end(b);
      return;
    }
    const raw = Buffer.concat(parts);
    let body = {};
    // Cheap check first: most benchmark bodies are tiny, but only parse when streaming may be asked.
    if (raw.includes('"stream"')) {
      try { body = JSON.parse(raw.toString('utf8')); } catch { body = {}; }
    }
    if (body.stream === true) {
      stream(req, res, body, anthropic);
    } else {
      const b = anthropic ? MESSAGE : COMPLETION;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': b.length });
      res.end(b);
    }
  });
}

const server = http.createServer(handle);
server.keepAliveTimeout = 120000;
server.headersTimeout = 125000;
server.requestTimeout = 0;
server.maxConnections = 20000;
// Backlog 4096 (the kernel's somaxconn here): 9,000 streams opened within seconds must not be
// refused by the fake itself.
server.listen(PORT, '127.0.0.1', 4096, () => {
  process.stdout.write(`fake-upstream listening on http://127.0.0.1:${PORT} pid ${process.pid}\n`);
});

// h2c: every gateway stream to an http2 platform is a stream on one connection, so the limits that matter
// are per session. The defaults would stop the bench long before the gateway: node announces and enforces
// 100 concurrent streams per session (peerMaxConcurrentStreams / settings.maxConcurrentStreams) and refuses
// new streams once a session buffers 10 MB (maxSessionMemory); 10,000 streams of a few hundred bytes each
// in flight need more.
let h2server = null;
if (H2_PORT !== null) {
  h2server = http2.createServer({
    settings: { maxConcurrentStreams: 100000 },
    maxSessionMemory: 1000,
    peerMaxConcurrentStreams: 100000,
  }, handle);
  // The connection-level receive window starts at 65,535 bytes (RFC 9113 section 6.9.2) for the requests' bodies
  // of every stream together; open it wide so thousands of requests arriving at once never wait for it.
  h2server.on('session', (session) => {
    stats.h2Sessions++;
    session.on('connect', () => session.setLocalWindowSize(64 * 1024 * 1024));
  });
  h2server.listen(Number(H2_PORT), '127.0.0.1', 4096, () => {
    process.stdout.write(`fake-upstream listening for h2c on http://127.0.0.1:${H2_PORT}\n`);
  });
}
const stop = () => {
  server.close(); server.closeAllConnections();
  if (h2server) h2server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
