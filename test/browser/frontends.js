// The mav package's outputs in live Jupyter front ends, driven in Debian's
// chromium: JupyterLab 4, Notebook 7 and the classic Notebook 6 front end
// (nbclassic), each served from the venv.
//   node test/browser/frontends.js PYTHON NOTEBOOK EXECUTED WORKDIR FRONTEND...
// FRONTEND is lab, notebook or nbclassic. For each, a Jupyter server runs
// in WORKDIR/FRONTEND on a free port with a copy of NOTEBOOK
// (test/Python/Inputs/models.ipynb) and of EXECUTED (the same notebook run
// by nbconvert, not trusted where it is opened), and the test:
//   1. opens NOTEBOOK, runs every cell in the kernel, and checks the
//      outputs (notebook-checks.js: pages drawn, a click selects a table
//      row, the failed module red with its error shown);
//   2. saves it, opens it again, and checks the saved outputs the same way;
//   3. opens EXECUTED: every mav output shows mav's notice that the
//      notebook is not trusted (mav/_display.py) instead of nothing; the
//      figure is drawn where the front end renders Plotly's bundle.
// Console errors and requests of mav's frames are problems; the front
// end's own are not mav's and are ignored. Prints one `PASS: ...` line per
// check and exits non-zero at the first failure.
'use strict';

const childProcess = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');
const { runBrowserTest, check } = require('./browser');
const { checkNotebookOutputs } = require('./notebook-checks');

const [pythonArg, notebookPath, executedPath, workdir, ...frontends] =
    process.argv.slice(2);
// (The server runs in its own directory.)
const python = pythonArg && pythonArg.includes('/') ? path.resolve(pythonArg)
                                                     : pythonArg;
if (!pythonArg || !notebookPath || !executedPath || !workdir || !frontends.length) {
  console.error('usage: node frontends.js PYTHON NOTEBOOK EXECUTED WORKDIR ' +
                'lab|notebook|nbclassic...');
  process.exit(2);
}
const TOKEN = 'mav-test';

// How each front end is started, where a notebook opens, how its cells
// run, and when they are done.
const FRONTENDS = {
  lab: {
    command: ['lab', '--expose-app-in-browser'],
    // `reset`: a fresh workspace, without the previous visit's tabs.
    url: (name) => `/lab/tree/${name}?reset&`,
  },
  notebook: {
    command: ['notebook', '--expose-app-in-browser'],
    url: (name) => `/notebooks/${name}?`,
  },
  nbclassic: {
    command: ['nbclassic'],
    url: (name) => `/nbclassic/notebooks/${name}?`,
  },
};

// JupyterLab and Notebook 7 expose their application; the classic front
// end its `Jupyter` global.
async function opened(page) {
  await page.waitForFunction(() => {
    if (window.jupyterapp) {
      const widget = window.jupyterapp.shell.currentWidget;
      return widget && widget.sessionContext && widget.content &&
             widget.content.widgets.length > 0;
    }
    return window.Jupyter && window.Jupyter.notebook &&
           window.Jupyter.notebook._fully_loaded;
  }, null, { timeout: 180000 });
}

// Scrolls every output into view in turn: JupyterLab and Notebook 7 draw a
// cell's outputs (Plotly's renderer among them) only once it is seen.
// models.ipynb has five outputs: three pages, the figure, and the
// warnings of the half-written model's capture.
async function showAllOutputs(page) {
  const selector = '.jp-OutputArea-output, .output_subarea';
  await page.waitForFunction((s) => document.querySelectorAll(s).length >= 5,
                             selector, { timeout: 180000 });
  const outputs = page.locator(selector);
  const count = await outputs.count();
  for (let i = 0; i < count; ++i) {
    await outputs.nth(i).scrollIntoViewIfNeeded();
    await page.waitForTimeout(200);
  }
}

async function runAll(page) {
  await page.waitForFunction(() => {
    if (window.jupyterapp) {
      const context = window.jupyterapp.shell.currentWidget.sessionContext;
      return context.session && context.session.kernel &&
             context.session.kernel.connectionStatus === 'connected';
    }
    const kernel = window.Jupyter.notebook.kernel;
    return kernel && kernel.is_connected();
  }, null, { timeout: 180000 });
  await page.evaluate(() => {
    if (window.jupyterapp)
      return window.jupyterapp.commands.execute('notebook:run-all-cells');
    window.Jupyter.notebook.execute_all_cells();
  });
  // Done: every code cell has its execution count and none is queued.
  await page.waitForFunction(() => {
    if (window.jupyterapp) {
      const content = window.jupyterapp.shell.currentWidget.content;
      return content.widgets.every((cell) => cell.model.type !== 'code' ||
          (cell.model.executionCount !== null &&
           cell.promptNode.textContent.indexOf('*') < 0));
    }
    return window.Jupyter.notebook.get_cells().every((cell) =>
        cell.cell_type !== 'code' ||
        (typeof cell.input_prompt_number === 'number'));
  }, null, { timeout: 600000, polling: 500 });
}

