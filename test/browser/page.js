// Drives a `mav-render --html --offline` page in Debian's chromium with
// playwright-core and checks that its panels work and stay in step:
//   node test/browser/page.js PAGE.html SCREENSHOT_DIR FIGURE.json
// FIGURE.json is the `--plotly-json` figure of the same model: the page's
// hover text and table cells must be the ones C++ wrote there.
// Prints one `PASS: ...` line per check (FileCheck'ed by page.test) and
// exits non-zero at the first failure. The model's names carry script
// injections; the page must not run them.
'use strict';

const path = require('path');
const fs = require('fs');
const { runBrowserTest, openPage, defineNodeList, compareTextWithFigure,
        clickTableRow, check } = require('./browser');

const [pagePath, shotDir, figurePath] = process.argv.slice(2);
if (!pagePath || !shotDir || !figurePath) {
  console.error('usage: node page.js PAGE.html SCREENSHOT_DIR FIGURE.json');
  process.exit(2);
}
fs.mkdirSync(shotDir, { recursive: true });

const near = (a, b, eps = 1e-6) => Math.abs(a - b) <= eps;

// In the page: whether the overview's window rectangle covers the main
// view (within a pixel), and the view it stands for.
function overviewWindowInPage() {
  const app = window.mavApp;
  const view = app.getMainView();
  const a = app.overviewPixel(view.x[0], view.y[0]);
  const b = app.overviewPixel(view.x[1], view.y[1]);
  const box = document.querySelector('#mav-overview .mav-overview-window');
  // The view as a rectangle, cut to the panel (the view may be wider).
  const w = app.overview.clientWidth, h = app.overview.clientHeight;
  const clip = (v, size) => Math.min(size, Math.max(0, v));
  const left = clip(Math.min(a[0], b[0]), w), right = clip(Math.max(a[0], b[0]), w);
  const top = clip(Math.min(a[1], b[1]), h), bottom = clip(Math.max(a[1], b[1]), h);
  const placed = Math.abs(box.offsetTop - top) <= 1 &&
                 Math.abs(box.offsetHeight - (bottom - top)) <= 1 &&
                 Math.abs(box.offsetLeft - left) <= 1 &&
                 Math.abs(box.offsetWidth - (right - left)) <= 1;
  return { placed, y: app.state.overviewWindow.y };
}

// In the page: scrolls through the whole (virtual) table and returns, per
// node, the name in its row's first cell; checks rows come in node order.
function tableRowsInPage() {
  const app = window.mavApp;
  const names = [];
  let inOrder = true;
  for (let top = 0; ; top += app.table.clientHeight / 2) {
    app.table.scrollTop = top;
    app.table.dispatchEvent(new Event('scroll'));
    let previous = -1;
    for (const row of app.table.querySelectorAll('tbody tr[data-node]')) {
      const i = Number(row.dataset.node);
      if (i <= previous) inOrder = false;
      previous = i;
      names[i] = row.cells[0].textContent;
    }
    if (top >= app.table.scrollHeight) break;
  }
  app.table.scrollTop = 0;
  app.table.dispatchEvent(new Event('scroll'));
  const missing = window.mavNodes.filter((n, i) => names[i] !== n.name).length;
  return { inOrder, missing, rendered: app.table.querySelectorAll('tbody tr[data-node]').length };
}

