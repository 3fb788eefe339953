// A lean gRPC load generator in its own process (plain JavaScript, nothing else loaded), so that
// `npm run bench -- serve` measures the server, not the client's heap or transpiler: unary
// GetAvailableRunner calls on one HTTP/2 connection, `streams` at a time, for `ms` milliseconds.
// Usage: node bench/lean-grpc-load.mjs URL STREAMS MS ID...   → prints one JSON line.
import { connect } from 'node:http2';

const [url, streamsText, msText, ...ids] = process.argv.slice(2);
const session = connect(url);

/** GetAvailableRunnerRequest { runner_id = 1; view = 2 (FULL) }, framed with its 5-byte prefix. */
function frame(id) {
  const bytes = Buffer.from(id, 'utf8');
  const message = Buffer.concat([Buffer.from([0x0a, bytes.length]), bytes, Buffer.from([0x10, 2])]);
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}
const frames = ids.map(frame);

function call(body) {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': '/coreweave.sandbox.v1beta2.DiscoveryService/GetAvailableRunner', 'content-type': 'application/grpc', te: 'trailers' });
    let status;
    stream.on('trailers', (t) => (status = t['grpc-status']));
    stream.on('data', () => {});
    stream.on('end', () => (status === '0' ? resolve() : reject(new Error(`grpc-status ${status}`))));
    stream.on('error', reject);
    stream.end(body);
  });
}

const streams = Number(streamsText);
const ms = Number(msText);
let k = 0;
const warm = performance.now() + 300;
await Promise.all(Array.from({ length: streams }, async () => {
  while (performance.now() < warm) await call(frames[k++ % frames.length]);
}));
const latencies = [];
const start = performance.now();
const end = start + ms;
await Promise.all(Array.from({ length: streams }, async () => {
  while (performance.now() < end) {
    const t = performance.now();
    await call(frames[k++ % frames.length]);
    latencies.push(performance.now() - t);
  }
}));
const elapsed = performance.now() - start;
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
console.log(JSON.stringify({ perSecond: latencies.length / (elapsed / 1000), p50: at(0.5), p99: at(0.99) }));
session.close();
