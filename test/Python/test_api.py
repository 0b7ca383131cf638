"""The notebook package's API (mav.MAV), run with pytest in the build tree's
venv (PyTorch 2.x) by test/Python/api.test, against the package
`pip install ./` installed there (utils/setup.sh)."""

import gc
import inspect
import os
import warnings
import zipfile

import pytest
import torch
import torchvision
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

import mav
from mav import MAV, MavCaptureWarning, MavError, MavWarning


@pytest.fixture(scope="module")
def resnet():
    model = torchvision.models.resnet18().eval()
    return model, torch.randn(1, 3, 224, 224)


@pytest.fixture(scope="module")
def resnet_mav(resnet):
    return MAV(*resnet)


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(8, 4)
        self.b = nn.Linear(6, 4)

    def forward(self, x, y):
        return self.a(x) + self.b(y)


class HalfWritten(nn.Module):
    """Eager code TorchScript cannot compile, with a wrong in_features."""

    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(16, 16) for _ in range(3)])
        self.fc2 = nn.Linear(64, 10)
        self.head = nn.Linear(10, 5)

    def forward(self, x):
        for block in [b for b in self.blocks]:
            x = torch.relu(block(x))
        return self.head(self.fc2(x))


class DataDependent(nn.Module):
    """Branches on a tensor value: neither torch.export nor torch.fx."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)
        self.c = nn.Linear(4, 3)

    def forward(self, x):
        y = self.a(x)
        y = self.b(y) + 1 if y.sum() > 0 else self.b(-y)
        return self.c(y)


class Raises(nn.Module):
    def __init__(self, message):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.message = message

    def forward(self, x):
        x = self.fc(x)
        if x.shape[0] == 2:
            raise RuntimeError(self.message)
        return x


def n_params(model):
    return sum(p.numel() for p in model.parameters())


def test_idlmav_parameter_names():
    def names(f):
        return list(inspect.signature(f).parameters)

    assert names(MAV.__init__)[1:5] == ["model", "inputs", "device",
                                        "merge_threshold"]
    common = {"add_overview", "add_slider", "add_table", "palette",
              "avoid_palette_idxs", "fixed_color_map",
              "num_levels_displayed", "height_px", "continuous_colorscale",
              "size_color_idx"}
    assert common <= set(names(MAV.show_figure))
    assert common <= set(names(MAV.show_widget))
    assert names(MAV.export_static_html)[1:3] == ["filename",
                                                  "export_for_offline_use"]


def test_totals_match_torch(resnet, resnet_mav):
    model, x = resnet
    with FlopCounterMode(display=False) as counter:
        model(x)
    totals = resnet_mav.totals
    assert resnet_mav.capture == "export"
    assert totals["params"] == n_params(model) == 11689512
    # FlopCounterMode counts 2 x MACs of the matmul-like ops only.
    assert totals["macs"] * 2 == counter.get_total_flops()
    matmul = resnet_mav.run("cost{flops=matmul}").totals
    assert matmul["flops"] == counter.get_total_flops()
    assert totals["flops"] > matmul["flops"]


def test_inputs_as_tensor_tuple_and_dict():
    model = TwoInputs()
    x, y = torch.randn(2, 8), torch.randn(2, 6)
    by_tuple = MAV(model, (x, y))
    by_dict = MAV(model, {"x": x, "y": y})
    assert by_tuple.totals == by_dict.totals
    assert by_tuple.totals["params"] == n_params(model)
    assert by_tuple.ir == by_dict.ir
    one = MAV(nn.Linear(8, 4), torch.randn(2, 8))
    assert one.totals["macs"] == 2 * 8 * 4


def test_meta_device_model_allocates_no_weights():
    with torch.device("meta"):
        model = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(1024, 16, 4096, batch_first=True), 12)
    assert all(p.is_meta for p in model.parameters())
    drawn = MAV(model, torch.randn(1, 64, 1024))  # the input follows to meta
    assert drawn.capture == "export"
    assert drawn.totals["params"] == n_params(model)
    assert all(p.is_meta for p in model.parameters())


def test_run_reruns_passes(resnet_mav):
    other = resnet_mav.run("merge{threshold=0.05},layout{direction=right}")
    assert 'layout.direction = "right"' in other.ir
    assert "merge.threshold = 0.05" in other.ir
    assert 'layout.direction = "down"' in resnet_mav.ir
    assert other.totals["params"] == resnet_mav.totals["params"]
    with pytest.raises(MavError, match=r"<pass-pipeline>:1:1: error: .*nope"):
        resnet_mav.run("nope")
    with pytest.raises(TypeError):
        resnet_mav.run(3)


class Repeated(nn.Module):
    """Six identical residual blocks: one fold."""

    def __init__(self):
        super().__init__()
        self.blocks = nn.Sequential(*[Block() for _ in range(6)])

    def forward(self, x):
        return self.blocks(x)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)
        self.act = nn.ReLU()

    def forward(self, x):
        return x + self.act(self.fc(x))


def test_group_depth_groups_and_folds():
    plain = MAV(Repeated(), torch.randn(2, 8))
    assert "group.groups" not in plain.ir
    drawn = MAV(Repeated(), torch.randn(2, 8), group_depth=1)
    assert "group.depth = 1" in drawn.ir
    assert 'fold = 6, fold_instances = ["blocks.0", "blocks.1"' in drawn.ir
    assert drawn.totals == plain.totals
    assert "Block \u00d76" in drawn._repr_html_()  # the fold's label
    assert "group.depth = 2" in MAV(Repeated(), torch.randn(2, 8),
                                    group_depth="auto").ir
    for bad in (-1, "deep", True, 1.5):
        with pytest.raises(ValueError, match="group_depth"):
            MAV(Repeated(), torch.randn(2, 8), group_depth=bad)


def test_half_written_model_draws_with_failed_module():
    with pytest.warns(MavCaptureWarning) as record:
        drawn = MAV(HalfWritten(), torch.randn(2, 16))
    messages = [str(w.message) for w in record]
    assert any("drawn with the fx capture" in m for m in messages)
    assert any("failed in module 'fc2' (nn.Linear)" in m for m in messages)
    assert drawn.capture == "fx"
    assert drawn.failure[0] == "fc2"
    ir = drawn.captured_ir
    assert 'status = "failed"' in ir and 'status = "not-run"' in ir
    assert "mat1 and mat2 shapes cannot be multiplied" in ir
    assert 'node "output"(%head) {status = "not-run"}' in ir
    # Every parameter is counted, the not-run head's too.
    assert drawn.totals["params"] == n_params(HalfWritten())
    assert "#FF0000" in drawn.ir


def test_data_dependent_model_uses_hooks():
    model = DataDependent()
    with pytest.warns(MavCaptureWarning, match="hooks capture"):
        drawn = MAV(model, torch.randn(2, 4))
    assert drawn.capture == "hooks" and drawn.failure is None
    assert drawn.totals["params"] == n_params(model)
    assert drawn.totals["macs"] == 2 * (16 + 16 + 12)


class AuxHead(nn.Module):
    """An auxiliary classifier that only runs in training, as GoogLeNet's."""

    def __init__(self, branch_on_values=False):
        super().__init__()
        self.body = nn.Linear(4, 8)
        self.aux = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
        self.head = nn.Linear(8, 3)
        self.branch_on_values = branch_on_values

    def forward(self, x):
        y = self.body(x)
        if self.branch_on_values and y.sum() > 1e9:  # never, but data-dependent
            y = y * 2
        if self.training:
            return self.head(y), self.aux(y)
        return self.head(y)


