// entry.js - what mav's partial plotly.js bundle contains: plotly.js core,
// which already registers the 'scatter' trace (SVG), plus 'scattergl'
// (WebGL). build.js bundles this into the global `Plotly`.
//
// No 'use strict' here on purpose: in the entry module esbuild hoists it to
// the top of the output, which would put every bundled dependency into
// strict mode; plotly's own files carry their own directive.
var Plotly = require('plotly.js/lib/core');
Plotly.register([require('plotly.js/lib/scattergl')]);
module.exports = Plotly;
