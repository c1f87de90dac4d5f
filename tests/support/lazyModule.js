"use strict";
/**
 * A stand-in for a module that loads it on first use: for the moduleNameMapper entries in
 * jest.config.js (lazyTypescript.js, lazyArborist.js), modules the Pulumi SDK imports at the top but
 * needs only to serialize a function, which few test files do; and, through `deferRequires`, for the
 * child processes the suites start (lazySdkModules.js, azuriteProcess.js).
 *
 * With `esModule`, `__esModule` reads true without loading: TypeScript's `__importStar` then keeps the
 * stand-in instead of copying every export, which would load the module at once. `loadedKey` reads
 * whether the module has been loaded (for the tests beside this file).
 *
 * Plain JavaScript: jest loads it untransformed.
 */
function lazyModule(load, { esModule = false, loadedKey } = {}) {
  let loaded;
  const real = () => (loaded ??= load());
  return new Proxy(
    {},
    {
      get: (_target, key) => {
        if (loadedKey !== undefined && key === loadedKey) return loaded !== undefined;
        if (esModule && key === "__esModule") return true;
        return real()[key];
      },
      has: (_target, key) => key in real(),
      ownKeys: () => Reflect.ownKeys(real()),
      getOwnPropertyDescriptor: (_target, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
}

/**
 * Node's own loader, patched so that a request `choose(request, parent)` answers with options for
 * (`{}` or `{ esModule: true }`) is given a stand-in that loads it, as Node would have, on first use.
 * Only for plain Node processes: jest's module registry does not go through `Module._load`.
 */
function deferRequires(choose) {
  const Module = require("node:module");
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    const options = choose(request, parent);
    if (!options) return load.call(this, request, parent, isMain);
    return lazyModule(() => load.call(this, request, parent, isMain), options);
  };
}

module.exports = { deferRequires, lazyModule };
