// A server that accepts connections and never answers: what a test stuck on a live socket
// waits for. Everything it opens is closed by closeAll(), so a test process can still exit.
import net from 'node:net';

const sockets = new Set();
const server = net.createServer((socket) => sockets.add(socket));
server.unref();

/** Starts the silent server. */
export async function startServer() {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

/** Waits for a reply that never comes. */
export async function readReply() {
  const socket = net.connect(server.address().port, '127.0.0.1');
  sockets.add(socket);
  await new Promise((resolve) => socket.once('data', resolve)); // stuck
}

/** A client call: awaits the reply. */
export async function fetchUser() {
  await readReply(); // stuck
}

/** Closes the server and every socket. */
export function closeAll() {
  for (const socket of sockets) socket.destroy();
  server.close();
}