@pytest.mark.parametrize("branch,capture", [(False, "export"), (True, "hooks")])
def test_modules_that_never_run_keep_their_parameters(branch, capture):
    model = AuxHead(branch).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MavCaptureWarning)
        drawn = MAV(model, torch.randn(2, 4))
    assert drawn.capture == capture
    assert drawn.totals["params"] == n_params(model) == 40 + 72 + 18 + 27
    assert drawn.totals["macs"] == 2 * (32 + 24)
    # One not-run node per module that never ran, named after its class.
    for path, shape in (("aux.0", "[8,8]"), ("aux.2", "[2,8]")):
        line = next(l for l in drawn.ir.splitlines()
                    if f'module = "{path}"' in l)
        assert '"nn.Linear"() {' in line and 'status = "not-run"' in line
        assert f"{path}.weight = f32{shape}" in line


def test_model_text_is_escaped_in_the_page():
    message = "</script><img src=x onerror=alert(1)>"
    with pytest.warns(MavCaptureWarning):
        drawn = MAV(Raises(message), torch.randn(2, 4))
    assert drawn.failure[2] == message
    page = drawn._page(offline=False)
    assert message not in page
    assert "<img src=x" not in drawn._repr_html_()


def test_export_static_html(tmp_path, resnet_mav):
    path = tmp_path / "resnet18.html"
    resnet_mav.export_static_html(path)
    online = path.read_text()
    assert '<script src="https://cdn.plot.ly' in online
    assert len(online) < 300_000
    resnet_mav.export_static_html(str(path), export_for_offline_use=True)
    offline = path.read_text()
    assert '<script src="https://cdn.plot.ly' not in offline
    assert len(offline) > 1_000_000
    with pytest.raises(FileNotFoundError):
        resnet_mav.export_static_html(tmp_path / "missing" / "x.html")
    assert sorted(os.listdir(tmp_path)) == ["resnet18.html"]


def test_display_carries_html_and_stays_small(resnet_mav):
    html = resnet_mav._repr_html_()
    assert "<iframe srcdoc=" in html and len(html) < 2_000_000
    # Where a front end removes the iframe (an untrusted notebook), the
    # notice after it says why; otherwise the box hides it.
    assert html.startswith('<div style="height:800px;overflow:hidden"><iframe')
    assert html.endswith("trust the notebook (File &gt; Trust Notebook in "
                         "Notebook 6; the command &#x27;Trust Notebook&#x27; "
                         "in JupyterLab and Notebook 7).</p></div>")
    figure = resnet_mav.figure(add_overview=True, add_slider=True)
    assert {"data", "layout"} <= set(figure)


