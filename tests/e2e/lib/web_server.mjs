// A tiny HTTP server on 127.0.0.1 for the web pages tests visit.
import { createServer } from 'node:http';

/** Serves `pages` on an ephemeral loopback port: {path: html}, or {path: {type, body}} for
 *  anything else (an image's bytes as a Buffer). `host` 127.0.0.2 is a site Lantern has no
 *  host access to (its permission names 127.0.0.1 and localhost only). */
export async function serve(pages, host = '127.0.0.1') {
  const server = createServer((request, response) => {
    const page = pages[new URL(request.url, 'http://x').pathname];
    const { type, body } = typeof page === 'object' && page !== null
      ? page
      : { type: 'text/html; charset=utf-8', body: page };
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': type });
    response.end(body ?? 'not found');
  });
  await new Promise((resolve) => server.listen(0, host, resolve));
  const { port } = server.address();
  return { origin: `http://${host}:${port}`, close: () => new Promise((r) => server.close(r)) };
}
