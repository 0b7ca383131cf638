"""Prints parts of a JSON document from stdin, one compact line per path:

    mav-render x.mav --plotly-json | python query.py layout/title data/1/x

prints `layout/title = {"text":"tiny","x":0.5}`. A path is `/`-separated
keys and list indices (keys may contain dots, as Plotly's `marker.size`);
`#` after a path prints the length of the list or dict there instead.
Used by the mav-render lit tests so FileCheck sees short, stable lines.
"""
import json
import sys

document = json.load(sys.stdin)
for path in sys.argv[1:]:
    count = path.endswith("#")
    value = document
    for part in filter(None, path.rstrip("#").split("/")):
        value = value[int(part)] if isinstance(value, list) else value[part]
    if count:
        print(f"{path} = {len(value)}")
    else:
        print(f"{path} = {json.dumps(value, separators=(',', ':'), sort_keys=True, ensure_ascii=False)}")
