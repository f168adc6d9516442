// How to read the generated tables, and what issue 6 changed with this bench's evidence. Static text: it names
// no figure of a run, so it stays true whatever the run measured.

export const READING = [
  '## Reading the results',
  '',
  '- **Per document, the gateway does much more than its baselines.** Beyond parsing (all the bare Fastify ' +
    "route does) it validates against the schema, stamps `_meta` (UUIDv7, receive time) into the sender's text, " +
    'extracts the key, builds a Kafka record with six headers, encodes and sends it (CRC-32C native, from the ' +
    "client's optional @node-rs/crc32), waits for the acks=all answer and counts metrics. The bare producers " +
    'skip everything before the record. ' +
    "`npm run bench -- --profile single` (or `websocket`) prints where the gateway's CPU goes.",
  '- **The broker shares the two cores.** Every gateway document also costs broker CPU (the broker cores ' +
    'column); the bare Fastify route costs the broker nothing, so on a bigger machine, or with Kafka elsewhere, ' +
    'the webhook ratio improves.',
  '- **Other users of the machine** took the cores in the last column while each system was measured; ' +
    'the load average above says how busy it was. Rounds are interleaved so bursts hit gateway and baselines ' +
    'alike; per-core figures (docs/s per core) move less than raw throughput.',
  '- **CPU µs per document is the figure to judge by.** Since issue 17 the load generator runs in its own ' +
    'process (bench/clients/load.ts) pinned to core 0 and the system under test to core 1 with `taskset` ' +
    '(the broker is unpinned). On a machine shared with other work, a pinned process cannot move away from a ' +
    "busy core, so its throughput and latency move with the other users' load; the CPU it spends per " +
    'document moves much less, and the per-core target is computed from it.',
  '- **Closed-loop load.** Scenario 1 keeps a fixed number of requests in flight, so latency there is queueing ' +
    '(connections / throughput); the latency curve uses fixed rates instead and is the one to read for latency.',
  "- **What the latency tail is made of here.** A diagnosis run (stop 29; the gateway's lean webhook path " +
    'instrumented by hand, not committed, paced load at 1,000 and 4,000 webhooks/s, 11 s per step) found the ' +
    "gateway's own time from request to answer at p50 1.9-3.2 ms and p99 11-27 ms. Its parts: reading the body " +
    'p99 0.1 ms; its V8 GC pauses 1.7 ms on average, none over 10 ms; its produce calls (acks=all) 60-96% under ' +
    "2 ms but 0.4-2.6% over 10 ms, at 1,000/s as at 4,000/s. Moving the broker to the generator's core " +
    '(`TRIBUTARY_BENCH_CURVE_BROKER_CPU=0`) cut the time the gateway waited for its CPU from 89-131 to 30-57 ms per ' +
    'second but left the p99 the paced client saw at 20-30 ms; the broker on ZGC instead of G1 changed nothing. So on two cores ' +
    "shared by broker, generator and gateway the p99 is the broker's and the scheduler's tail; the curve's " +
    'produce-call and CPU-wait columns show it per step.',
  '',
  '### Made faster with this bench (issue 6)',
  '',
  '- UUIDv7 from pooled randomness (src/document/meta.ts): 2.3 -> 0.35 µs per document; uuid drew 16 bytes ' +
    "through crypto.getRandomValues on every call, 3% (single POSTs) to 4.7% (NDJSON) of the gateway's CPU.",
  '- Access log: the `req.headers[...]` redact paths matched nothing (the `req` serializer emits no headers) ' +
    'yet cost 5 µs per request: 10.3 -> 5.4 µs for the two lines (src/ops/logger.ts).',
  '- Start-up: the schema cache key (canonical JSON + SHA-256) and the unknown-keyword/format walks are computed ' +
    'once per parsed schema object, not once per collection: `tributary check` of the 1,000-binding catalog ' +
    'went from 10.5 to 4.9 s of CPU. Then the walks for external references and for prototype property names ' +
    '(twice per collection over the 630 KB schema) once per schema object too, and Sets for the keyword tests: ' +
    '9.6-11.0 -> 5.7-6.8 s of CPU for `check`, spawn to /healthz of `serve` 10.4-11.6 -> 5.9-6.4 s ' +
    '(before/after alternating, stop 25, a day this shared machine ran ~2x slower); .json schema files read by ' +
    "JSON.parse, the YAML parser only placing problems (GitHub's schema 500 -> 15 ms). Then ajv's inlineRefs: 8 " +
    "(src/validate/compiler.ts): only small $ref targets are inlined, so GitHub's shared definitions are compiled " +
    'once each instead of at every use: its schema compiles in ~0.4 instead of ~1.0 s cold, its first document in ' +
    '60 instead of 250 ms, and its accepted examples validate in ~250 instead of ~315 µs each; with ioredis ' +
    'imported only when Redis is configured and literal paths no longer compared pairwise for overlaps, spawn to ' +
    '/readyz of the 1,000-binding catalog went 3.33 -> 2.59 s and 309 -> 248 MiB (stop 27, bench `--only ' +
    "catalog` before and after, one run each). What is left is mostly the module graph (~1 s; @platformatic/kafka's " +
    "import alone ~0.45 s), the catalog's YAML (~0.3 s for 220 KB) and ajv.",
  '- Kafka client: `@platformatic/kafka` (pure JavaScript) replaced kafkajs as the default producer: as a bare ' +
    "producer it spends ~5 µs of CPU per document against kafkajs's 15-19 µs; the gateway's documents per core " +
    'with each client are in the client table. The fault drills (docs/reliability.md) pass with it. librdkafka ' +
    '(@confluentinc/kafka-javascript) was +14-24% over kafkajs in an earlier run but needs a native build that ' +
    'a fresh clone cannot do here.',
  '- Access log: Fastify wrote two lines per request, each its own write(2) on an idle stream; now one line, ' +
    'buffered (4 KiB / 100 ms), and by default only for answers >= 400 (`--access-log`). In a profile at 4,000 ' +
    "webhooks/s the line was 6.5% of the gateway's busy CPU; the one-round table below is within its noise.",
  '- Schema patterns: simple anchored patterns that a backtracking engine provably matches in linear time run ' +
    "on V8's RegExp instead of re2js (3% of the CPU per webhook, 5.7% per WebSocket document on this schema).",
  '- JSON bounds: depth is judged by a bracket count and the number range on the parsed value (Infinity), after ' +
    'JSON.parse, so the per-character scan runs only when those find something; before, it cost 4.7% per ' +
    'WebSocket document, and 13% once an NDJSON frame was scanned whole before being tried as one JSON value.',
  '- Issue 17 (in-process A/B of the webhook path through Fastify with a sink that answers at once, base and ' +
    'branch builds loaded side by side, alternating bursts, paired medians; the full-process figures on this ' +
    'shared machine moved by ±20-40% between identical runs, more than any single change): per-binding metric ' +
    'tallies folded in at scrape time instead of four label-hashing prom-client inc() per request, callback ' +
    'hooks instead of async ones, `_meta` JSON from a per-payload template, record headers built without a ' +
    'spread and header names encoded once: 3-5% per single-document POST, 4% per document of NDJSON of 100; ' +
    'the raw document text as a symbol property instead of a WeakMap entry: 4-13% more per NDJSON document.',
  "- Issue 17, lean webhook path (routes/ingest-http.ts): POSTs to bindings answered from Node's request " +
    "event, without Fastify's routing, Request/Reply objects, child logger, hooks (CORS, closing, under-pressure, " +
    'metrics, 100-continue) and reply serialisation; Fastify keeps everything else and the POSTs the lean path ' +
    'declines (allowedOrigins, Expect: 100-continue, draining, under pressure, a trusted proxy). In-process A/B ' +
    '(one process pinned to core 1 holding the gateway with `leanWebhooks` on, the gateway with it off and a bare ' +
    'Fastify route, a sink that answers at once, autocannon pinned to core 0 with 32 connections, bursts ' +
    'alternated, paired medians): at load average 4.2, 71.2 µs of CPU per request on the lean path against 90.4 ' +
    'through the Fastify route (-21%; 8,414 against 5,384 requests/s), bare Fastify 47.0: bare Fastify over the ' +
    'gateway per core 0.65x on the lean path, 0.49x through the Fastify route (0.68-0.69x and 0.53-0.58x in runs ' +
    'at load average 5.7-7.4). No Kafka client in these figures: with it the ratio is lower (the fixed-rate ' +
    'rows). Script: bench/webhook-ab.mjs; `TRIBUTARY_LEAN_WEBHOOKS=false` ' +
    'turns it off for A/B runs.',
  '- Issue 17, WebSocket frames (src/decode/frame.ts): a frame is NDJSON when its first line is a JSON value by ' +
    'itself (then it cannot be one JSON value), instead of trying the whole frame as JSON first. That failed ' +
    'JSON.parse cost ~33 µs on a fresh 100 KB string (7 µs when V8 sees the same string again, which is why a ' +
    'loop over one string hides it): decodeFrame of a frame of 100 bench documents 408-410 -> 373-377 µs ' +
    '(-8%, in-process, alternating, 3 rounds), ~0.35 µs of the ~32 µs per WebSocket document. Answers and ' +
    'error codes are unchanged (test/decode/frame.test.ts passes on both).',
  '- Issue 17, Kafka client (src/kafka/producer-platformatic.ts): records reach @platformatic/kafka with their ' +
    'headers as a Map whose per-catalog values (media type, capture, binding) are encoded once, not as an object ' +
    'the client turns into a Map and encodes value by value. Where the client spends per record (its build ' +
    'and batch encoding of 357 bench records, in process): no headers 2.0 µs, the six headers 5.25 (lz4 on ' +
    'top: 8.1), so headers are most of it; this change 4.49 -> 4.07 µs uncompressed, 6.15 -> 5.64 with lz4. ' +
    'bench/batch-ab.mjs, the whole accept path, paired medians: 0.95-0.97x per document.',
  '- Issue 17, partitioner (src/kafka/murmur2.ts): the Java-compatible murmur2 in 32-bit integer arithmetic ' +
    "(Math.imul) instead of the client's BigInt one, same partition for every key (tested against it and " +
    "Kafka's own test vectors). A perf profile of the gateway at 2,000 webhooks/s put the client's at ~1 µs per " +
    'record; bench/batch-ab.mjs, paired medians per document: 0.95x for NDJSON frames of 100 (19.53 -> 18.85 ' +
    'µs), 0.96x for frames of one. Content-Type answers are cached (bounded): 56-180 -> 7 ns per request.',
  "- Measured and not kept (issue 17): a fast-accept regular expression in front of ajv-formats' `uri` " +
    '(309 -> 274 ns per URL, 11%, ~0.2% of a WebSocket document); `--max-semi-space-size=64` (WebSocket ' +
    'frames of 100, 2 alternating runs each: 29.5k/32.9k docs/s without, 31.2k/33.0k with: within the spread); ' +
    "Node's module compile cache for start-up (6 alternating starts each: median 2.28 s without, 2.34 s with). " +
    'Codecs per bench document in process (357 records): snappy 1.06 µs, lz4 1.65, zstd level 1 1.97 ' +
    '(half the bytes of lz4), gzip level 1 3.40; the default stays lz4 (the compression table).',
  '- Kept after measuring: `--linger-ms 2`. 0 and 2 measure alike within the spread of repeated rounds (0 ' +
    'sometimes a little ahead, with smaller batches and more CPU per document); 5 and 10 cost throughput at a ' +
    'fixed number of senders (see the linger table).',
  '',
];
