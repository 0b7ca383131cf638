# lit configuration for mav's FileCheck suites (test/IR, test/mav-opt,
# test/Transforms, ...). The unit tests are a nested suite in test/Unit.
#
# Switches (environment variables or `lit --param NAME=1`):
#   MAV_VERIFY_ROUNDTRIP / verify-roundtrip: every mav-opt run in the suite
#     also checks that its output re-parses to identical text.
#   MAV_LIT_FAST / fast (`ninja check-fast`): only the tests that take a
#     second or less, for a pass developer's edit-test loop. Leaves out the
#     end-to-end tests on real torch models (REQUIRES: torch), the browser
#     tests (REQUIRES: browser) and the tests on inputs of 100k nodes or more
#     (REQUIRES: long_tests, LLVM's name). `ninja check` runs everything.

import os
import shutil
import subprocess
import stat

import lit.formats

config.name = "mav"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mav", ".test"]
config.excludes = ["lib", "Inputs", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py.in"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.mav_obj_root, "test")

# Tools are called by name: mav-opt, mav-trace, FileCheck, not.
path = [config.mav_tools_dir, config.llvm_tools_dir]

fast = os.environ.get("MAV_LIT_FAST", "") not in ("", "0") or \
    lit_config.params.get("fast", "0") not in ("", "0")
if not fast:
    config.available_features.add("long_tests")

roundtrip = os.environ.get("MAV_VERIFY_ROUNDTRIP", "") not in ("", "0") or \
    lit_config.params.get("verify-roundtrip", "0") not in ("", "0")
if roundtrip:
    # A wrapper first on PATH turns every `mav-opt ...` into
    # `mav-opt --verify-roundtrip ...`.
    wrapper_dir = os.path.join(config.test_exec_root, "roundtrip-bin")
    os.makedirs(wrapper_dir, exist_ok=True)
    wrapper = os.path.join(wrapper_dir, "mav-opt")
    with open(wrapper, "w") as f:
        f.write('#!/bin/sh\nexec "%s" --verify-roundtrip "$@"\n'
                % os.path.join(config.mav_tools_dir, "mav-opt"))
    os.chmod(wrapper, os.stat(wrapper).st_mode | stat.S_IEXEC)
    path.insert(0, wrapper_dir)
    config.available_features.add("verify-roundtrip")

config.environment["PATH"] = os.pathsep.join(
    path + [config.environment.get("PATH", os.environ.get("PATH", ""))])
config.environment["FILECHECK_OPTS"] = "-enable-var-scope"
# Diagnostics and outputs must not depend on the caller's locale.
config.environment["LC_ALL"] = "C.UTF-8"

config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%mav_src_root", config.mav_src_root))
config.substitutions.append(
    ("%models", os.path.join(config.mav_obj_root, "test", "models")))

if config.mav_enable_torch and not fast:
    config.available_features.add("torch")
# Whether mav-trace has its TorchScript frontend at all (fast or not).
if config.mav_enable_torch:
    config.available_features.add("torchscript-frontend")
# PyTorch 2.x from utils/setup.sh's venv in the build tree: `torch2` tests
# export real models with it at test time (%torch2_python).
venv_python = os.path.join(config.mav_obj_root, "venv", "bin", "python")
if not fast and os.path.exists(venv_python):
    config.available_features.add("torch2")
    config.substitutions.append(("%torch2_python", venv_python))
# The notebook package (`pip install ./`), installed into that venv by
# utils/setup.sh: `mav_package` tests use it as a user would.
if "torch2" in config.available_features and subprocess.run(
        [venv_python, "-c", "import importlib.util, sys; "
         "sys.exit(importlib.util.find_spec('mav') is None)"]).returncode == 0:
    config.available_features.add("mav_package")
    # Jupyter keeps its runtime files (kernel connections) here, not in $HOME.
    config.environment["JUPYTER_RUNTIME_DIR"] = os.path.join(
        config.mav_obj_root, "test", "jupyter-runtime")
    config.environment["HF_HUB_OFFLINE"] = "1"
    # JupyterLab 4, Notebook 7 and nbclassic (Notebook 6's front end), for
    # the outputs in live front ends (test/Python/frontends.test).
    if subprocess.run(
            [venv_python, "-c", "import importlib.util, sys; sys.exit(any("
             "importlib.util.find_spec(m) is None for m in "
             "('jupyterlab', 'notebook', 'nbclassic')))"]).returncode == 0:
        config.available_features.add("jupyter_frontends")
# AddressSanitizer reserves terabytes of address space: no `ulimit -v`.
if config.mav_sanitizers:
    config.available_features.add("asan")

# mav-render: %node runs test/browser/*.js (playwright-core from the repo's
# node_modules driving Debian's chromium); `browser` when both are installed.
config.substitutions.append(("%node", shutil.which("node") or "node"))
if not fast and shutil.which("node") and \
        os.path.exists("/usr/bin/chromium") and \
        os.path.isdir(os.path.join(config.mav_src_root, "node_modules",
                                   "playwright-core")):
    config.available_features.add("browser")
