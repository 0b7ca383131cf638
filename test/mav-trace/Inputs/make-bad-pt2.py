#!/usr/bin/python3
"""make-bad-pt2.py GOOD.pt2 LEGACY.pt2 OUTDIR - damaged archives for pt2-bad-inputs.test.

Each file is GOOD.pt2 (a real torch.export archive) broken in one way, made
with the standard library only, so the test needs no PyTorch 2.x:

  truncated.pt2      the first 3000 bytes (no central directory)
  no-graph.pt2       every entry but models/model.json
  malformed.pt2      models/model.json cut in the middle of a string
  wrong-type.pt2     graph.nodes is a string
  bad-node.pt2       a node's target is a number
  schema-v9.pt2      schema_version {major: 9, minor: 1}
  huge.pt2           the central directory says models/model.json is 4 GB
  dotdot.pt2         an extra entry named ../../etc/passwd
  many-entries.pt2   100,000 empty entries, an archive_format, no graph
  legacy.pt2         the same graph in the layout before PyTorch 2.8
  unknown-op.pt2     not damaged: the ReLU runs `mylib::fancy_relu`, an op
                     mav has no formula for

and from LEGACY.pt2 (tied weights in the layout before PyTorch 2.8, whose
pickled state dict says which names are one tensor):

  legacy-deflated.pt2   the same entries compressed: the state dict cannot
                        be opened in place
  legacy-bad-pickle.pt2 the state dict's data.pkl has an opcode torch.save
                        never writes (EXT1)
  legacy-deep.pt2       a data.pkl of 200,000 lists, each in the next, built
                        so that no container is deeper than one when made
  legacy-cycle.pt2      a data.pkl whose list holds itself
"""

import io
import json
import os
import struct
import sys
import zipfile


def entries(path):
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def write(path, items, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in items:
            z.writestr(name, data)


def with_pickle(legacy_items, pickle):
    """LEGACY's entries with the state dict's data.pkl replaced."""
    result = []
    for name, data in legacy_items:
        if name == "serialized_state_dict.pt":
            inner = entries(io.BytesIO(data))
            buf = io.BytesIO()
            write(buf, [(n, pickle if n.endswith("/data.pkl") else d)
                        for n, d in inner])
            data = buf.getvalue()
        result.append((name, data))
    return result


def legacy_cases(legacy, outdir):
    items = entries(legacy)
    out = lambda name: os.path.join(outdir, name)
    write(out("legacy-deflated.pt2"), items, zipfile.ZIP_DEFLATED)
    write(out("legacy-bad-pickle.pt2"),
          with_pickle(items, b"\x80\x02}q\x00\x82\x01."))
    # Lists L0..Ln made empty, then L(i) appended to L(i+1) from the top
    # down: each APPEND sees an empty list. Freeing or walking the chain
    # recursively would need 200,000 stack frames.
    n = 200000
    deep = bytearray(b"\x80\x02")
    for i in range(n):
        deep += b"]r" + struct.pack("<I", i)  # EMPTY_LIST, LONG_BINPUT i
    deep += b"0" * n                             # POP them all
    for i in range(n - 1, 0, -1):
        deep += b"j" + struct.pack("<I", i)      # LONG_BINGET i
        deep += b"j" + struct.pack("<I", i - 1)  # LONG_BINGET i-1
        deep += b"a0"                            # APPEND, POP
    deep += b"j" + struct.pack("<I", n - 1) + b"."
    write(out("legacy-deep.pt2"), with_pickle(items, bytes(deep)))
    # EMPTY_LIST, DUP, APPEND: a list that holds itself.
    write(out("legacy-cycle.pt2"), with_pickle(items, b"\x80\x02]2a."))


def main(good, outdir):
    os.makedirs(outdir, exist_ok=True)
    items = entries(good)
    out = lambda name: os.path.join(outdir, name)
    model = next(n for n, _ in items if n.endswith("/models/model.json"))
    program = json.loads(dict(items)[model])

    def with_program(name, mutate):
        p = json.loads(json.dumps(program))
        mutate(p)
        write(out(name), [(n, json.dumps(p) if n == model else d)
                          for n, d in items])

    with open(good, "rb") as f:
        data = f.read()
    with open(out("truncated.pt2"), "wb") as f:
        f.write(data[:3000])
    write(out("no-graph.pt2"), [(n, d) for n, d in items if n != model])
    text = json.dumps(program)
    write(out("malformed.pt2"),
          [(n, text[:len(text) // 2] if n == model else d) for n, d in items])
    with_program("wrong-type.pt2",
                 lambda p: p["graph_module"]["graph"].update(nodes="conv"))
    with_program("bad-node.pt2", lambda p: p["graph_module"]["graph"][
        "nodes"][0].update(target=42))
    with_program("schema-v9.pt2",
                 lambda p: p.update(schema_version={"major": 9, "minor": 1}))

    # The central directory's uncompressed size of the graph entry, patched
    # to 0xFFFFFFF0: a reader that trusts it allocates 4 GB.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in items:
            z.writestr(n, d)
    raw = bytearray(buf.getvalue())
    name = model.encode()
    pos = raw.find(b"PK\x01\x02")
    while pos >= 0:
        length = struct.unpack_from("<H", raw, pos + 28)[0]
        if bytes(raw[pos + 46:pos + 46 + length]) == name:
            struct.pack_into("<I", raw, pos + 24, 0xFFFFFFF0)
        pos = raw.find(b"PK\x01\x02", pos + 46)
    with open(out("huge.pt2"), "wb") as f:
        f.write(raw)

    write(out("dotdot.pt2"), items + [("../../etc/passwd", b"x")])
    with zipfile.ZipFile(out("many-entries.pt2"), "w") as z:
        for i in range(100000):
            z.writestr("m/data/weights/w%d" % i, b"")
        z.writestr("m/archive_format", b"pt2")
    def rename_relu(p):
        for node in p["graph_module"]["graph"]["nodes"]:
            if node["target"] == "torch.ops.aten.relu.default":
                node["target"] = "torch.ops.mylib.fancy_relu.default"
    with_program("unknown-op.pt2", rename_relu)
    write(out("legacy.pt2"),
          [("legacy/serialized_exported_program.json", text),
           ("legacy/serialized_state_dict.pt", b"not read"),
           ("legacy/serialized_constants.pt", b"not read"),
           ("legacy/version", b"1")])


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[3])
    legacy_cases(sys.argv[2], sys.argv[3])
