// Launches Debian's chromium (/usr/bin/chromium) headless through
// playwright-core, with the flags that keep it quiet and offline-friendly in
// a container. Shared by the browser tests of this directory.
'use strict';

const { chromium } = require('playwright-core');

exports.launchBrowser = function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.MAV_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-quic', '--no-first-run', '--disable-component-update',
           '--disable-sync'],
  });
};

// Runs `body(browser)` with a launched chromium and closes it after. A
// failure (the `FAIL: ...` error of check, or any other) is printed as one
// line, and the script exits 1.
exports.runBrowserTest = function runBrowserTest(body) {
  (async () => {
    const browser = await exports.launchBrowser();
    try {
      await body(browser);
    } finally {
      await browser.close();
    }
  })().catch((err) => {
    console.log(err.message);
    process.exit(1);
  });
};

// A new 1400-px-wide page whose console errors (and, with `offline`,
// network requests) go to `problems`.
exports.openPage = function openPage(browser, problems, offline, height = 800) {
  return browser.newPage({ viewport: { width: 1400, height } }).then((page) => {
    exports.collectProblems(page, problems, offline);
    return page;
  });
};

// An offline page (openPage) of the HTML file at `pagePath`, once its
// front end is ready.
exports.loadPage = async function loadPage(browser, problems, pagePath) {
  const page = await exports.openPage(browser, problems, /*offline=*/true);
  await page.goto('file://' + require('path').resolve(pagePath));
  await page.waitForFunction(() => window.mavApp !== undefined);
  await page.evaluate(() => window.mavApp.ready);
  return page;
};

// Prints `PASS: message`, or throws `FAIL: message: details`: one line per
// check, for FileCheck, and the first failure ends the script.
exports.check = function check(condition, message, details) {
  if (!condition) {
    throw new Error('FAIL: ' + message +
                    (details === undefined ? '' : ': ' + JSON.stringify(details)));
  }
  console.log('PASS: ' + message);
};

// Records into `problems` every console error and uncaught exception of
// `page` and, with `offline`, every request that leaves the file (its
// `data:` and `blob:` URLs stay in the page).
exports.collectProblems = function collectProblems(page, problems, offline) {
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push('console: ' + msg.text());
  });
  page.on('pageerror', (err) => problems.push('pageerror: ' + err.message));
  if (!offline)
    return;
  page.on('request', (request) => {
    if (!/^(file|data|blob):/.test(request.url()))
      problems.push('network request: ' + request.url());
  });
};

// Run in the page once `mavApp.ready` resolved: `window.mavNodes`, the
// spec's node columns as one object per node, for the checks.
exports.defineNodeList = function defineNodeList(page) {
  return page.evaluate(() => {
    const app = window.mavApp;
    window.mavNodes = Array.from({ length: app.nodeCount }, (_, i) => app.node(i));
  });
};

// Compares the hover text of the page's main node trace and the text of
// every table row (scrolling through the virtual table) with the portable
// figure of the same model (`--plotly-json`, whose text C++ composes): the
// page composes both from the spec's columns and must come out the same.
// Returns { nodes, hoverDiffs, cellDiffs, firstDiff }.
exports.compareTextWithFigure = async function compareTextWithFigure(page, figurePath) {
  const figure = JSON.parse(require('fs').readFileSync(figurePath, 'utf8'));
  const nodeTrace = figure.data.find((t) => t.name === 'nodes');
  const tableTrace = figure.data.find((t) => t.type === 'table');
  return page.evaluate(({ hover, columns }) => {
    const app = window.mavApp;
    const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;')
                                 .replace(/>/g, '&gt;');
    const text = app.main.data[1].text;
    let hoverDiffs = 0, cellDiffs = 0, firstDiff = null;
    for (let i = 0; i < hover.length; i++) {
      if (text[i] !== hover[i]) {
        hoverDiffs++;
        firstDiff = firstDiff || { node: i, page: text[i], figure: hover[i] };
      }
    }
    const seen = new Uint8Array(hover.length);
    for (let top = 0; ; top += app.table.clientHeight / 2) {
      app.table.scrollTop = top;
      app.table.dispatchEvent(new Event('scroll'));
      for (const row of app.table.querySelectorAll('tbody tr[data-node]')) {
        const i = Number(row.dataset.node);
        if (seen[i]) continue;
        seen[i] = 1;
        for (let c = 0; c < columns.length; c++) {
          if (escape(row.cells[c].textContent) !== columns[c][i]) {
            cellDiffs++;
            firstDiff = firstDiff || { node: i, column: c, page: row.cells[c].textContent,
                                       figure: columns[c][i] };
          }
        }
      }
      if (top >= app.table.scrollHeight) break;
    }
    app.table.scrollTop = 0;
    app.table.dispatchEvent(new Event('scroll'));
    return { nodes: text.length, figureNodes: hover.length, hoverDiffs, cellDiffs,
             unseen: seen.filter((s) => !s).length, firstDiff };
  }, { hover: nodeTrace.text, columns: tableTrace.cells.values });
};

// Clicks the table row of node `index` as a user would: scroll the table to
// it, let the virtual table render it and settle, then click. (Clicking a
// row while the table is still re-rendering from a scroll can land on its
// neighbour; seen once on a loaded machine, in the sanitizer suite.)
exports.clickTableRow = async function clickTableRow(page, index) {
  await page.waitForFunction((i) => {
    const table = window.mavApp.table;
    const row = table.querySelector(`tbody tr[data-node="${i}"]`);
    if (!row) {
      table.scrollTop += table.clientHeight / 2;
      return false;
    }
    row.scrollIntoView({ block: 'center' });
    return true;
  }, index);
  await page.waitForTimeout(300);
  await page.locator(`#mav-table tbody tr[data-node="${index}"]`).click();
  await page.waitForFunction((i) => window.mavApp.state.selected === i, index);
};
