# lit configuration for the GoogleTest unit tests: every executable named
# *Tests in build/test/Unit is run, one lit test per GoogleTest case.
import os

import lit.formats

config.name = "mav-unit"
config.test_format = lit.formats.GoogleTest(".", "Tests")
config.test_source_root = config.unit_test_dir
config.test_exec_root = config.unit_test_dir
