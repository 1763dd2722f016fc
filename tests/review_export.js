// Runs a review page's own script under node, with the marks in STATE.json as the browser's
// local storage would hold them, presses Export and prints the file it would download. Only
// the page's data element and the storage are real; every other part of the browser is a
// stand-in that accepts any call.
//
//   node tests/review_export.js PAGE.html STATE.json > exported.csv
'use strict';
const fs = require('fs');
const vm = require('vm');

const [page, statePath] = process.argv.slice(2);
const html = fs.readFileSync(page, 'utf8');
const dataText = html.match(/<script[^>]*id="review-data"[^>]*>([\s\S]*?)<\/script>/)[1];
const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
const state = fs.readFileSync(statePath, 'utf8');

function standIn() {
  const f = function () { return standIn(); };
  return new Proxy(f, {
    get(target, key) {
      if (key === Symbol.toPrimitive) return () => '';
      if (key === 'length') return 0;
      return standIn();
    },
    set() { return true; },
    apply() { return standIn(); },
  });
}

const listeners = {};
let exported = null;
const document = {
  documentElement: standIn(),
  body: standIn(),
  createElement: () => standIn(),
  querySelector: () => standIn(),
  querySelectorAll: () => [],
  addEventListener: () => {},
  getElementById(id) {
    if (id === 'review-data') return { textContent: dataText };
    const element = standIn();
    return new Proxy(element, {
      get(target, key) {
        if (key === 'addEventListener') return (type, fn) => { listeners[id + ':' + type] = fn; };
        return target[key];
      },
    });
  },
};
const storage = { getItem: () => state, setItem: () => {} };
const context = {
  document,
  window: { localStorage: storage, addEventListener: () => {}, scrollTo: () => {} },
  localStorage: storage,
  performance: { now: () => 0 },
  Blob: function (parts) { exported = parts.join(''); },
  URL: { createObjectURL: () => 'blob:', revokeObjectURL: () => {} },
  setTimeout: () => 0,
  requestAnimationFrame: () => 0,
  console,
};
context.window.document = document;
vm.createContext(context);
for (const s of scripts) vm.runInContext(s, context);
listeners['export:click']();
process.stdout.write(exported);
