// Takes a PNG screenshot of a page mav-render wrote, in Debian's chromium
// (launched as the browser tests do), after the figure has drawn.
// Usage: node utils/screenshot.js PAGE.html OUT.png [WIDTH HEIGHT]
'use strict';

const path = require('path');
const { launchBrowser } = require('../test/browser/browser.js');

(async () => {
  const [page, out, width = '1400', height = '860'] = process.argv.slice(2);
  if (!page || !out) {
    console.error('usage: node utils/screenshot.js PAGE.html OUT.png [W H]');
    process.exit(2);
  }
  const browser = await launchBrowser();
  try {
    const tab = await browser.newPage({
      viewport: { width: Number(width), height: Number(height) } });
    const errors = [];
    tab.on('pageerror', (e) => errors.push(String(e)));
    await tab.goto('file://' + path.resolve(page));
    await tab.waitForFunction(() =>
      document.querySelectorAll('.main-svg').length > 0);
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
