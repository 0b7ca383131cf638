// build.js - bundle entry.js (plotly.js core + scattergl) into one minified
// script that defines the global `Plotly`, for mav-render --html.
//
// Usage: node build.js [outfile [metafile]]
//   outfile defaults to dist/plotly-mav.min.js; metafile, if given, receives
//   esbuild's JSON list of inputs (test/licenses.js reads it).
//
// Why each option is here:
//  - format iife + globalName: the page loads the file with a plain <script>
//    (inline or src=), so a top-level `var Plotly` is all it needs.
//  - define global -> globalThis: a few CommonJS dependencies (has-hover,
//    typedarray-pool, native-promise-only) read the Node-style free variable
//    `global`, which browsers do not have.
//  - `buffer` resolves to the `buffer` npm package (pinned in package.json):
//    typedarray-pool, pulled in by gl-text, requires Node's 'buffer'. This is
//    the same polyfill plotly's own webpack build gets from
//    node-polyfill-webpack-plugin.
//  - stripAttributeMeta: plotly's dist bundles drop the attribute
//    documentation strings (description, requiredOpts, otherOpts, hrName)
//    that only Plotly.PlotSchema needs; this plugin does the same for files
//    under plotly.js/src, which shrinks the bundle noticeably. It finds the
//    properties with acorn (not with regexes over the text), so a string or
//    comment that merely looks like one is never touched.
//  - dropMaplibreCss: see below; keeps the output a single .js file.
//  - legalComments 'eof': keeps the third-party /*! ... */ and @license
//    comments, gathered at the end of the file.
//  - charset left at esbuild's default (ASCII with escapes) so the file can be
//    inlined into a page whatever its encoding.
//  - No sourcemap and no timestamps or paths in the output: it must be the same
//    bytes on every machine.
'use strict';

const path = require('path');
const fs = require('fs');
const acorn = require('acorn');
const esbuild = require('esbuild');

const outfile = path.resolve(process.argv[2] || 'dist/plotly-mav.min.js');
const metafile = process.argv[3] ? path.resolve(process.argv[3]) : null;
const plotlyVersion = require('plotly.js/package.json').version;
const esbuildVersion = require('esbuild/package.json').version;

// Attribute properties that only document the schema (Plotly.PlotSchema);
// nothing at run time reads them except to build other descriptions.
const META_KEYS = new Set(['description', 'requiredOpts', 'otherOpts', 'hrName']);

/// Returns `text` with every `key: value` property of an object literal whose
/// key is in META_KEYS removed, together with the comma after it.
function stripMeta(text) {
  const ast = acorn.parse(text, {ecmaVersion: 'latest', sourceType: 'script'});
  const cuts = [];
  (function walk(node) {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node.type !== 'string') return;
    if (node.type === 'ObjectExpression') {
      for (const p of node.properties) {
        if (p.type !== 'Property' || p.computed || p.kind !== 'init' ||
            p.method || p.shorthand)
          continue;
        const name = p.key.type === 'Identifier' ? p.key.name : p.key.value;
        if (!META_KEYS.has(name)) continue;
        // Take the comma that follows, if any, so the list stays valid. A
        // comment between value and comma leaves a double comma, which
        // esbuild then rejects: the build fails instead of going wrong.
        const m = /^\s*,/.exec(text.slice(p.end));
        cuts.push([p.start, p.end + (m ? m[0].length : 0)]);
      }
    }
    for (const k of Object.keys(node))
      if (k !== 'type' && node[k] && typeof node[k] === 'object') walk(node[k]);
  })(ast);
  // Splice the cuts out in order; one nested inside a property that is
  // already removed is skipped.
  cuts.sort((a, b) => a[0] - b[0]);
  let out = '', at = 0;
  for (const [s, e] of cuts) {
    if (s < at) continue;  // inside a property already removed
    out += text.slice(at, s);
    at = e;
  }
  return out + text.slice(at);
}

const stripAttributeMeta = {
  name: 'strip-attribute-meta',
  setup(build) {
    const srcFilter = /[\\/]node_modules[\\/]plotly\.js[\\/]src[\\/].*\.js$/;
    build.onLoad({filter: srcFilter}, async (args) => {
      const text = await fs.promises.readFile(args.path, 'utf8');
      return {contents: stripMeta(text), loader: 'js'};
    });
  },
};

// plotly.js/src/registry.js requires maplibre-gl's stylesheet when the 'map'
// subplot is registered (webpack's style-loader turns it into a <style>).
// This bundle never registers 'map', so the require is dead code; left alone,
// esbuild would still write a separate .css file beside the bundle.
const dropMaplibreCss = {
  name: 'drop-maplibre-css',
  setup(build) {
    build.onResolve({filter: /^maplibre-gl\/dist\/maplibre-gl\.css$/},
                    (args) => ({path: args.path, namespace: 'empty-css'}));
    build.onLoad({filter: /.*/, namespace: 'empty-css'},
                 () => ({contents: '', loader: 'js'}));
  },
};

const banner = [
  '/**',
  '* plotly.js v' + plotlyVersion + ' partial bundle: core (scatter) + scattergl',
  '* Copyright 2012-2024, Plotly, Inc.',
  '* All rights reserved.',
  '* Licensed under the MIT license',
  '* Built for mav with esbuild ' + esbuildVersion +
      ' from the npm packages pinned in package-lock.json',
  '*/',
].join('\n');

esbuild.build({
  absWorkingDir: __dirname,
  entryPoints: ['entry.js'],
  outfile,
  bundle: true,
  format: 'iife',
  globalName: 'Plotly',
  platform: 'browser',
  target: 'es2017',
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  define: {
    'global': 'globalThis',
    'process.env.NODE_ENV': '"production"',
  },
  banner: {js: banner},
  plugins: [stripAttributeMeta, dropMaplibreCss],
  metafile: !!metafile,
  logLevel: 'warning',
}).then((result) => {
  if (metafile) fs.writeFileSync(metafile, JSON.stringify(result.metafile));
  const size = fs.statSync(outfile).size;
  console.log(path.relative(process.cwd(), outfile) + ': ' + size + ' bytes');
}).catch(() => process.exit(1));
