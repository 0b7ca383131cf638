"""The fallback captures, for models torch.export cannot capture.

Both run the model eagerly and describe it as IR text (mav/_irtext.py):

- ``fx``: torch.fx traces the forward symbolically, then the traced graph is
  run node by node on the user's inputs. The whole graph is known before it
  runs, so when a node raises, it is marked failed with the exception's
  message and every node after it is drawn not-run, with its parameters.
  This is IDLMAV's capture.
- ``hooks``: for a forward torch.fx cannot trace (Python control flow that
  branches on tensor values), the model runs once with forward hooks on its
  leaf modules and a TorchFunctionMode that sees the functions and tensor
  methods called between them. Only what ran is known: if a module raises,
  it is the failed node, and the leaf modules that never ran follow it as
  not-run nodes, in the order the model defines them.

Leaf modules (torch.nn's own: nn.Conv2d, nn.Linear...) become `nn.X` nodes
with their parameters and hyper-parameters, which the cost pass costs from
the node itself (docs/Costs.md); functions become `name()` and tensor
methods `.name()`, as in IDLMAV.
"""

from __future__ import annotations

import inspect
import operator

import torch
import torch.fx

from . import _irtext as ir
from ._irtext import Node


def _message(error: BaseException) -> str:
    text = str(error).strip()
    return text or type(error).__name__


def _class_path(root: torch.nn.Module, path: str) -> list[str]:
    """`class`: the root's class name, then the qualified class of every
    module on the way down to `path`."""
    classes = [type(root).__name__]
    module = root
    for part in path.split(".") if path else []:
        module = getattr(module, part, None) if not part.isdigit() else \
            module[int(part)] if hasattr(module, "__getitem__") else None
        if module is None:
            break
        cls = type(module)
        qualified = f"{cls.__module__}.{cls.__qualname__}"
        classes.append(qualified.removeprefix("__main__."))
    return classes


def _operation(module: torch.nn.Module) -> str:
    cls = type(module)
    if cls.__module__.startswith("torch.nn"):
        return "nn." + cls.__name__
    return cls.__name__


def _module_args(module: torch.nn.Module) -> dict:
    """Hyper-parameters shown on hover and read by the cost pass
    (kernel_size, stride, num_heads...)."""
    args = {}
    for name, value in vars(module).items():
        if name.startswith("_") or name == "training":
            continue
        if isinstance(value, (bool, int, float, str)) or value is None:
            args[name] = value
        elif isinstance(value, (tuple, list)) and all(
                isinstance(v, (bool, int, float)) for v in value):
            args[name] = list(value)
    return args


class _Params:
    """Counts each parameter once, on the first node that reads it; later
    readers list it in `shared_params` (tied weights)."""

    def __init__(self, model: torch.nn.Module):
        self.names = {}
        for name, p in model.named_parameters(remove_duplicate=False):
            self.names.setdefault(id(p), name)
        self.all = {id(p): (n, p) for n, p in model.named_parameters()}
        self.seen = set()

    def attach(self, attrs: dict, named) -> None:
        params, shared = {}, []
        for name, p in named:
            if id(p) in self.seen:
                shared.append(name)
            else:
                self.seen.add(id(p))
                params[name] = ir.Type(ir.tensor_type(p))
        if params:
            attrs["params"] = params
        if shared:
            attrs["shared_params"] = shared

    def unused(self) -> dict:
        return {n: ir.Type(ir.tensor_type(p))
                for i, (n, p) in self.all.items() if i not in self.seen}


def _modules_not_run(model, params: "_Params", nodes: list[Node]) -> None:
    """Parameters no node read belong to modules that never ran (an
    auxiliary head in eval mode, a branch not taken): inserts a not-run node
    of each module owning some, holding them, before the output node, as
    mav-trace does, so that the totals count every parameter."""
    owners = {}
    for qualified, type_ in params.unused().items():
        owners.setdefault(qualified.rpartition(".")[0], {})[qualified] = type_
    if not owners:
        return
    modules = dict(model.named_modules())
    taken = {n.name for n in nodes}
    added = []
    for path, owned in owners.items():
        module = modules.get(path)
        attrs = {"module": path, "class": _class_path(model, path)}
        args = _module_args(module) if module is not None else None
        if args:
            attrs["args"] = args
        attrs["params"] = owned
        attrs["status"] = "not-run"
        base = path.replace(".", "_") or "root"
        name, k = base, 0
        while name in taken:
            k += 1
            name = f"{base}_{k}"
        taken.add(name)
        operation = _operation(module) if module is not None else "Module"
        added.append(Node(name, operation, [], attrs))
    at = len(nodes) - 1 if nodes and nodes[-1].operation == "output" else \
        len(nodes)
    nodes[at:at] = added


