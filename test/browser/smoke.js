// Checks a `mav-render --html --offline` page of any model in Debian's
// chromium (playwright-core): it loads without console errors or network
// requests, the main graph and the overview draw every node, the table has
// one row per node with the portable figure's text, and clicking a node of
// the main graph selects it and highlights its table row.
//   node test/browser/smoke.js PAGE.html FIGURE.json
// page.js checks every interaction on one crafted model; this runs the
// checks that hold for any model, for pages from the frontends.
// Prints one `PASS: ...` line per check and exits non-zero at the first
// failure.
'use strict';

const { runBrowserTest, loadPage, defineNodeList, compareTextWithFigure,
        check } = require('./browser');

const [pagePath, figurePath] = process.argv.slice(2);
if (!pagePath || !figurePath) {
  console.error('usage: node smoke.js PAGE.html FIGURE.json');
  process.exit(2);
}

runBrowserTest(async (browser) => {
  const problems = [];
  const page = await loadPage(browser, problems, pagePath);
  await defineNodeList(page);
  const info = await page.evaluate(() => ({
    nodes: window.mavNodes.length,
    points: document.querySelectorAll(
      '#mav-main .scatterlayer .trace:nth-child(2) .point').length,
    overviewPoints: window.mavApp.state.overview.nodes,
  }));
  check(problems.length === 0, 'page loads without console errors', problems);
  check(info.nodes > 0 && info.points === info.nodes &&
        info.overviewPoints === info.nodes,
        'main graph and overview draw every node', info);
  const text = await compareTextWithFigure(page, figurePath);
  check(text.nodes === info.nodes && text.hoverDiffs === 0 &&
        text.cellDiffs === 0,
        'table has a row per node with the figure\'s text', text);

  // Click the first top-level node after the input.
  const target = await page.evaluate(() => {
    const app = window.mavApp;
    const index = window.mavNodes.findIndex(
      (n, i) => i > 0 && !n.parent && n.op !== 'output');
    const node = window.mavNodes[index];
    const layout = app.main._fullLayout;
    const box = app.main.getBoundingClientRect();
    return { index, name: node.name,
             x: box.left + layout._size.l + layout.xaxis.d2p(node.x),
             y: box.top + layout._size.t + layout.yaxis.d2p(node.y) };
  });
  await page.mouse.click(target.x, target.y);
  await page.waitForFunction((i) => window.mavApp.state.selected === i,
                             target.index, { timeout: 5000 });
  const row = await page.evaluate(() => {
    const selected = document.querySelector('#mav-table tbody tr.mav-selected');
    return selected && Number(selected.dataset.node);
  });
  check(row === target.index, 'clicking a node highlights its table row',
        { target, row });
  check(problems.length === 0, 'no console errors after the clicks', problems);
});
