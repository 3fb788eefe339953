// The ceiling of this machine for unary gRPC over HTTP/2 in Node: a bare server that answers
// every stream with one fixed gRPC message and grpc-status 0, doing nothing else. The serve
// benchmark measures it with the same lean client, so capmatch's figures have a reference.
import { createServer } from 'node:http2';

const reply = Buffer.from([0, 0, 0, 0, 2, 0x0a, 0]);
const server = createServer();
server.on('stream', (stream) => {
  stream.on('data', () => {});
  stream.on('end', () => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto' }, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(reply);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
