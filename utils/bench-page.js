#!/usr/bin/env node
// Measures how long a `mav-render --html` page takes to become interactive
// in headless chromium: from `page.goto` until the front end's
// `window.mavApp.ready` has resolved. Browser start-up is not included (it
// is printed separately).
//
//   node utils/bench-page.js PAGE.html [--runs N] [--cdn] [--pan N]
//                            [--click N] [--toggle N] [--cpuprofile FILE]
//                            [--trace FILE]
//
// --cdn serves the plotly.js CDN URL of default pages (plotly's gl2d
// bundle) from node_modules/plotly.js-gl2d-dist-min, so a default page can
// be timed without a network: the figure is then what a browser with
// plotly.js in its cache sees. --cpuprofile writes a V8 CPU profile of the first run
// (open it in chromium's DevTools, Performance tab), --trace a chromium
// trace. Each run uses a fresh browser context (no cache); the median is
// printed last. The page's own `performance.mark`s (app.js sets `mav-*`
// marks) are printed per run, relative to navigation start.
//
// --pan N then moves the main view N times by a tenth of its width
// (`mavApp.setMainView`, as the overview and slider do) and prints how long
// each move took until the next frame was drawn; the median of all moves
// of all runs is printed last.
//
// --click N then clicks N nodes of the main view with the mouse, as a user
// would, and prints for each the time from the press until the graph has
// drawn the node selected (Plotly's last plotly_afterplot, or the page's
// last drawing of its rings) and the frame after it has begun; the median
// of all clicks is printed last.
//
// --toggle N (a page of an IR that went through the group pass) then
// expands and collapses module groups N times each: the first collapsed
// group drawn is expanded (as a click on it does), then collapsed again,
// and each change is timed until the next frame has begun; the medians of
// both are printed last.
'use strict';

const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const { chromium } = require(path.join(root, 'node_modules', 'playwright-core'));

function usage() {
  console.error('usage: node utils/bench-page.js PAGE.html [--runs N] [--cdn] ' +
                '[--pan N] [--cpuprofile FILE] [--trace FILE]');
  process.exit(2);
}

const args = process.argv.slice(2);
let pagePath = null, runs = 3, cdn = false, cpuprofile = null, trace = null, pans = 0;
let clicks = 0, toggles = 0;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--runs') runs = Number(args[++i]);
  else if (a === '--cdn') cdn = true;
  else if (a === '--pan') pans = Number(args[++i]);
  else if (a === '--click') clicks = Number(args[++i]);
  else if (a === '--toggle') toggles = Number(args[++i]);
  else if (a === '--cpuprofile') cpuprofile = args[++i];
  else if (a === '--trace') trace = args[++i];
  else if (a.startsWith('-')) usage();
  else if (pagePath) usage();
  else pagePath = a;
}
if (!pagePath || !(runs >= 1) || !(pans >= 0) || !(clicks >= 0) || !(toggles >= 0)) usage();

const plotlyFile = path.join(root, 'node_modules', 'plotly.js-gl2d-dist-min',
                             'plotly-gl2d.min.js');

