// A lean gRPC load generator in its own process (plain JavaScript, nothing else loaded), so that
// `npm run bench -- serve` measures the server, not the client's heap or transpiler: unary calls
// on one HTTP/2 connection, `streams` at a time, for `ms` milliseconds.
//
//   node bench/lean-grpc-load.mjs URL STREAMS MS unary PATH FRAME_BASE64...
//   node bench/lean-grpc-load.mjs URL STREAMS MS reserve-release FRAME_BASE64...
//
// "reserve-release" sends a Reserve (each base64 value an encoded SandboxRequest, given a fresh
// sandbox_id per call), reads the lease id from the response, and releases it: one pair per
// iteration. Prints one JSON line.
import { connect } from 'node:http2';

const [url, streamsText, msText, mode, ...rest] = process.argv.slice(2);
const session = connect(url);
const path = mode === 'unary' ? rest.shift() : undefined;
const frames = rest.map((b) => Buffer.from(b, 'base64'));

function call(p, body) {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': p, 'content-type': 'application/grpc', te: 'trailers' });
    const chunks = [];
    let status;
    stream.on('trailers', (t) => (status = t['grpc-status']));
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => (status === '0' ? resolve(Buffer.concat(chunks)) : reject(new Error(`${p}: grpc-status ${status}`))));
    stream.on('error', reject);
    stream.end(body);
  });
}

/** Reads a varint at `at`: [value, next offset]. */
function varint(buf, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buf[at++];
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, at];
    shift += 7;
  }
}

/** ReserveResponse { Lease lease = 1 { string lease_id = 1 } } → the lease id, or undefined (a rejection). */
function leaseIdOf(frame) {
  const body = frame.subarray(5);
  if (body[0] !== 0x0a) return undefined;
  const [, leaseAt] = varint(body, 1);
  if (body[leaseAt] !== 0x0a) return undefined;
  const [length, at] = varint(body, leaseAt + 1);
  return body.subarray(at, at + length);
}

function encodeVarint(n) {
  const out = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** A length-delimited field. */
function field(tag, bytes) {
  return Buffer.concat([Buffer.from([tag]), encodeVarint(bytes.length), bytes]);
}

function framed(message) {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

let sandbox = 0;
/** ReserveRequest { SandboxRequest request = 1; string sandbox_id = 2 } with a fresh sandbox id. */
function reserveFrame(request) {
  return framed(Buffer.concat([field(0x0a, request), field(0x12, Buffer.from(`s${process.pid}-${sandbox++}`))]));
}

/** ReleaseRequest { string lease_id = 1 }. */
function releaseFrame(leaseId) {
  return framed(field(0x0a, leaseId));
}

let k = 0;
const one =
  mode === 'unary'
    ? () => call(path, frames[k++ % frames.length])
    : async () => {
        const leaseId = leaseIdOf(await call('/capmatch.v1.PlacementService/Reserve', reserveFrame(frames[k++ % frames.length])));
        if (leaseId) await call('/capmatch.v1.PlacementService/Release', releaseFrame(leaseId));
      };

const streams = Number(streamsText);
const ms = Number(msText);
const warm = performance.now() + 300;
await Promise.all(Array.from({ length: streams }, async () => {
  while (performance.now() < warm) await one();
}));
const latencies = [];
const start = performance.now();
const end = start + ms;
await Promise.all(Array.from({ length: streams }, async () => {
  while (performance.now() < end) {
    const t = performance.now();
    await one();
    latencies.push(performance.now() - t);
  }
}));
const elapsed = performance.now() - start;
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
console.log(JSON.stringify({ perSecond: latencies.length / (elapsed / 1000), p50: at(0.5), p99: at(0.99) }));
session.close();