def test_colour_options(resnet_mav):
    plain = resnet_mav.figure()
    mapped = resnet_mav.figure(palette="Vivid", avoid_palette_idxs={10},
                               fixed_color_map={"Convolution": 7,
                                                "add_()": "#00FF00"})
    assert plain != mapped
    assert "#00FF00" in str(mapped).upper()
    with pytest.raises(MavError, match="palette"):
        resnet_mav.figure(palette="NoSuchPalette")


@pytest.mark.parametrize("call, error", [
    (lambda: MAV("not a model", torch.randn(1)), TypeError),
    (lambda: MAV(nn.Linear(2, 2), 3), TypeError),
    (lambda: MAV(nn.Linear(2, 2), torch.randn(1, 2), merge_threshold="x"),
     TypeError),
    (lambda: MAV(nn.Linear(2, 2), torch.randn(1, 2), merge_threshold=2),
     ValueError),
    (lambda: MAV(nn.Linear(2, 2), torch.randn(1, 2), device="nowhere"),
     ValueError),
])
def test_bad_arguments(call, error):
    with pytest.raises(error, match="MAV"):
        call()


@pytest.mark.parametrize("kwargs", [
    {"palette": 3}, {"palette": ["red"]}, {"avoid_palette_idxs": {-1}},
    {"fixed_color_map": {"Convolution": "red"}},
    {"num_levels_displayed": 0}, {"size_color_idx": 7},
    {"add_table": "yes"},
])
def test_bad_render_options(resnet_mav, kwargs):
    with pytest.raises((TypeError, ValueError), match="MAV"):
        resnet_mav.figure(**kwargs)


def test_bad_ir_reports_location():
    with pytest.raises(MavError, match=r"^<x>:2:\d+: error: "):
        mav._mav.Graph.parse("graph @g {\n  %a = node 3\n}\n", "<x>")


def test_deterministic(resnet):
    first, second = MAV(*resnet), MAV(*resnet)
    assert first.ir == second.ir
    assert first._page(offline=False) == second._page(offline=False)


def test_memory_stays_flat(resnet):
    def rss_mb():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    for _ in range(5):
        MAV(*resnet)._repr_html_()
    gc.collect()
    before = rss_mb()
    for _ in range(50):
        MAV(*resnet)._repr_html_()
    gc.collect()
    assert rss_mb() - before < 8, "50 builds and displays grew memory"


# The tied weights of test/mav-trace/pt2-params.test, in the layout
# torch.export.save wrote before PyTorch 2.8 (utils/gen-export-models.py
# --fixtures).
TIED_LEGACY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                           "mav-trace", "Inputs", "pt2", "tied-legacy.pt2")


def test_core_warnings_reach_python(tmp_path):
    # The legacy layout's tied weight is found in its state dict...
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert MAV.from_pt2(TIED_LEGACY).totals["params"] == 1600
    # ...unless another tool compressed the entries: the reader's warning
    # says so, as mav-trace prints it.
    with zipfile.ZipFile(TIED_LEGACY) as stored, \
            zipfile.ZipFile(tmp_path / "deflated.pt2", "w",
                            zipfile.ZIP_DEFLATED) as deflated:
        for name in stored.namelist():
            deflated.writestr(name, stored.read(name))
    with pytest.warns(MavWarning, match="tied weights are not recognised"):
        drawn = MAV.from_pt2(tmp_path / "deflated.pt2")
    assert drawn.totals["params"] == 3200
    # A pass's warning: MACs beyond 64 bits, on a meta-device model.
    with torch.device("meta"):
        huge = nn.Linear(2 ** 30, 2 ** 30, bias=False)
    with pytest.warns(MavWarning, match="does not fit in 64 bits"):
        MAV(huge, torch.empty(16, 2 ** 30, device="meta"))
    assert issubclass(MavCaptureWarning, MavWarning)


def test_pt2_archive(tmp_path):
    model = TwoInputs()
    program = torch.export.export(model, (torch.randn(2, 8), torch.randn(2, 6)))
    path = tmp_path / "two.pt2"
    torch.export.save(program, path)
    drawn = MAV.from_pt2(path)
    assert drawn.totals["params"] == n_params(model)
    with pytest.raises(MavError, match="error"):
        (tmp_path / "bad.pt2").write_bytes(b"PK\x03\x04broken")
        MAV.from_pt2(tmp_path / "bad.pt2")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MAV(model, (torch.randn(2, 8), torch.randn(2, 6)))  # no warning


def test_installed_extension_links_no_libtorch():
    import subprocess

    extension = mav._mav.__file__
    assert "site-packages" in extension, "tests must use the installed package"
    linked = subprocess.run(["ldd", extension], capture_output=True,
                            text=True, check=True).stdout
    assert "libtorch" not in linked and "libc10" not in linked
