// @ts-check
/**
 * Promise.withResolvers (ES2024) for Node 20, which PostGraphile 5 calls; loaded with `-r` before
 * anything else in the PostGraphile peer. A no-op on Node 22 and later.
 */
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers() {
      /** @type {(value: unknown) => void} */ let resolve = () => {};
      /** @type {(reason?: unknown) => void} */ let reject = () => {};
      const promise = new this((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
