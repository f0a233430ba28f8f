// Preloaded (`node --import`) into MCP servers the tests start: a server that listens on a bare
// port (every interface, as npm's server-everything does) listens on 127.0.0.1 only, so a test
// never opens a port to the network.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const bare = (typeof args[0] === 'number' || typeof args[0] === 'string') && typeof args[1] !== 'string';
  if (bare) return listen.call(this, Number(args[0]), '127.0.0.1', ...args.slice(1));
  return listen.apply(this, args);
};
