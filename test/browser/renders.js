// Checks that each of many `mav-render --html --offline` pages renders in
// Debian's chromium (playwright-core): it loads without console errors or
// network requests, and the main graph and the overview draw every node.
//   node test/browser/renders.js PAGE.html...
// Prints one line per page, `PASS PAGE: N nodes` or `FAIL PAGE: why`, and
// exits 1 if any failed. One browser serves them all, for
// utils/sweep-trace.py; smoke.js checks one page more deeply.
'use strict';

const path = require('path');
const { runBrowserTest, openPage, defineNodeList } = require('./browser');

const pages = process.argv.slice(2);
if (pages.length === 0) {
  console.error('usage: node renders.js PAGE.html...');
  process.exit(2);
}

async function checkPage(browser, pagePath) {
  const problems = [];
  const page = await openPage(browser, problems, /*offline=*/true);
  try {
    await page.goto('file://' + path.resolve(pagePath));
    await page.waitForFunction(() => window.mavApp !== undefined,
                               null, { timeout: 60000 });
    await page.evaluate(() => window.mavApp.ready);
    await defineNodeList(page);
    const info = await page.evaluate(() => {
      // The node trace has a point per node; an SVG one (small graphs) also
      // has an element per point, a WebGL one (large graphs) does not.
      // A node in a collapsed module group (groups.js) has no position.
      const count = window.mavNodes.length;
      const nodes = window.mavApp.main.data.find(
        (t) => t.mode && t.mode.includes('markers') && t.x &&
               t.x.length === count);
      return {
        all: count,
        nodes: window.mavNodes.filter((n) => Number.isFinite(n.x)).length,
        type: nodes && nodes.type,
        points: nodes && nodes.x.length,
        svgPoints: document.querySelectorAll(
          '#mav-main .scatterlayer .trace:nth-child(2) .point').length,
        overviewPoints: window.mavApp.state.overview.nodes,
      };
    });
    if (problems.length > 0)
      return 'FAIL ' + pagePath + ': ' + problems.join('; ');
    if (info.nodes === 0 || info.points !== info.all ||
        (info.type === 'scatter' && info.svgPoints !== info.nodes) ||
        info.overviewPoints !== info.nodes)
      return 'FAIL ' + pagePath + ': not every node drawn: ' +
             JSON.stringify(info);
    return 'PASS ' + pagePath + ': ' + info.nodes + ' nodes';
  } catch (err) {
    return 'FAIL ' + pagePath + ': ' + err.message.split('\n')[0];
  } finally {
    await page.close();
  }
}

runBrowserTest(async (browser) => {
  let failed = 0;
  for (const pagePath of pages) {
    const line = await checkPage(browser, pagePath);
    if (line.startsWith('FAIL'))
      ++failed;
    console.log(line);
  }
  if (failed > 0)
    process.exit(1);
});
