"""Prints one closing line for a lit run from its xunit XML:

    LABEL: N passed, N failed, N skipped[ (T s)]

Usage: /usr/bin/python3 utils/lit-summary.py LABEL RESULTS.xml [START_EPOCH]
A missing or unreadable file counts as one failure (lit did not finish).
Used by utils/check and utils/check-sanitizers.
"""
import sys
import time
import xml.etree.ElementTree as ET

label, path = sys.argv[1], sys.argv[2]
elapsed = ""
if len(sys.argv) > 3:
    elapsed = " (%d s)" % (time.time() - int(sys.argv[3]))
try:
    root = ET.parse(path).getroot()
except (OSError, ET.ParseError):
    print("%s: 0 passed, 1 failed%s" % (label, elapsed))
    sys.exit(0)
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
total = failed = skipped = 0
for suite in suites:
    total += int(suite.get("tests", 0))
    failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped += int(suite.get("skipped", 0))
print("%s: %d passed, %d failed, %d skipped%s"
      % (label, total - failed - skipped, failed, skipped, elapsed))
