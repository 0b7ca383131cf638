// Drives the page of a large synthetic graph (thousands of nodes) in Debian's
// chromium: it must load without errors, draw every node with WebGL traces,
// and keep the table, selection and search working.
//   node test/browser/large.js PAGE.html SCREENSHOT.png
// Prints one `PASS: ...` line per check and the time to interactive
// (informational: speed is measured by benchmarks, not asserted here).
'use strict';

const path = require('path');
const { launchBrowser } = require('./browser');

const [pagePath, screenshot] = process.argv.slice(2);
if (!pagePath || !screenshot) {
  console.error('usage: node large.js PAGE.html SCREENSHOT.png');
  process.exit(2);
}

function check(condition, message, details) {
  if (!condition)
    throw new Error('FAIL: ' + message +
                    (details === undefined ? '' : ': ' + JSON.stringify(details)));
  console.log('PASS: ' + message);
}

async function main() {
  const browser = await launchBrowser();
  const problems = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push('console: ' + msg.text());
    });
    page.on('pageerror', (err) => problems.push('pageerror: ' + err.message));
    const start = Date.now();
    await page.goto('file://' + path.resolve(pagePath));
    await page.waitForFunction(() => window.mavApp !== undefined);
    await page.evaluate(() => window.mavApp.ready);
    console.log('interactive after ' + (Date.now() - start) + ' ms');

    const info = await page.evaluate(() => {
      const app = window.mavApp;
      // The node trace is the one with a point per node (the others are
      // edges and the selection outline).
      const count = app.spec.nodes.length;
      const isNodes = (t) => t.mode && t.mode.includes('markers') &&
                             t.x && t.x.length === count;
      const mainNodes = app.main.data.find(isNodes);
      const overviewNodes = app.overview.data.find(isNodes);
      return {
        nodes: app.spec.nodes.length,
        mainType: mainNodes && mainNodes.type,
        mainPoints: mainNodes && mainNodes.x.length,
        overviewType: overviewNodes && overviewNodes.type,
        overviewPoints: overviewNodes && overviewNodes.x.length,
        rows: document.querySelectorAll('#mav-table tbody tr').length,
      };
    });
    check(problems.length === 0, 'large page loads without console errors', problems);
    check(info.nodes >= 5000, 'spec holds every node', info);
    check(info.mainType === 'scattergl' && info.overviewType === 'scattergl',
          'node traces use WebGL', info);
    check(info.mainPoints === info.nodes && info.overviewPoints === info.nodes,
          'main graph and overview carry every node', info);
    check(info.rows === info.nodes, 'table has one row per node', info);

    // A row near the end selects its node and brings it into view.
    const rowIndex = info.nodes - 10;
    await page.locator(`#mav-table tbody tr[data-node="${rowIndex}"]`).click();
    await page.waitForFunction((i) => window.mavApp.state.selected === i, rowIndex);
    const view = await page.evaluate((i) => {
      const app = window.mavApp;
      const v = app.getMainView();
      const n = app.spec.nodes[i];
      return { inside: n.y >= v.y[0] && n.y <= v.y[1], view: v, y: n.y };
    }, rowIndex);
    check(view.inside, 'clicking a row far down shows its node', view);

    // Search finds a node by name.
    const wanted = await page.evaluate(() => window.mavApp.spec.nodes[2500].name);
    await page.fill('.mav-search', wanted);
    await page.press('.mav-search', 'Enter');
    await page.waitForFunction(() => window.mavApp.state.selected === 2500);
    console.log('PASS: search finds a node among thousands');

    await page.screenshot({ path: screenshot });
    check(problems.length === 0, 'no console errors after interaction', problems);
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.log(err.message);
  process.exit(1);
});
