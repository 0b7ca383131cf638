// Takes a PNG screenshot of a page mav-render wrote, in Debian's chromium
// (launched as the browser tests do), after the figure has drawn.
// Usage: node utils/screenshot.js PAGE.html OUT.png [WIDTH HEIGHT]
//                                 [--menu K] [--search TEXT]
// --menu K picks dropdown entry K first (0-3, docs/Widget.md); --search
// types TEXT into the search box (its matches are highlighted, the first
// selected).
'use strict';

const path = require('path');
const { launchBrowser } = require('../test/browser/browser.js');

(async () => {
  const args = process.argv.slice(2);
  const options = {};
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--menu' || args[i] === '--search') options[args[i].slice(2)] = args[++i];
    else positional.push(args[i]);
  }
  const [page, out, width = '1400', height = '860'] = positional;
  if (!page || !out) {
    console.error('usage: node utils/screenshot.js PAGE.html OUT.png [W H] ' +
                  '[--menu K] [--search TEXT]');
    process.exit(2);
  }
  const browser = await launchBrowser();
  try {
    const tab = await browser.newPage({
      viewport: { width: Number(width), height: Number(height) } });
    const errors = [];
    tab.on('pageerror', (e) => errors.push(String(e)));
    await tab.goto('file://' + path.resolve(page));
    await tab.waitForFunction(() => window.mavApp !== undefined);
    await tab.evaluate(() => window.mavApp.ready);
    if (options.menu !== undefined) await tab.selectOption('#mav-menu', options.menu);
    if (options.search !== undefined) {
      await tab.fill('#mav-search', options.search);
      await tab.press('#mav-search', 'Enter');
    }
    await tab.waitForTimeout(500);
    await tab.screenshot({ path: out });
    if (errors.length) {
      console.error('page errors: ' + errors.join('; '));
      process.exit(1);
    }
  } finally {
    await browser.close();
  }
})();
