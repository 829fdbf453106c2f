// exit: 0
// Promise.all, allSettled, any (with an AggregateError), race: values and order.
const delay = (ms, v, fail) => new Promise((ok, no) => setTimeout(() => (fail ? no(new Error(v)) : ok(v)), ms));
console.log(JSON.stringify(await Promise.all([delay(3, 'a'), 'b', delay(1, 'c')])));
console.log(JSON.stringify((await Promise.allSettled([delay(1, 'x', true), delay(2, 'y')])).map((s) => s.status + ':' + (s.value ?? s.reason.message))));
try { await Promise.any([delay(1, 'p', true), delay(2, 'q', true)]); } catch (e) { console.log(e.constructor.name, e.errors.map((x) => x.message).join(',')); }
console.log(await Promise.race([delay(5, 'slow'), delay(1, 'fast')]));
console.log(await Promise.all([]), JSON.stringify(await Promise.allSettled([])));
