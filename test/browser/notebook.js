// Checks a notebook that uses the mav package (test/Python/Inputs/
// models.ipynb), executed and exported by nbconvert, opened alone in
// Debian's chromium as nbviewer would show it: no kernel, no network.
//   node test/browser/notebook.js EXPORTED.html
// The checks are notebook-checks.js's. Prints one `PASS: ...` line per
// check and exits non-zero at the first failure.
'use strict';

const path = require('path');
const { runBrowserTest, openPage } = require('./browser');
const { checkNotebookOutputs } = require('./notebook-checks');

const [htmlPath] = process.argv.slice(2);
if (!htmlPath) {
  console.error('usage: node notebook.js EXPORTED.html');
  process.exit(2);
}

runBrowserTest(async (browser) => {
  const problems = [];
  // nbconvert's template (not mav) loads require.js and MathJax from a
  // CDN; they are answered empty here, as an offline viewer would fail
  // them. Any other request leaving the file is a problem.
  const page = await openPage(browser, problems, /*offline=*/false, 900);
  await page.route(/^https?:/, (route) => {
    const url = route.request().url();
    const template = route.request().frame() === page.mainFrame() &&
        /cdnjs\.cloudflare\.com\/ajax\/libs\/(require|mathjax)/.test(url);
    if (!template) problems.push('network request: ' + url);
    return template ? route.fulfill({ status: 200, body: '' }) : route.abort();
  });
  await page.goto('file://' + path.resolve(htmlPath));
  await checkNotebookOutputs(page, problems);
});
