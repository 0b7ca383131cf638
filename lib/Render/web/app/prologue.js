// prologue.js - Opens the front end's function and reads the widget spec
//
// lib/Render/web/app/*.js are one script, mav-render's HTML front end, cut
// along its seams. lib/Render/CMakeLists.txt concatenates them in a fixed
// order (see there) and embeds the result as the page's script (getAppScript). They
// share one function scope, opened here and closed by epilogue.js, so a
// file is not valid JavaScript on its own; functions declared in a later
// file are callable from an earlier one (declarations are hoisted).
//
// mav-render's HTML front end: draws the widget spec (docs/Widget.md) of the
// page with plotly.js and keeps its panels in step, without a kernel:
//   - clicking a node (main graph) or a table row selects the node: it is
//     centred, outlined, and its row highlighted and scrolled into view;
//   - panning/zooming the main graph moves the overview window and the
//     slider, and scrolls the table to the first visible node;
//   - clicking the overview or moving the slider moves the main view;
//   - the dropdown restyles the main graph's nodes and redraws the overview;
//   - the search box highlights the nodes whose name or operation matches
//     as the user types, and steps through them (Enter, Shift+Enter);
//   - the legend says what the colours mean and highlights an operation;
//   - the toolbar exports the whole graph as SVG or PNG.
// Text from the model reaches the page only through textContent and Plotly's
// escaped labels; nothing is assigned to innerHTML. The hover text and the
// table's counts come composed in the spec (docs/Widget.md): the rules that
// write them live in C++ only (RenderModel), shared with --plotly-json.
(function () {
  'use strict';

  // Marks for utils/bench-page.js (time to interactive, by phase).
  function mark(name) {
    if (window.performance && performance.mark) performance.mark(name);
  }
  mark('mav-start');
  var app = document.getElementById('mav-app');

  function fail(message) {
    var box = document.createElement('div');
    box.className = 'mav-error';
    box.textContent = message;
    app.textContent = '';
    app.appendChild(box);
  }

  var spec = JSON.parse(document.getElementById('mav-spec').textContent);
  mark('mav-spec-parsed');
  if (spec.version !== 3) {
    fail('Unsupported widget spec version ' + spec.version + '.');
    return;
  }

  var nodes = spec.nodes;  // columns: nodes.name[i], nodes.x[i]...
  var count = nodes.name.length;
  var levelAxis = spec.levelAxis; // 'y' (levels run down/up) or 'x'
  var crossAxis = levelAxis === 'y' ? 'x' : 'y';
  var NODE_TRACE = 1;     // main graph: [edges, nodes]
  var state = { selected: -1, menu: spec.menu.active, programmatic: 0,
                searchQuery: '', searchMatches: [], searchPos: -1,
                highlighted: [], legendEntry: -1 };

  // Without plotly.js (a default page opened with no network) the table
  // still needs nothing else: show it, under the reason the graph is missing.
  if (typeof Plotly === 'undefined') {
    showTableOnly('plotly.js could not be loaded, so the graph is not ' +
                  'shown. This page loads it from a CDN; render it with ' +
                  '`mav-render --html --offline` to view it without a ' +
                  'network connection.');
    return;
  }