def _module_node_attrs(model, path: str, module) -> dict:
    attrs = {"module": path, "class": _class_path(model, path)}
    args = _module_args(module)
    if args:
        attrs["args"] = args
    buffers = {f"{path}.{n}": ir.Type(ir.tensor_type(b))
               for n, b in module.named_buffers() if b is not None}
    if buffers:
        attrs["buffers"] = buffers
    return attrs


def _function_name(target) -> str:
    name = getattr(target, "__name__", None) or str(target)
    if name.startswith("__") and name.endswith("__"):
        name = name[2:-2]
        if name.startswith("i") and name[1:] in ("add", "sub", "mul",
                                                  "truediv", "matmul"):
            name = name[1:] + "_"
    return name


def _call_operation(func, name: str) -> str:
    """`.view()` for a tensor method, `add()` for a function or an operator
    (`x + y` calls Tensor.__add__), as in IDLMAV."""
    raw = getattr(func, "__name__", "")
    is_method = not raw.startswith("__") and getattr(torch.Tensor, raw,
                                                     None) is func
    return f".{name}()" if is_method else f"{name}()"


def _contains_tensor(value) -> bool:
    if isinstance(value, torch.Tensor):
        return True
    if isinstance(value, (tuple, list)):
        return any(_contains_tensor(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_tensor(v) for v in value.values())
    return False


def _bind_inputs(model, args, kwargs):
    """(name, value) of every forward argument given, in signature order."""
    try:
        bound = inspect.signature(model.forward).bind(*args, **kwargs)
        return list(bound.arguments.items())
    except (TypeError, ValueError):
        return [(f"input_{i}", a) for i, a in enumerate(args)] + list(
            kwargs.items())


def _failed_attrs(attrs: dict, error: BaseException) -> None:
    attrs["status"] = "failed"
    attrs["error"] = _message(error)


class CaptureFailure(Exception):
    """The fallback capture itself could not run (not the model's error)."""


def capture_fx(model, args, kwargs, graph_name: str, source: str):
    """IR text of `model` traced by torch.fx and run node by node.
    Returns (ir_text, failure) where failure is (module path, operation,
    message) of the node that raised, or None."""
    tracer = torch.fx.Tracer()
    try:
        graph = tracer.trace(model)
    except Exception as error:
        raise CaptureFailure(f"torch.fx cannot trace the model: "
                             f"{_message(error)}") from error
    modules = dict(model.named_modules())
    params = _Params(model)
    named_params = dict(model.named_parameters(remove_duplicate=False))

    given = dict(_bind_inputs(model, args, kwargs))
    env, nodes, failure = {}, [], None
    ir_names = set()  # fx nodes that are IR nodes

    def operands_of(fx_node):
        found = []
        torch.fx.node.map_arg((fx_node.args, fx_node.kwargs),
                              lambda n: found.append(n.name)
                              if n.name in ir_names else None)
        return found

    def load(fx_node):
        return torch.fx.node.map_arg((fx_node.args, fx_node.kwargs),
                                     lambda n: env[n.name])

    for fx_node in graph.nodes:
        if fx_node.op == "placeholder":
            name = fx_node.target.lstrip("*")
            if name in given:
                value = given[name]
            elif fx_node.args:
                value = fx_node.args[0]  # the default
            else:
                value = None
            env[fx_node.name] = value
            if isinstance(value, torch.Tensor):
                ir_names.add(fx_node.name)
                nodes.append(Node(fx_node.name, "input", (), {"module": ""},
                                  ir.tensor_type(value)))
            continue
        if fx_node.op == "get_attr":
            value = operator.attrgetter(fx_node.target)(model)
            env[fx_node.name] = value
            continue
        if fx_node.op == "output":
            # A forward that failed never produced its output.
            attrs = {"status": "not-run"} if failure is not None else {}
            nodes.append(Node("output", "output", operands_of(fx_node), attrs,
                              "()"))
            continue

        attrs = {}
        if fx_node.op == "call_module":
            module = modules[fx_node.target]
            operation = _operation(module)
            attrs.update(_module_node_attrs(model, fx_node.target, module))
            params.attach(attrs, ((f"{fx_node.target}.{n}", p) for n, p in
                                  module.named_parameters()))
        else:
            if fx_node.op == "call_method":
                operation = f".{fx_node.target}()"
            else:
                operation = f"{_function_name(fx_node.target)}()"
            attrs["module"] = ""
            attrs["class"] = _class_path(model, "")
            read = [a for a in fx_node.all_input_nodes if a.op == "get_attr"
                    and a.target in named_params]
            params.attach(attrs, ((a.target, named_params[a.target])
                                  for a in read))
        operands = operands_of(fx_node)
        if failure is not None:
            attrs["status"] = "not-run"
            nodes.append(Node(fx_node.name, operation, operands, attrs))
            ir_names.add(fx_node.name)
            continue
        try:
            call_args, call_kwargs = load(fx_node)
            if fx_node.op == "call_module":
                value = modules[fx_node.target](*call_args, **call_kwargs)
            elif fx_node.op == "call_method":
                self_obj, *rest = call_args
                value = getattr(self_obj, fx_node.target)(*rest,
                                                          **call_kwargs)
            else:
                value = fx_node.target(*call_args, **call_kwargs)
        except Exception as error:
            _failed_attrs(attrs, error)
            failure = (attrs.get("module", ""), operation, _message(error))
            nodes.append(Node(fx_node.name, operation, operands, attrs))
            ir_names.add(fx_node.name)
            continue
        env[fx_node.name] = value
        if fx_node.op != "call_module" and not _contains_tensor(value):
            continue  # size arithmetic and other plumbing
        attrs["status"] = "ok"
        ir_names.add(fx_node.name)
        nodes.append(Node(fx_node.name, operation, operands, attrs,
                          ir.value_type(value)))

    _modules_not_run(model, params, nodes)
    graph_attrs = {"source": source}
    return ir.graph_text(graph_name, graph_attrs, nodes), failure


class _Recorder(torch.overrides.TorchFunctionMode):
    """Sees every torch function and tensor method called outside a leaf
    module and records it as a node."""

    # Calls that only read metadata; never nodes.
    _SKIP = {"size", "dim", "numel", "shape", "dtype", "device", "__get__",
             "__len__", "__repr__", "__format__", "is_floating_point",
             "__bool__", "__index__", "__int__", "__float__", "stride",
             "is_contiguous", "data_ptr", "element_size", "tolist", "item",
             "requires_grad_", "__setstate__", "__reduce_ex__"}

    def __init__(self, capture):
        super().__init__()
        self.capture = capture

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        capture = self.capture
        name = _function_name(func)
        if capture.depth > 0 or name in self._SKIP or capture.failure:
            return func(*args, **kwargs)
        capture.depth += 1
        try:
            value = func(*args, **kwargs)
        except Exception as error:
            capture.depth -= 1
            capture.fail(_call_operation(func, name), "", (args, kwargs),
                         error)
            raise
        capture.depth -= 1
        if _contains_tensor(value):
            capture.record(_call_operation(func, name), "", (args, kwargs),
                           value, {})
        return value


class _HookCapture:
    def __init__(self, model):
        self.model = model
        self.params = _Params(model)
        self.nodes: list[Node] = []
        self.producer = {}  # id(tensor) -> node name
        self.alive = []     # keeps recorded tensors alive, so ids stay unique
        self.depth = 0
        self.stack = []     # leaf modules running
        self.failure = None
        self.counts = {}
        self.ran = set()

    def node_name(self, base: str) -> str:
        base = base.replace(".", "_") or "node"
        n = self.counts.get(base, 0)
        self.counts[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    def operands(self, inputs) -> list[str]:
        found = []

        def visit(v):
            if isinstance(v, torch.Tensor):
                name = self.producer.get(id(v))
                if name is not None and name not in found:
                    found.append(name)
            elif isinstance(v, (tuple, list)):
                for x in v:
                    visit(x)
            elif isinstance(v, dict):
                for x in v.values():
                    visit(x)
        visit(inputs)
        return found

    def produce(self, value, name: str) -> None:
        if isinstance(value, torch.Tensor):
            self.producer[id(value)] = name
            self.alive.append(value)
        elif isinstance(value, (tuple, list)):
            for v in value:
                self.produce(v, name)
        elif isinstance(value, dict):
            for v in value.values():
                self.produce(v, name)

    def record(self, operation, path, inputs, value, attrs):
        name = self.node_name(path or operation.strip(".()"))
        attrs.setdefault("module", path)
        attrs.setdefault("class", _class_path(self.model, path))
        attrs["status"] = "ok"
        self.nodes.append(Node(name, operation, self.operands(inputs), attrs,
                               ir.value_type(value)))
        self.produce(value, name)

    def fail(self, operation, path, inputs, error):
        if self.failure is not None:
            return
        attrs = {}
        if path:
            module = dict(self.model.named_modules())[path]
            attrs.update(_module_node_attrs(self.model, path, module))
            self.params.attach(attrs, ((f"{path}.{n}", p) for n, p in
                                       module.named_parameters()))
        else:
            attrs.update({"module": "", "class": _class_path(self.model, "")})
        _failed_attrs(attrs, error)
        name = self.node_name(path or operation.strip(".()"))
        self.nodes.append(Node(name, operation, self.operands(inputs), attrs))
        self.failure = (path, operation, _message(error), name)


def capture_hooks(model, args, kwargs, graph_name: str, source: str):
    """IR text of one eager run of `model`, seen through module hooks."""
    capture = _HookCapture(model)
    leaves = [(path, m) for path, m in model.named_modules()
              if path and not any(True for _ in m.children())]
    handles = []

    def pre_hook(path):
        def hook(module, inputs):
            if capture.depth == 0 and capture.failure is None:
                capture.stack.append((path, inputs))
            capture.depth += 1
        return hook

    def post_hook(path):
        def hook(module, inputs, output):
            capture.depth -= 1
            if capture.depth == 0 and capture.stack:
                capture.stack.pop()
                attrs = _module_node_attrs(model, path, module)
                capture.params.attach(attrs, ((f"{path}.{n}", p) for n, p
                                              in module.named_parameters()))
                capture.ran.add(path)
                capture.record(_operation(module), path, inputs, output,
                               attrs)
        return hook

    for path, module in leaves:
        handles.append(module.register_forward_pre_hook(pre_hook(path)))
        handles.append(module.register_forward_hook(post_hook(path)))
    for name, value in _bind_inputs(model, args, kwargs):
        if isinstance(value, torch.Tensor):
            node = capture.node_name(name)
            capture.nodes.append(Node(node, "input", (), {"module": ""},
                                      ir.tensor_type(value)))
            capture.produce(value, node)
    output, error = None, None
    try:
        with _Recorder(capture):
            output = model(*args, **kwargs)
    except Exception as raised:
        error = raised
    finally:
        for handle in handles:
            handle.remove()
    if error is not None:
        if capture.failure is None:
            path, inputs = capture.stack[0] if capture.stack else ("", ())
            module = dict(model.named_modules()).get(path)
            operation = _operation(module) if path else \
                f"{type(model).__name__}.forward"
            capture.depth = 0
            capture.fail(operation, path, inputs, error)
        previous = capture.failure[3]
        for path, module in leaves:
            if path in capture.ran or path == capture.failure[0]:
                continue
            attrs = _module_node_attrs(model, path, module)
            capture.params.attach(attrs, ((f"{path}.{n}", p) for n, p in
                                          module.named_parameters()))
            attrs["status"] = "not-run"
            name = capture.node_name(path)
            capture.nodes.append(Node(name, _operation(module), [previous],
                                      attrs))
            previous = name
        capture.nodes.append(Node("output", "output", [previous],
                                  {"status": "not-run"}, "()"))
    else:
        capture.nodes.append(Node(capture.node_name("output"), "output",
                                  capture.operands(output), {}, "()"))
    _modules_not_run(model, capture.params, capture.nodes)
    graph_attrs = {"source": source}
    failure = capture.failure[:3] if capture.failure else None
    return ir.graph_text(graph_name, graph_attrs, capture.nodes), failure
