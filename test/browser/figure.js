// Loads a `mav-render --plotly-json` figure into plotly.js 2.x and 3.x (both
// pinned in package.json) in chromium, and applies every dropdown entry and
// slider step the figure carries:
//   node test/browser/figure.js FIGURE.json SCREENSHOT_DIR
// Prints one `PASS: ...` line per check and exits non-zero on a failure.
'use strict';

const fs = require('fs');
const path = require('path');
const { runBrowserTest } = require('./browser');

const [figurePath, shotDir] = process.argv.slice(2);
const figure = JSON.parse(fs.readFileSync(figurePath, 'utf8'));
fs.mkdirSync(shotDir, { recursive: true });
const modules = path.join(__dirname, '..', '..', 'node_modules');
const plotlyBuilds = [
  path.join(modules, 'plotly.js-dist-min', 'plotly.min.js'),
  path.join(modules, 'plotly.js-dist-min-v3', 'plotly.min.js'),
];

runBrowserTest(async (browser) => {
  for (const build of plotlyBuilds) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.setContent('<!DOCTYPE html><html><body><div id="fig"></div></body></html>');
    await page.addScriptTag({ path: build });
    const result = await page.evaluate(async (fig) => {
      const gd = document.getElementById('fig');
      await Plotly.newPlot(gd, fig.data, fig.layout);
      const menu = fig.layout.updatemenus[0];
      for (const button of menu.buttons)
        await Plotly.restyle(gd, button.args[0], button.args[1]);
      const steps = fig.layout.sliders ? fig.layout.sliders[0].steps : [];
      for (const step of steps)
        await Plotly.relayout(gd, step.args[0]);
      return {
        version: Plotly.version,
        traces: gd._fullData.length,
        points: gd.querySelectorAll('.scatterlayer .point').length,
        table: gd.querySelectorAll('.table .column-cell').length > 0,
        dropdown: gd.querySelectorAll('.updatemenu-container').length,
        slider: gd.querySelectorAll('.slider-container').length,
        shape: gd._fullLayout.shapes.length,
        lastMarker: gd.data.filter((t) => t.mode === 'markers')
                      .map((t) => t.marker.size.slice(0, 2)),
      };
    }, figure);
    const major = result.version.split('.')[0];
    const ok = problems.length === 0 && result.traces === figure.data.length &&
               result.points > 0 && result.table && result.dropdown === 1 &&
               result.slider === 1 && result.shape === 1;
    await page.screenshot({ path: path.join(shotDir, `plotly-${major}.png`) });
    if (!ok) throw new Error(`FAIL: plotly.js ${result.version}: ` +
                             JSON.stringify({ problems, result }));
    console.log(`PASS: plotly.js ${major}.x draws the figure, its dropdown and slider`);
    await page.close();
  }
});
