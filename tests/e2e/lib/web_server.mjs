// A tiny HTTP server on 127.0.0.1 for the web pages tests visit.
import { createServer } from 'node:http';

/** Serves `pages` ({path: html}) on an ephemeral loopback port. */
export async function serve(pages) {
  const server = createServer((request, response) => {
    const html = pages[new URL(request.url, 'http://x').pathname];
    response.writeHead(html === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html ?? 'not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}
