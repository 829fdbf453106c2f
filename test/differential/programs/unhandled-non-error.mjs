// exit: 1
// An unhandled rejection with a value that is not an Error: Node's ERR_UNHANDLED_REJECTION.
Promise.reject({ code: 'PLAIN_OBJECT' });