runBrowserTest(async (browser) => {
  const problems = [];
  const dialogs = [];
  const page = await openPage(browser, problems, /*offline=*/true);
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss();
  });

  await page.goto('file://' + path.resolve(pagePath));
  await page.waitForFunction(() => window.mavApp !== undefined);
  await page.evaluate(() => window.mavApp.ready);
  await defineNodeList(page);
  // The helper the checks below call inside the page.
  await page.evaluate(`window.overviewWindow = ${overviewWindowInPage.toString()}`);
  const shot = (name) =>
    page.screenshot({ path: path.join(shotDir, name + '.png') });
  await shot('01-loaded');

  const info = await page.evaluate(() => {
    const app = window.mavApp;
    // Every node's centre on the overview canvas is painted (not white).
    const canvas = app.overview.querySelector('canvas');
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const ratio = canvas.width / canvas.clientWidth;
    const painted = window.mavNodes.filter((n) => {
      const p = app.overviewPixel(n.x, n.y);
      const k = 4 * (Math.round(p[1] * ratio) * canvas.width + Math.round(p[0] * ratio));
      return !(pixels.data[k] === 255 && pixels.data[k + 1] === 255 && pixels.data[k + 2] === 255);
    }).length;
    return {
      nodes: window.mavNodes.length,
      points: document.querySelectorAll('#mav-main .scatterlayer .trace:nth-child(2) .point').length,
      overviewPoints: app.state.overview.nodes,
      overviewPainted: painted,
      title: document.title,
      xss: window.__mavXss,
      injected: document.querySelectorAll('#mav-table b, #mav-table img, #mav-table script').length,
    };
  });
  check(problems.length === 0, 'page loads without console errors', problems);
  check(info.points === info.nodes && info.nodes > 40,
        'main graph draws every node', info);
  check(info.overviewPoints === info.nodes && info.overviewPainted === info.nodes,
        'overview draws every node', info);
  const table = await page.evaluate(tableRowsInPage);
  check(table.missing === 0 && table.inOrder, 'table has one row per node', table);
  const text = await compareTextWithFigure(page, figurePath);
  check(text.nodes === text.figureNodes && text.hoverDiffs === 0 &&
        text.cellDiffs === 0 && text.unseen === 0,
        'hover text and table cells are the portable figure\'s', text);
  check(info.title === 'browser </script> test', 'title is the graph name as text', info.title);
  check(info.xss === undefined && info.injected === 0 && dialogs.length === 0,
        'no script or markup from the IR runs', { info, dialogs });

  // The page opens on the whole model; the checks below start from its
  // first ten levels, where a selection has room to move the view.
  await page.evaluate(() => window.mavApp.setMainView({
    x: window.mavApp.getMainView().x, y: [-0.5, 9.5] }));
  // Whether the view is centred on y along the levels, or as near as the
  // model's ends allow.
  await page.evaluate(`window.centredOn = ${function (view, y) {
    const b = window.mavApp.spec.bounds.y, eps = 1e-6;
    return Math.abs((view.y[0] + view.y[1]) / 2 - y) <= eps ||
           (Math.abs(view.y[0] - b[0]) <= eps && y < (view.y[0] + view.y[1]) / 2) ||
           (Math.abs(view.y[1] - b[1]) <= eps && y > (view.y[0] + view.y[1]) / 2);
  }.toString()}`);

  // Click a node of the main graph: selected, centred, row highlighted.
  const target = await page.evaluate(() => {
    const app = window.mavApp;
    const index = window.mavNodes.findIndex((n) => n.name === 'layer3.conv');
    const node = window.mavNodes[index];
    const layout = app.main._fullLayout;
    const box = app.main.getBoundingClientRect();
    return { index, node,
             x: box.left + layout._size.l + layout.xaxis.d2p(node.x),
             y: box.top + layout._size.t + layout.yaxis.d2p(node.y) };
  });
  const viewBeforeClick = await page.evaluate(() => window.mavApp.getMainView());
  await page.mouse.click(target.x, target.y);
  await page.waitForFunction((i) => window.mavApp.state.selected === i, target.index);
  await page.waitForTimeout(200);
  const afterClick = await page.evaluate(() => {
    const app = window.mavApp;
    const view = app.getMainView();
    const row = document.querySelector('#mav-table tbody tr.mav-selected');
    const outline = app.state.marks.outline || [];
    const rowBox = row && row.getBoundingClientRect();
    const tableBox = app.table.getBoundingClientRect();
    const header = app.table.querySelector('thead').offsetHeight;
    return { view, row: row && Number(row.dataset.node),
             centred: window.centredOn(view, window.mavNodes[app.state.selected].y),
             rowText: row && row.cells[0].textContent,
             rowInView: !!row && rowBox.top >= tableBox.top + header - 1 &&
                        rowBox.bottom <= tableBox.bottom + 1,
             outline: [outline[0], outline[1]] };
  });
  check(afterClick.row === target.index && afterClick.rowText === 'layer3.conv' &&
        afterClick.rowInView,
        'clicking a node highlights its table row', afterClick);
  // Centred along the levels only, short of the model's ends (the node was
  // on screen sideways).
  check(afterClick.centred &&
        near(afterClick.view.x[0], viewBeforeClick.x[0]) &&
        near(afterClick.view.x[1], viewBeforeClick.x[1]),
        'clicking a node centres it', afterClick.view);
  check(afterClick.outline[0] === target.node.x && afterClick.outline[1] === target.node.y,
        'clicking a node outlines it', afterClick.outline);
  await shot('02-node-clicked');

  // Click a table row far down: the node is selected and the views follow.
  const rowIndex = await page.evaluate(() =>
    window.mavNodes.findIndex((n) => n.name === 'layer22.conv'));
  await clickTableRow(page, rowIndex);
  await page.waitForTimeout(200);
  const afterRow = await page.evaluate(() => {
    const app = window.mavApp;
    const view = app.getMainView();
    const shape = overviewWindow();
    return { view, node: window.mavNodes[app.state.selected], placed: shape.placed,
             centred: window.centredOn(view, window.mavNodes[app.state.selected].y),
             shape: shape.y, slider: app.slider.range()[0],
             selectedRows: document.querySelectorAll('#mav-table tr.mav-selected').length };
  });
  check(afterRow.centred && afterRow.selectedRows === 1,
        'clicking a row selects and centres its node', afterRow);
  check(afterRow.placed && near(afterRow.shape[0], afterRow.view.y[0]) &&
        near(afterRow.shape[1], afterRow.view.y[1]),
        'overview window follows the main view', afterRow);
  check(near(afterRow.slider, afterRow.view.y[0], 1e-3), 'slider follows the main view', afterRow);
  await shot('03-row-clicked');

  // Move the slider: the main view scrolls, the table follows.
  const afterSlider = await page.evaluate(async () => {
    const app = window.mavApp;
    const before = app.table.scrollTop;
    const span = app.getMainView().y[1] - app.getMainView().y[0];
    app.slider.move(5, 5 + span);
    await new Promise((r) => setTimeout(r, 300));
    const view = app.getMainView();
    const firstVisible = window.mavNodes.findIndex((n) =>
      n.x >= view.x[0] && n.x <= view.x[1] && n.y >= view.y[0] && n.y <= view.y[1]);
    const row = document.querySelector(`#mav-table tbody tr[data-node="${firstVisible}"]`);
    const header = app.table.querySelector('thead').offsetHeight;
    const shape = overviewWindow();
    return { view, before, after: app.table.scrollTop,
             expected: Math.max(0, row.offsetTop - header),
             shape: shape.y[0], placed: shape.placed };
  });
  check(near(afterSlider.view.y[0], 5), 'slider moves the main view', afterSlider);
  check(Math.abs(afterSlider.after - afterSlider.expected) <= 1 &&
        near(afterSlider.shape, 5) && afterSlider.placed,
        'slider scrolls the table to the first visible node and moves the overview window',
        afterSlider);
  await shot('04-slider');

  // Click the overview at level 30: the main view centres there.
  const ovTarget = await page.evaluate(() => {
    const app = window.mavApp;
    const box = app.overview.getBoundingClientRect();
    const p = app.overviewPixel(0, 30);
    return { x: box.left + p[0], y: box.top + p[1] };
  });
  await page.mouse.click(ovTarget.x, ovTarget.y);
  await page.waitForTimeout(300);
  const afterOverview = await page.evaluate(() => window.mavApp.getMainView());
  check(Math.abs((afterOverview.y[0] + afterOverview.y[1]) / 2 - 30) < 0.3,
        'clicking the overview pans the main graph', afterOverview);
  await shot('05-overview-click');

  // Pan the main graph by dragging: overview window, slider, table follow.
  const box = await page.locator('#mav-main').boundingBox();
  const panBefore = await page.evaluate(async () => {
    const app = window.mavApp;
    const span = app.getMainView().y[1] - app.getMainView().y[0];
    app.slider.move(2, 2 + span);
    await new Promise((r) => setTimeout(r, 300));
    return { view: app.getMainView(), scroll: app.table.scrollTop };
  });
  await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.7);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.2, { steps: 8 });
  await page.mouse.up();
  await page.waitForTimeout(300);
  const afterPan = await page.evaluate(() => {
    const app = window.mavApp;
    const shape = overviewWindow();
    const view = app.getMainView();
    const firstVisible = window.mavNodes.findIndex((n) =>
      n.x >= view.x[0] && n.x <= view.x[1] && n.y >= view.y[0] && n.y <= view.y[1]);
    const row = document.querySelector(`#mav-table tbody tr[data-node="${firstVisible}"]`);
    const header = app.table.querySelector('thead').offsetHeight;
    return { view, shape: shape.y, placed: shape.placed,
             slider: app.slider.range()[0], scroll: app.table.scrollTop,
             expected: row ? Math.max(0, row.offsetTop - header) : null };
  });
  check(afterPan.view.y[0] > panBefore.view.y[0] + 1 && afterPan.placed &&
        near(afterPan.shape[0], afterPan.view.y[0]) &&
        near(afterPan.slider, afterPan.view.y[0], 1e-3),
        'panning the main graph moves the overview window and the slider',
        { panBefore, afterPan });
  check(afterPan.scroll !== panBefore.scroll && afterPan.expected !== null &&
        Math.abs(afterPan.scroll - afterPan.expected) <= 1,
        'panning scrolls the table to the first visible node',
        { panBefore, afterPan });
  await shot('06-panned');

  // The dropdown restyles both node traces.
  for (const entry of [1, 2, 3, 0]) {
    await page.selectOption('#mav-menu', String(entry));
    await page.waitForTimeout(100);
    const styled = await page.evaluate((k) => {
      const app = window.mavApp;
      const state = app.spec.menu.states[k];
      const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
      return same(app.main.data[1].marker.size, state.main.size) &&
             same(app.main.data[1].marker.color, state.main.color) &&
             app.state.overview.menu === k &&
             same(app.state.overview.size, state.overview.size) &&
             same(app.state.overview.color, state.overview.color);
    }, entry);
    check(styled, `dropdown entry ${entry} restyles main and overview nodes`);
    if (entry === 2) await shot('07-color-by-flops');
  }

  // Search by name, then by operation (Enter steps through matches).
  await page.fill('#mav-search', 'layer12.bn');
  await page.press('#mav-search', 'Enter');
  await page.waitForTimeout(200);
  const found = await page.evaluate(() => ({
    selected: window.mavNodes[window.mavApp.state.selected].name,
    status: document.getElementById('mav-search-status').textContent }));
  check(found.selected === 'layer12.bn' && found.status === '1 of 1',
        'search finds a node by name', found);
  await page.fill('#mav-search', 'nn.relu');
  await page.press('#mav-search', 'Enter');
  await page.press('#mav-search', 'Enter');
  await page.waitForTimeout(200);
  const byOp = await page.evaluate(() => ({
    selected: window.mavNodes[window.mavApp.state.selected],
    status: document.getElementById('mav-search-status').textContent }));
  check(byOp.selected.op === 'nn.ReLU' && byOp.status === '2 of 6',
        'search by operation steps through the matches', byOp);
  await shot('08-search');

  check(problems.length === 0 && dialogs.length === 0,
        'no console errors and no dialogs after interaction', { problems, dialogs });
});
