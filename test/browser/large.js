// Drives the page of a large synthetic graph (thousands of nodes) in Debian's
// chromium: it must load without errors, draw every node (WebGL in the main
// graph, a canvas in the overview), and keep the virtual table (only the
// rows in view exist), selection, panning and search working.
//   node test/browser/large.js PAGE.html SCREENSHOT.png FIGURE.json
// FIGURE.json is the `--plotly-json` figure of the same model: the page's
// hover text and table cells must be the ones C++ wrote there.
// Prints one `PASS: ...` line per check and the time to interactive
// (informational: speed is measured by benchmarks, not asserted here).
'use strict';

const path = require('path');
const { runBrowserTest, openPage, defineNodeList, compareTextWithFigure,
        clickTableRow, check } = require('./browser');

const [pagePath, screenshot, figurePath] = process.argv.slice(2);
if (!pagePath || !screenshot || !figurePath) {
  console.error('usage: node large.js PAGE.html SCREENSHOT.png FIGURE.json');
  process.exit(2);
}

runBrowserTest(async (browser) => {
  const problems = [];
  const page = await openPage(browser, problems, /*offline=*/false);
  const start = Date.now();
  await page.goto('file://' + path.resolve(pagePath));
  await page.waitForFunction(() => window.mavApp !== undefined);
  await page.evaluate(() => window.mavApp.ready);
  console.log('interactive after ' + (Date.now() - start) + ' ms');
  await defineNodeList(page);

  const info = await page.evaluate(() => {
    const app = window.mavApp;
    // The node trace is the one with a point per node (the other holds
    // the edges of small graphs).
    const count = window.mavNodes.length;
    const isNodes = (t) => t.mode && t.mode.includes('markers') &&
                           t.x && t.x.length === count;
    const mainNodes = app.main.data.find(isNodes);
    return {
      nodes: window.mavNodes.length,
      mainType: mainNodes && mainNodes.type,
      mainPoints: mainNodes && mainNodes.x.length,
      overviewPoints: app.state.overview.nodes,
      rendered: document.querySelectorAll('#mav-table tbody tr[data-node]').length,
    };
  });
  check(problems.length === 0, 'large page loads without console errors', problems);
  check(info.nodes >= 5000, 'spec holds every node', info);
  check(info.mainType === 'scattergl', 'main node trace uses WebGL', info);
  check(info.mainPoints === info.nodes && info.overviewPoints === info.nodes,
        'main graph and overview carry every node', info);
  check(info.rendered > 0 && info.rendered < 200,
        'table renders only the rows in view', info);

  // Scrolling through the table shows a row for every node, in order.
  const table = await page.evaluate(() => {
    const app = window.mavApp;
    const seen = new Uint8Array(window.mavNodes.length);
    let wrong = 0;
    for (let top = 0; ; top += app.table.clientHeight / 2) {
      app.table.scrollTop = top;
      app.table.dispatchEvent(new Event('scroll'));
      for (const row of app.table.querySelectorAll('tbody tr[data-node]')) {
        const i = Number(row.dataset.node);
        seen[i] = 1;
        if (row.cells[0].textContent !== window.mavNodes[i].name) wrong++;
      }
      if (top >= app.table.scrollHeight) break;
    }
    return { missing: seen.filter((s) => !s).length, wrong };
  });
  check(table.missing === 0 && table.wrong === 0, 'table has one row per node', table);
  const text = await compareTextWithFigure(page, figurePath);
  check(text.nodes === text.figureNodes && text.hoverDiffs === 0 &&
        text.cellDiffs === 0 && text.unseen === 0,
        'hover text and table cells are the portable figure\'s', text);

  // Clicking a node far down highlights its row and scrolls it into view.
  const nodeIndex = Math.floor(info.nodes * 0.6);
  await page.evaluate((i) => {
    const app = window.mavApp;
    const n = window.mavNodes[i];
    const v = app.getMainView();
    const w = v.x[1] - v.x[0], h = v.y[1] - v.y[0];
    return app.setMainView({ x: [n.x - w / 2, n.x + w / 2], y: [n.y - h / 2, n.y + h / 2] });
  }, nodeIndex);
  const point = await page.evaluate((i) => {
    const app = window.mavApp;
    const n = window.mavNodes[i];
    const layout = app.main._fullLayout;
    const box = app.main.getBoundingClientRect();
    return { x: box.left + layout._size.l + layout.xaxis.d2p(n.x),
             y: box.top + layout._size.t + layout.yaxis.d2p(n.y) };
  }, nodeIndex);
  await page.mouse.click(point.x, point.y);
  await page.waitForFunction((i) => window.mavApp.state.selected === i, nodeIndex);
  const clicked = await page.evaluate((i) => {
    const app = window.mavApp;
    const row = app.table.querySelector('tbody tr.mav-selected');
    const rowBox = row && row.getBoundingClientRect();
    const tableBox = app.table.getBoundingClientRect();
    const header = app.table.querySelector('thead').offsetHeight;
    return { row: row && Number(row.dataset.node), scroll: app.table.scrollTop,
             inView: !!row && rowBox.top >= tableBox.top + header - 1 &&
                     rowBox.bottom <= tableBox.bottom + 1 };
  }, nodeIndex);
  check(clicked.row === nodeIndex && clicked.inView,
        'clicking a node far down highlights its row and scrolls it into view', clicked);

  // Panning the main graph scrolls the table to the first visible node.
  const panned = await page.evaluate(async () => {
    const app = window.mavApp;
    const v = app.getMainView();
    const shift = (v.y[1] - v.y[0]) * 3;
    app.setMainView({ x: v.x, y: [v.y[0] + shift, v.y[1] + shift] });
    // A pan by the user ends in plotly_relayout, which the page follows.
    await new Promise((r) => setTimeout(r, 300));
    window.Plotly.relayout(app.main, { 'yaxis.range': app.main.layout.yaxis.range.slice() });
    await new Promise((r) => setTimeout(r, 300));
    const view = app.getMainView();
    const first = window.mavNodes.findIndex((n) =>
      n.x >= view.x[0] && n.x <= view.x[1] && n.y >= view.y[0] && n.y <= view.y[1]);
    const row = app.table.querySelector(`tbody tr[data-node="${first}"]`);
    const header = app.table.querySelector('thead').offsetHeight;
    return { first, scroll: app.table.scrollTop,
             expected: row ? Math.max(0, row.offsetTop - header) : null };
  });
  check(panned.first > 0 && panned.expected !== null &&
        Math.abs(panned.scroll - panned.expected) <= 1,
        'panning scrolls the table to the first visible node', panned);

  // The edges are drawn on the page's own canvas under the WebGL nodes,
  // for the view the main graph shows now: the canvas is inked halfway
  // along edge segments in view, and blank in the margin.
  const edges = await page.evaluate(async () => {
    const app = window.mavApp, spec = app.spec, nodes = window.mavNodes;
    // Zoomed out three times, so that more segments are in view.
    const before = app.getMainView();
    const zoom = (r) => [(r[0] + r[1]) / 2 - 1.5 * (r[1] - r[0]),
                         (r[0] + r[1]) / 2 + 1.5 * (r[1] - r[0])];
    await app.setMainView({ x: zoom(before.x), y: zoom(before.y) });
    const layout = app.main._fullLayout, view = app.getMainView();
    const canvas = app.main.querySelector('canvas.mav-edge-canvas');
    const drawn = app.state.edgeCanvas;
    if (!canvas || !drawn) return { canvas: !!canvas, drawn };
    const ratio = canvas.width / app.main.clientWidth;
    const context = canvas.getContext('2d');
    const inked = (px, py) => {
      const data = context.getImageData(Math.round(px * ratio) - 1,
                                        Math.round(py * ratio) - 1, 3, 3).data;
      for (let k = 3; k < data.length; k += 4) if (data[k] > 0) return true;
      return false;
    };
    const inView = (n) => n.x >= view.x[0] && n.x <= view.x[1] &&
                          n.y >= view.y[0] && n.y <= view.y[1];
    // Segments that are not vertical (the residual chain is one vertical
    // line, which a canvas mirrored upside down would still ink).
    let tried = 0, hit = 0, bend = 0;
    for (let j = 0; j < spec.edges.source.length && tried < 20; j++) {
      const points = [nodes[spec.edges.source[j]]];
      for (let k = 0; k < spec.edges.bends[j]; k++, bend++)
        points.push({ x: spec.edges.bendX[bend], y: spec.edges.bendY[bend] });
      points.push(nodes[spec.edges.target[j]]);
      for (let k = 1; k < points.length && tried < 20; k++) {
        const a = points[k - 1], b = points[k];
        if (a.x === b.x || !inView(a) || !inView(b)) continue;
        tried++;
        const x = (a.x + b.x) / 2, y = (a.y + b.y) / 2;
        if (inked(layout._size.l + layout.xaxis.d2p(x), layout._size.t + layout.yaxis.d2p(y)))
          hit++;
      }
    }
    return {
      canvas: true, tried, hit, edges: drawn.edges, specEdges: spec.edges.source.length,
      followsView: JSON.stringify(drawn.x) === JSON.stringify(layout.xaxis.range) &&
                   JSON.stringify(drawn.y) === JSON.stringify(layout.yaxis.range),
      margin: inked(2, 2),
      edgeTrace: app.main.data[0].x.length,
      // Moving the view raises several Plotly events; the edges are
      // drawn once for it.
      drawsPerMove: await (async () => {
        const draws = app.state.edgeCanvas.draws;
        await app.setMainView(before);
        return app.state.edgeCanvas.draws - draws;
      })(),
    };
  });
  check(edges.canvas && edges.edges === edges.specEdges && edges.followsView &&
        edges.tried >= 5 && edges.hit === edges.tried && !edges.margin &&
        edges.edgeTrace === 0 && edges.drawsPerMove === 1,
        'edges are drawn under the nodes for the current view', edges);

  // A row near the end selects its node and brings it into view.
  const rowIndex = info.nodes - 10;
  await page.evaluate(() => { window.mavApp.table.scrollTop = 1e9; });
  await clickTableRow(page, rowIndex);
  const view = await page.evaluate((i) => {
    const app = window.mavApp;
    const v = app.getMainView();
    const n = window.mavNodes[i];
    return { inside: n.y >= v.y[0] && n.y <= v.y[1], view: v, y: n.y };
  }, rowIndex);
  check(view.inside, 'clicking a row far down shows its node', view);

  // Search finds a node by name.
  const wanted = await page.evaluate(() => window.mavNodes[2500].name);
  await page.fill('.mav-search', wanted);
  await page.press('.mav-search', 'Enter');
  await page.waitForFunction(() => window.mavApp.state.selected === 2500);
  console.log('PASS: search finds a node among thousands');

  await page.screenshot({ path: screenshot });
  check(problems.length === 0, 'no console errors after interaction', problems);
});