async function save(page) {
  await page.evaluate(() => {
    if (window.jupyterapp)
      return window.jupyterapp.commands.execute('docmanager:save');
    return window.Jupyter.notebook.save_notebook();
  });
  // The classic front end saves asynchronously and says so.
  await page.waitForFunction(() => window.jupyterapp ||
      !window.Jupyter.notebook.dirty, null, { timeout: 120000 });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function serverUp(port) {
  return new Promise((resolve) => {
    http.get(`http://127.0.0.1:${port}/api/status?token=${TOKEN}`, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    }).on('error', () => resolve(false));
  });
}

// Starts a Jupyter server for `frontend` in `dir`; resolves to
// { port, stop() } once it answers.
async function startServer(frontend, dir) {
  const port = await freePort();
  const log = fs.openSync(path.join(dir, 'server.log'), 'w');
  const server = childProcess.spawn(python, [
    '-m', 'jupyter', ...FRONTENDS[frontend].command, '--no-browser',
    '--allow-root', `--port=${port}`, '--ip=127.0.0.1',
    `--IdentityProvider.token=${TOKEN}`, `--ServerApp.root_dir=${dir}`,
  ], {
    cwd: dir, detached: true, stdio: ['ignore', log, log],
    // Settings, workspaces and config of this run only, not the user's.
    env: { ...process.env,
           JUPYTER_CONFIG_DIR: path.join(dir, '.config'),
           JUPYTERLAB_SETTINGS_DIR: path.join(dir, '.settings'),
           JUPYTERLAB_WORKSPACES_DIR: path.join(dir, '.workspaces') },
  });
  let spawnError = null;
  server.on('error', (err) => { spawnError = err; });
  const stop = () => {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch (err) {
      // already gone
    }
  };
  for (let waited = 0; waited < 120000; waited += 250) {
    if (spawnError)
      throw new Error(`FAIL: ${frontend}: cannot start ${python}: ` +
                      spawnError.message);
    if (server.exitCode !== null)
      throw new Error(`FAIL: ${frontend}: the Jupyter server exited; see ` +
                      path.join(dir, 'server.log'));
    if (await serverUp(port)) return { port, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error(`FAIL: ${frontend}: the Jupyter server did not start`);
}

// A page whose mav frames' console errors and requests go to `problems`.
async function frontendPage(browser, problems) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  // A front end's first load on a busy machine (the test suite runs two
  // tests at a time) takes longer than Playwright's 30 s default.
  page.setDefaultTimeout(180000);
  const isMav = (frame) => frame && frame !== page.mainFrame() &&
      frame.url() === 'about:srcdoc';
  page.on('console', (msg) => {
    if (msg.type() === 'error' && msg.location().url === 'about:srcdoc')
      problems.push('console: ' + msg.text());
  });
  page.on('request', (request) => {
    if (isMav(request.frame()) && !/^(data|blob|about):/.test(request.url()))
      problems.push('network request: ' + request.url());
  });
  // Nothing leaves the machine: the front ends' own calls home (news,
  // update checks) are refused.
  await page.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
  return page;
}

async function checkFrontend(browser, frontend) {
  const dir = path.join(workdir, frontend);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(notebookPath, path.join(dir, 'models.ipynb'));
  fs.copyFileSync(executedPath, path.join(dir, 'executed.ipynb'));
  const server = await startServer(frontend, dir);
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const url = (name) =>
        base + FRONTENDS[frontend].url(name) + `token=${TOKEN}`;
    const problems = [];
    let page = await frontendPage(browser, problems);
    await page.goto(url('models.ipynb'));
    await opened(page);
    await runAll(page);
    await showAllOutputs(page);
    await checkNotebookOutputs(page, problems, `${frontend}: `);

    await save(page);
    await page.close();
    page = await frontendPage(browser, problems);
    await page.goto(url('models.ipynb'));
    await opened(page);
    await showAllOutputs(page);
    await checkNotebookOutputs(page, problems,
                               `${frontend}, saved and opened again: `);
    await page.close();

    page = await frontendPage(browser, problems);
    await page.goto(url('executed.ipynb'));
    await opened(page);
    // Three pages, and the figure unless the front end draws Plotly's own
    // bundle (which it does in an untrusted notebook too).
    const untrusted = await page.waitForFunction(() => {
      const notices = [...document.querySelectorAll('p')].filter((p) =>
          p.textContent.startsWith('mav: this output is an interactive page, ' +
                                   'not shown because the notebook is not trusted'));
      if (notices.length < 3) return false;
      return { notices: notices.length,
               visible: notices.filter((p) => p.getBoundingClientRect().height > 0)
                               .length,
               frames: document.querySelectorAll('iframe[title="mav"]').length,
               nativeFigure: document.querySelector(
                   '.jp-RenderedPlotly, .js-plotly-plot') !== null };
    }, null, { timeout: 180000 }).then((h) => h.jsonValue());
    check(untrusted.frames === 0 &&
          untrusted.notices === (untrusted.nativeFigure ? 3 : 4) &&
          untrusted.visible === untrusted.notices,
          `${frontend}: an untrusted notebook shows mav's notice for each output`,
          untrusted);
    await page.close();
  } finally {
    server.stop();
  }
}

runBrowserTest(async (browser) => {
  for (const frontend of frontends) {
    if (!FRONTENDS[frontend])
      throw new Error(`FAIL: unknown front end '${frontend}'`);
    await checkFrontend(browser, frontend);
  }
});
