// An HTTP/2 TLS server (HTTP/1.1 allowed) for the HTTP client's tests: every
// answer is the HTTP version the request came in, or a short stream.
// Usage: node h2_server.js CERT KEY PORT_FILE
const fs = require('fs');
const http2 = require('http2');

const [cert, key, portFile] = process.argv.slice(2);
const server = http2.createSecureServer(
    {cert: fs.readFileSync(cert), key: fs.readFileSync(key), allowHTTP1: true}, (req, res) => {
      if (req.url.startsWith('/stream')) {
        let i = 0;
        const timer = setInterval(() => {
          res.write(`line ${i}\n`);
          if (++i === 3) {
            clearInterval(timer);
            res.end();
          }
        }, 50);
        return;
      }
      let length = 0;
      req.on('data', (chunk) => { length += chunk.length; });
      req.on('end', () => res.end(`${req.httpVersion} ${req.method} ${length}`));
    });
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portFile + '.tmp', String(server.address().port));
  fs.renameSync(portFile + '.tmp', portFile);
});