async function main() {
  let t = Date.now();
  const browser = await chromium.launch({
    executablePath: process.env.MAV_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-quic', '--no-first-run', '--disable-component-update',
           '--disable-sync'],
  });
  console.log(`browser launch: ${Date.now() - t} ms (not counted)`);
  const plotly = cdn ? fs.readFileSync(plotlyFile) : null;
  const times = [], panTimes = [], clickTimes = [];
  const expandTimes = [], collapseTimes = [];
  try {
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 800 } });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (err) => errors.push(err.message));
      page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
      if (cdn) {
        await page.route('https://cdn.plot.ly/**', (route) =>
          route.fulfill({ status: 200, contentType: 'application/javascript',
                          body: plotly }));
      }
      let session = null;
      if (run === 0 && (cpuprofile || trace)) {
        session = await context.newCDPSession(page);
        if (cpuprofile) {
          await session.send('Profiler.enable');
          await session.send('Profiler.setSamplingInterval', { interval: 200 });
          await session.send('Profiler.start');
        }
        if (trace) {
          await session.send('Tracing.start', {
            categories: 'devtools.timeline,v8.execute,disabled-by-default-devtools.timeline,disabled-by-default-v8.cpu_profiler',
            transferMode: 'ReturnAsStream',
          });
        }
      }
      const start = Date.now();
      await page.goto('file://' + path.resolve(pagePath));
      const loaded = Date.now() - start;
      await page.waitForFunction(() => window.mavApp !== undefined);
      await page.evaluate(() => window.mavApp.ready);
      const elapsed = Date.now() - start;
      times.push(elapsed);
      const marks = await page.evaluate(() =>
        performance.getEntriesByType('mark').concat(
          performance.getEntriesByType('navigation')).map((e) =>
          e.entryType === 'mark' ? `${e.name} ${e.startTime.toFixed(0)}`
                                 : `domInteractive ${e.domInteractive.toFixed(0)} ` +
                                   `load ${e.loadEventEnd.toFixed(0)}`));
      console.log(`run ${run + 1}: interactive after ${elapsed} ms ` +
                  `(goto returned after ${loaded} ms)`);
      console.log('  marks (ms from navigation start): ' + marks.join(', '));
      if (pans) {
        const moves = await page.evaluate(async (n) => {
          const app = window.mavApp, out = [];
          const frame = () => new Promise((resolve) =>
            requestAnimationFrame(() => setTimeout(resolve, 0)));
          for (let k = 0; k < n; k++) {
            const view = app.getMainView();
            const dx = (view.x[1] - view.x[0]) / 10;
            const t = performance.now();
            await app.setMainView({ x: [view.x[0] + dx, view.x[1] + dx], y: view.y });
            await frame();
            out.push(Math.round(performance.now() - t));
          }
          return out;
        }, pans);
        panTimes.push(...moves);
        console.log('  view moves (ms each): ' + moves.join(' '));
      }
      for (let k = 0; k < clicks; k++) {
        // A node in the view, a different one each time, not a merged
        // sub-node (they sit under their node).
        const target = await page.evaluate((k) => {
          const app = window.mavApp, n = app.spec.nodes, view = app.getMainView();
          const layout = app.main._fullLayout, box = app.main.getBoundingClientRect();
          const visible = [];
          for (let i = 0; i < n.x.length; i++) {
            if (n.parent[i] === null && i !== app.state.selected &&
                n.x[i] >= view.x[0] && n.x[i] <= view.x[1] &&
                n.y[i] >= view.y[0] + 1 && n.y[i] <= view.y[1] - 1)
              visible.push(i);
          }
          const i = visible[(k * 7919) % visible.length];
          window.benchClick = { afterplot: 0 };
          if (!window.benchHooked) {
            window.benchHooked = true;
            // The last drawing of a click: Plotly's redraw, or the page's
            // own rings (state.marks is set by each drawing of them).
            const drawn = () => {
              window.benchClick.afterplot = performance.now();
              requestAnimationFrame(() => { window.benchClick.painted = performance.now(); });
            };
            app.main.on('plotly_afterplot', drawn);
            let marks = app.state.marks;
            Object.defineProperty(app.state, 'marks', {
              get: () => marks, set: (v) => { marks = v; drawn(); } });
            window.addEventListener('pointerdown', () => {
              window.benchClick.down = performance.now();
            }, true);
          }
          return { i, x: box.left + layout.xaxis._offset + layout.xaxis.r2p(n.x[i]),
                   y: box.top + layout.yaxis._offset + layout.yaxis.r2p(n.y[i]) };
        }, k);
        await page.mouse.click(target.x, target.y);
        await page.waitForFunction(() => window.mavApp.state.selected >= 0 &&
                                         window.benchClick.painted > window.benchClick.down);
        await page.waitForTimeout(1000);  // any further redraw of the click
        const ms = await page.evaluate(() =>
          Math.round(window.benchClick.painted - window.benchClick.down));
        clickTimes.push(ms);
      }
      if (clicks)
        console.log('  clicks (ms each): ' + clickTimes.slice(-clicks).join(' '));
      if (toggles) {
        const times = await page.evaluate(async (n) => {
          const groups = window.mavApp.groups, out = { expand: [], collapse: [] };
          if (!groups) return null;
          const frame = () => new Promise((resolve) =>
            requestAnimationFrame(() => setTimeout(resolve, 0)));
          for (let k = 0; k < n; k++) {
            const g = groups.view.items[0];
            for (const [key, value] of [['expand', true], ['collapse', false]]) {
              const t = performance.now();
              await groups.setExpanded(g, value);
              await frame();
              out[key].push(Math.round(performance.now() - t));
            }
          }
          return out;
        }, toggles);
        if (!times) throw new Error('--toggle: the page has no groups (run mav-opt --group)');
        expandTimes.push(...times.expand);
        collapseTimes.push(...times.collapse);
        console.log('  expand (ms each): ' + times.expand.join(' ') +
                    '; collapse: ' + times.collapse.join(' '));
      }
      if (errors.length) console.log('  page errors: ' + errors.join(' | '));
      if (session) {
        if (cpuprofile) {
          const { profile } = await session.send('Profiler.stop');
          fs.writeFileSync(cpuprofile, JSON.stringify(profile));
          console.log(`  CPU profile: ${cpuprofile}`);
        }
        if (trace) {
          const done = new Promise((resolve) =>
            session.once('Tracing.tracingComplete', resolve));
          await session.send('Tracing.end');
          const { stream } = await done;
          let data = '';
          for (;;) {
            const chunk = await session.send('IO.read', { handle: stream });
            data += chunk.data;
            if (chunk.eof) break;
          }
          await session.send('IO.close', { handle: stream });
          fs.writeFileSync(trace, data);
          console.log(`  trace: ${trace}`);
        }
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const sorted = times.slice().sort((a, b) => a - b);
  console.log(`median: ${sorted[Math.floor(sorted.length / 2)]} ms over ${runs} runs`);
  if (clickTimes.length) {
    const sortedClicks = clickTimes.slice().sort((a, b) => a - b);
    console.log(`median click: ${sortedClicks[Math.floor(sortedClicks.length / 2)]} ms, ` +
                `slowest ${sortedClicks[sortedClicks.length - 1]} ms, ` +
                `over ${sortedClicks.length} clicks`);
  }
  for (const [name, list] of [['expand', expandTimes], ['collapse', collapseTimes]]) {
    if (!list.length) continue;
    const sortedList = list.slice().sort((a, b) => a - b);
    console.log(`median ${name}: ${sortedList[Math.floor(sortedList.length / 2)]} ms, ` +
                `slowest ${sortedList[sortedList.length - 1]} ms, over ${list.length}`);
  }
  if (panTimes.length) {
    const moves = panTimes.slice().sort((a, b) => a - b);
    console.log(`median view move: ${moves[Math.floor(moves.length / 2)]} ms ` +
                `over ${moves.length} moves`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
