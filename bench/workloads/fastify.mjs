// fastify: a small fastify 5 service (logger off) with a few awaits per
// request (auth hook + data + render), on 127.0.0.1, driven by autocannon from
// a separate hook-free process for a fixed duration. Figure: requests/s.
import Fastify from 'fastify';
import { deadline, fail } from '../lib/workload.mjs';
import { drive } from '../lib/http-driver.mjs';

const W = 'fastify';
deadline(W, 45_000);

const app = Fastify({ logger: false });
const orders = new Map([[42, { id: 42, items: [{ sku: 'a', qty: 2 }, { sku: 'b', qty: 1 }] }]]);

async function fetchOrder(id) {
  await null;
  return orders.get(id);
}

async function priceItem(item) {
  await null;
  return item.qty * 3.5;
}

app.addHook('onRequest', async (req) => {
  await null;
  req.tenant = 'bench';
});

app.get('/orders/:id', async (req, reply) => {
  const order = await fetchOrder(Number(req.params.id));
  if (!order) return reply.code(404).send({ error: 'not found' });
  const prices = await Promise.all(order.items.map(priceItem));
  const total = prices.reduce((a, b) => a + b, 0);
  return { id: order.id, tenant: req.tenant, total };
});

try {
  await app.listen({ port: 0, host: '127.0.0.1' });
  await drive(W, { port: app.server.address().port, path: '/orders/42' });
} catch (err) {
  fail(W, err);
} finally {
  await app.close();
}
