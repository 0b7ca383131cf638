//===- Interpreter.cpp - Run a TorchScript forward op by op ---------------===//
//
// mav-trace does not inline the model and hand it to torch's interpreter: it
// walks the (non-inlined) forward graph itself, node by node, and follows
// prim::CallMethod into submodules and prim::CallFunction into scripted
// functions. That way the module boundaries are exact (the callee is an
// object whose path was indexed at load time, even for `self.layers[0]`),
// control flow is executed for real, and every aten op is run through its
// registered Operation so that its inputs and outputs can be recorded.
//
// Grouping (TraceGranularity::Module): a call of a leaf module becomes one
// node, and so does a scripted function called from a non-leaf module; every
// other aten op that produces a tensor in a non-leaf module's forward becomes
// a node of its own. Plumbing (constants, lists, tuples, sizes) never does.
//
// Edges are found by tensor identity: each tensor a node produces is mapped
// (by its TensorImpl) to the node result; a later node's operands are the
// producers of the tensors it reads, however they travelled through lists
// and tuples. Parameters are recognised the same way.
//
// When an op throws, its node is marked `failed` and the interpreter keeps
// walking in "not-run" mode: tensor ops are no longer executed (their values
// are unknown, their edges follow the graph's data flow), but attribute reads,
// constants and plumbing on known values still run, so the remaining modules
// are found and their parameters counted.
//
// With TraceOptions::shapesOnly the model's tensors are meta tensors (shape
// and dtype, no storage). Each op runs on a shape rule of ours for the heavy
// ops libtorch 1.13 has no C++ meta kernel for (convolutions, norms, fused
// attention), else on its meta kernel, else (no kernel, or the op needs
// values: item, Bool, nonzero) on CPU on zero-filled tensors, its results
// turned back into meta tensors. The recorded IR is the normal mode's.
//
// The interpreter is split by concern. This file is its core: the module
// index, values and edges, node recording, the progress estimate and the
// driver. Execution.cpp runs a graph's nodes; MetaShapeRules.cpp has the
// shape rules of shapes-only mode; ValueConversion.cpp turns torch values
// into IR types and attributes. InterpreterImpl.h declares the Interpreter
// class that this file and Execution.cpp share.
//
//===----------------------------------------------------------------------===//

#include "InterpreterImpl.h"
#include "ValueConversion.h"

#include <torch/csrc/jit/api/function_impl.h>

#include <algorithm>
#include <functional>
#include <set>
#include <tuple>
#include <unordered_set>

#include <fmt/format.h>

using namespace mav;
using namespace mav::trace;

//===----------------------------------------------------------------------===//
// Names and locations
//===----------------------------------------------------------------------===//

namespace {

/// `__torch__.torch.nn.modules.conv.___torch_mangle_3.Conv2d` ->
/// `torch.nn.modules.conv.Conv2d`.
std::string cleanClassName(std::string_view qualified) {
  std::vector<std::string_view> kept;
  size_t start = 0;
  while (start <= qualified.size()) {
    size_t dot = qualified.find('.', start);
    if (dot == std::string_view::npos)
      dot = qualified.size();
    std::string_view part = qualified.substr(start, dot - start);
    bool mangle = part.rfind("___torch_mangle_", 0) == 0;
    bool prefix = kept.empty() && part == "__torch__";
    if (!mangle && !prefix && !part.empty())
      kept.push_back(part);
    start = dot + 1;
  }
  return fmt::format("{}", fmt::join(kept, "."));
}

std::string_view getShortName(std::string_view qualified) {
  size_t dot = qualified.rfind('.');
  return dot == std::string_view::npos ? qualified : qualified.substr(dot + 1);
}

} // namespace

std::string mav::trace::joinPath(std::string_view prefix,
                                 std::string_view name) {
  if (prefix.empty())
    return std::string(name);
  return fmt::format("{}.{}", prefix, name);
}

std::string mav::trace::pathToName(std::string_view path) {
  std::string name(path);
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

std::string mav::trace::functionNodeName(std::string_view modulePath,
                                         std::string_view function) {
  if (modulePath.empty())
    return std::string(function);
  return fmt::format("{}_{}", pathToName(modulePath), function);
}

namespace {

/// Names used as `torch.flatten(x)`-style namespaces rather than tensors,
/// to tell `torch.flatten(x, 1)` (a function) from `x.flatten(1)` (a method).
bool isNamespaceName(std::string_view name) {
  static const std::unordered_set<std::string_view> kNamespaces = {
      "torch", "F",   "functional", "nn",      "_VF",  "_C",    "_nn",
      "math",  "fft", "linalg",     "special", "init", "_refs", "ops"};
  return kNamespaces.count(name) != 0;
}

/// Tensor methods commonly called as `x.name(...)`: used to name ops when
/// the model carries no Python source text (traced models).
bool isCommonTensorMethod(std::string_view name) {
  static const std::unordered_set<std::string_view> kMethods = {
      "view",      "view_as",   "reshape",     "reshape_as", "permute",
      "transpose", "t",         "contiguous",  "expand",     "expand_as",
      "repeat",    "unsqueeze", "squeeze",     "type_as",    "to",
      "float",     "double",    "half",        "long",       "int",
      "bool",      "chunk",     "split",       "unbind",     "narrow",
      "clone",     "detach",    "masked_fill", "size",       "numel",
      "new_zeros", "new_ones",  "new_full",    "new_empty",  "unfold"};
  return kMethods.count(name) != 0;
}

/// Python source text of the expression a graph node came from, if the
/// model's debug information kept it.
std::string getOriginalSourceText(const jit::Node *node) {
  try {
    const jit::SourceRange &range = node->sourceRange();
    c10::optional<jit::SourceRange> original =
        range.findSourceRangeThatGenerated();
    if (!original || !original->source())
      return {};
    // Traced models point at whole Python files; a real expression is short.
    if (original->end() - original->start() > 400)
      return {};
    return original->text().str();
  } catch (const std::exception &) {
    return {};
  }
}

} // namespace

std::string mav::trace::getOpNodeName(const jit::Node *node) {
  std::string name(node->kind().toUnqualString());
  std::string text = getOriginalSourceText(node);
  bool isMethod;
  if (!text.empty()) {
    // `<receiver>.name(...)`: a method unless the receiver is a namespace.
    // The range of a call may stop before its arguments (`x.expand`).
    std::string needle = "." + name;
    size_t pos = text.find(needle + "(");
    if (pos == std::string::npos && text.size() >= needle.size() &&
        text.compare(text.size() - needle.size(), needle.size(), needle) == 0)
      pos = text.size() - needle.size();
    isMethod = false;
    if (pos != std::string::npos) {
      size_t begin = pos;
      while (begin > 0 &&
             (std::isalnum(static_cast<unsigned char>(text[begin - 1])) ||
              text[begin - 1] == '_'))
        --begin;
      std::string_view receiver(text.data() + begin, pos - begin);
      isMethod = !isNamespaceName(receiver);
    }
  } else {
    std::string_view base = name;
    if (base.size() > 1 && base.back() == '_')
      base.remove_suffix(1);
    isMethod = isCommonTensorMethod(base) || base != name;
  }
  return isMethod ? fmt::format(".{}()", name) : fmt::format("{}()", name);
}

Location mav::trace::getNodeLocation(const jit::Node *node) {
  Location loc;
  try {
    const jit::SourceRange &range = node->sourceRange();
    c10::optional<jit::SourceRange> original =
        range.findSourceRangeThatGenerated();
    const jit::SourceRange &use = original ? *original : range;
    if (auto fileLineCol = use.file_line_col()) {
      loc.file = std::get<0>(*fileLineCol);
      loc.line = static_cast<uint32_t>(std::get<1>(*fileLineCol));
      loc.column = static_cast<uint32_t>(std::get<2>(*fileLineCol)) + 1;
      if (loc.file.empty())
        loc = Location();
    }
  } catch (const std::exception &) {
    loc = Location();
  }
  return loc;
}

//===----------------------------------------------------------------------===//
// Module index
//===----------------------------------------------------------------------===//

namespace {

/// The hyper-parameters of a module for its node's `args` (hover text): the
/// constants of its class type (where TorchScript keeps nn.Conv2d's
/// `__constants__`: kernel_size, stride, padding...) and its plain
/// attributes, without private names (leading `_`), `training`, parameters,
/// buffers, submodules and tensors.
DictAttr getModuleArgs(IRContext &ctx, const c10::ivalue::Object &object) {
  const c10::ClassTypePtr &type = object.type();
  DictAttr args;
  auto add = [&](const std::string &name, const c10::IValue &value) {
    if (name.empty() || name[0] == '_' || name == "training")
      return;
    if (std::optional<Attribute> attr = getHyperParameterAttr(ctx, value))
      args.set(ctx, name, std::move(*attr));
  };
  for (size_t i = 0; i < type->numAttributes(); ++i) {
    if (type->is_parameter(i) || type->is_buffer(i) ||
        type->getAttribute(i)->is_module())
      continue;
    add(type->getAttributeName(i), object.getSlot(i));
  }
  for (size_t i = 0; i < type->numConstants(); ++i)
    add(type->getConstantName(i), type->getConstant(i));
  return args;
}

bool isContainerClass(std::string_view cls) {
  return cls == "torch.nn.modules.container.Sequential" ||
         cls == "torch.nn.modules.container.ModuleList" ||
         cls == "torch.nn.modules.container.ModuleDict";
}

} // namespace

void Interpreter::indexModule(
    const c10::intrusive_ptr<c10::ivalue::Object> &object,
    const std::string &path, std::vector<std::string> classes) {
  // A module reachable by several paths keeps the first, like
  // named_modules().
  if (modules.count(object.get()))
    return;
  const c10::ClassTypePtr &type = object->type();
  std::string cls = cleanClassName(type->name() ? type->name()->qualifiedName()
                                                : type->str());
  classes.push_back(cls);

  ModuleInfo info;
  info.object = object.get();
  info.path = path;
  info.classes = classes;
  bool isTorchNn = cls.rfind("torch.nn.", 0) == 0;
  info.opName = isTorchNn ? fmt::format("nn.{}", getShortName(cls))
                          : std::string(getShortName(cls));
  bool hasChildren = false;
  for (size_t i = 0; i < type->numAttributes(); ++i)
    if (type->getAttribute(i)->is_module())
      hasChildren = true;
  // torch.nn modules are leaves as in torch.fx (nn.MultiheadAttention is one
  // node), containers never are; other modules are leaves without children.
  info.leaf =
      !path.empty() && !isContainerClass(cls) && (isTorchNn || !hasChildren);
  if (info.leaf)
    info.args = getModuleArgs(ctx, *object);
  modules.emplace(object.get(), std::move(info));

  // Parameters and buffers first, then children: named_parameters() order.
  for (size_t i = 0; i < type->numAttributes(); ++i) {
    bool isParam = type->is_parameter(i);
    bool isBuffer = type->is_buffer(i);
    const c10::IValue &slot = object->getSlot(i);
    if (!slot.isTensor() || !slot.toTensor().defined())
      continue;
    at::Tensor tensor = slot.toTensor();
    // Tied weights may be distinct TensorImpls over one storage: the key is
    // taken from the real tensor, before a meta copy replaces it.
    std::string canonical = fmt::format(
        "{}:{}:{}:{}", fmt::ptr(tensor.storage().unsafeGetStorageImpl()),
        tensor.storage_offset(), fmt::join(tensor.sizes(), "x"),
        fmt::join(tensor.strides(), "x"));
    if (options.shapesOnly && !tensor.is_meta()) {
      tensor = getMetaState(tensor);
      object->setSlot(i, tensor);
    }
    if (!isParam && !isBuffer)
      continue;
    c10::TensorImpl *impl = tensor.unsafeGetTensorImpl();
    if (states.count(impl))
      continue;
    StateInfo state;
    state.name = joinPath(path, type->getAttributeName(i));
    state.canonical = std::move(canonical);
    state.isBuffer = isBuffer;
    stateOrder.emplace_back(tensor, state.canonical);
    states.emplace(impl, std::move(state));
  }
  for (size_t i = 0; i < type->numAttributes(); ++i) {
    if (!type->getAttribute(i)->is_module())
      continue;
    const c10::IValue &slot = object->getSlot(i);
    if (slot.isObject())
      indexModule(slot.toObject(), joinPath(path, type->getAttributeName(i)),
                  classes);
  }
}

//===----------------------------------------------------------------------===//
// Values and edges
//===----------------------------------------------------------------------===//

Slot Interpreter::readInput(const Env &env, const jit::Value *value) const {
  auto it = env.find(value);
  if (it == env.end())
    throw std::runtime_error(
        fmt::format("internal error: value %{} used before definition",
                    value->debugName()));
  return it->second;
}

std::vector<Slot> Interpreter::readInputs(const Env &env, const jit::Node *node,
                                          size_t first) const {
  std::vector<Slot> slots;
  for (size_t i = first; i < node->inputs().size(); ++i)
    slots.push_back(readInput(env, node->inputs()[i]));
  return slots;
}

void Interpreter::bindOutputs(const jit::Node *node, Env &env,
                              std::vector<Slot> results) {
  for (size_t i = 0; i < results.size(); ++i)
    env[node->outputs()[i]] = std::move(results[i]);
}

std::vector<ValueRef> Interpreter::getSources(const Slot &slot) const {
  if (!slot.known)
    return slot.sources;
  std::vector<ValueRef> refs;
  forEachTensor(slot.value, [&](const at::Tensor &tensor) {
    auto it = producers.find(tensor.unsafeGetTensorImpl());
    if (it != producers.end() &&
        std::find(refs.begin(), refs.end(), it->second.ref) == refs.end())
      refs.push_back(it->second.ref);
  });
  return refs;
}

std::vector<ValueRef>
Interpreter::getSources(const std::vector<Slot> &slots) const {
  std::vector<ValueRef> refs;
  for (const Slot &slot : slots)
    for (const ValueRef &ref : getSources(slot))
      if (std::find(refs.begin(), refs.end(), ref) == refs.end())
        refs.push_back(ref);
  return refs;
}

void Interpreter::registerProducer(const c10::IValue &value, ValueRef ref) {
  forEachTensor(value, [&](const at::Tensor &tensor) {
    // A weak reference keeps the TensorImpl's address from being reused by
    // a later tensor while the map refers to it (the storage is still freed).
    producers.insert_or_assign(
        tensor.unsafeGetTensorImpl(),
        Producer{
            c10::weak_intrusive_ptr<c10::TensorImpl>(tensor.getIntrusivePtr()),
            ref});
  });
}

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

std::string Interpreter::makeUniqueName(const std::string &base) {
  unsigned &count = nameCounts[base];
  while (true) {
    std::string name = count == 0 ? base : fmt::format("{}_{}", base, count);
    ++count;
    if (usedNames.insert(name).second)
      return name;
  }
}

OpenNode Interpreter::openNode(std::string baseName, std::string op,
                               const ModuleInfo *module,
                               const std::vector<Slot> &args,
                               const jit::Node *site) {
  OpenNode open;
  open.token = nextToken++;
  open.node.name = makeUniqueName(baseName);
  open.node.op = std::move(op);
  open.node.operands = getSources(args);
  open.node.attrs.set(ctx, attrs::kModule,
                      Attribute::string(ctx, module->path));
  open.node.attrs.set(ctx, attrs::kClass,
                      Attribute::stringList(ctx, module->classes));
  if (site)
    open.siteLoc = getNodeLocation(site);
  if (options.debugInfo)
    open.node.loc = open.siteLoc;
  if (notRunMode)
    open.status = attrs::kStatusNotRun;
  return open;
}

void Interpreter::closeNode(OpenNode &open, std::vector<Slot> results,
                            const std::vector<c10::TypePtr> &staticTypes) {
  // A single tuple or list result is spread over several node results, so
  // that its elements can be used as `%name#i`.
  if (results.size() == 1) {
    const Slot &only = results[0];
    std::vector<Slot> spread;
    if (only.known && only.value.isTuple()) {
      for (const c10::IValue &element : only.value.toTupleRef().elements())
        spread.push_back(Slot{element, true, {}});
    } else if (only.known && only.value.isList() &&
               containsTensor(only.value)) {
      for (const c10::IValue &element : only.value.toListRef())
        spread.push_back(Slot{element, true, {}});
    } else if (!only.known && staticTypes.size() == 1 &&
               staticTypes[0]->kind() == c10::TypeKind::TupleType) {
      spread.resize(staticTypes[0]->containedTypes().size(), Slot::unknown());
    }
    if (!spread.empty())
      results = std::move(spread);
  }

  Node &node = open.node;
  uint32_t index = static_cast<uint32_t>(graph.size());
  for (uint32_t i = 0; i < results.size(); ++i) {
    const Slot &result = results[i];
    node.resultTypes.push_back(result.known ? getIValueType(ctx, result.value)
                                            : Type::unknown());
  }
  if (options.debugInfo && !node.loc.isKnown())
    node.loc = open.innerLoc;
  DictAttr &attrs = node.attrs;
  if (open.status != attrs::kStatusNotRun)
    attrs.set(ctx, attrs::kOps, Attribute::list(ctx, std::move(open.ops)));
  if (!open.params.empty())
    attrs.set(ctx, attrs::kParams,
              Attribute::dict(ctx, std::move(open.params)));
  if (!open.buffers.empty())
    attrs.set(ctx, attrs::kBuffers,
              Attribute::dict(ctx, std::move(open.buffers)));
  if (!open.sharedParams.empty())
    attrs.set(ctx, attrs::kSharedParams,
              Attribute::stringList(ctx, open.sharedParams));
  attrs.set(ctx, attrs::kStatus, Attribute::string(ctx, open.status));
  if (!open.error.empty())
    attrs.set(ctx, attrs::kError, Attribute::string(ctx, open.error));
  std::string module(attrs.getString(attrs::kModule));
  graph.addNode(std::move(node));

  for (uint32_t i = 0; i < results.size(); ++i)
    if (results[i].known)
      registerProducer(results[i].value, ValueRef{index, i});
  if (options.progress)
    options.progress(
        TraceProgress{graph.size(), summary.realOps, opsExpected, module});
}

void Interpreter::noteStateReads(const std::vector<Slot> &inputs) {
  if (!current)
    return;
  for (const Slot &slot : inputs) {
    if (!slot.known)
      continue;
    forEachTensor(slot.value, [&](const at::Tensor &tensor) {
      c10::TensorImpl *impl = tensor.unsafeGetTensorImpl();
      auto it = states.find(impl);
      if (it == states.end())
        return;
      const StateInfo &state = it->second;
      auto access = accessNames.find(impl);
      const std::string &name =
          access != accessNames.end() ? access->second : state.name;
      auto [counted, first] =
          countedStates.emplace(state.canonical, current->token);
      if (first) {
        (state.isBuffer ? current->buffers : current->params)
            .set(ctx, name, Attribute::type(getTensorType(ctx, tensor)));
        return;
      }
      if (counted->second == current->token || state.isBuffer)
        return;
      if (std::find(current->sharedParams.begin(), current->sharedParams.end(),
                    name) == current->sharedParams.end())
        current->sharedParams.push_back(name);
    });
  }
}

void Interpreter::claimModuleState(const c10::ivalue::Object *object) {
  // Every parameter and buffer in the module's subtree not yet counted: for
  // a module call that never ran.
  const c10::ClassTypePtr &type = object->type();
  for (size_t i = 0; i < type->numAttributes(); ++i) {
    const c10::IValue &slot = object->getSlot(i);
    if (slot.isObject() && type->getAttribute(i)->is_module()) {
      claimModuleState(&slot.toObjectRef());
      continue;
    }
    if (!slot.isTensor())
      continue;
    auto it = states.find(slot.toTensor().unsafeGetTensorImpl());
    if (it != states.end())
      noteStateReads({Slot{slot, true, {}}});
  }
}

void Interpreter::recordFailure(const jit::Node *node, const ModuleInfo *module,
                                const std::string &message) {
  notRunMode = true;
  summary.forwardFailed = true;
  std::string where = module->path.empty()
                          ? std::string("the root module")
                          : fmt::format("module '{}'", module->path);
  // The node's `error` keeps a few lines; the warning shows the first.
  std::string_view firstLine(message);
  firstLine = firstLine.substr(0, firstLine.find('\n'));
  Diagnostic diag = makeDiagnostic(
      Severity::Warning, SourceLoc(),
      fmt::format("forward pass failed in {} ({}) at op {}: {}", where,
                  module->path.empty() ? module->classes.back()
                                       : module->opName,
                  node->kind().toQualString(), firstLine));
  // The Python lines are not in a buffer mav can show: name them in notes.
  auto addNote = [&](const Location &loc, std::string_view what) {
    if (!loc.isKnown())
      return;
    Diagnostic note;
    note.severity = Severity::Note;
    note.message = fmt::format("{} {}:{}", what, loc.file, loc.line);
    diag.notes.push_back(std::move(note));
  };
  if (current)
    addNote(current->siteLoc, "the module or function was called at");
  addNote(getNodeLocation(node), "the failing op is at");
  diags.emit(std::move(diag));
}

//===----------------------------------------------------------------------===//
// Progress estimate
//===----------------------------------------------------------------------===//

size_t Interpreter::countStaticOps(const jit::Block *block, size_t depth) {
  constexpr size_t kMaxTrips = 1000;
  size_t count = 0;
  for (const jit::Node *node : block->nodes()) {
    c10::Symbol kind = node->kind();
    if (kind == c10::prim::Constant || kind == c10::prim::GetAttr)
      continue;
    if (kind == c10::prim::If) {
      // A branch that raises is not expected to run; of two others, the
      // shorter (early returns and fast paths are the usual ones taken).
      auto raises = [](const jit::Block *branch) {
        for (const jit::Node *inner : branch->nodes())
          if (inner->kind() == c10::prim::RaiseException)
            return true;
        return false;
      };
      const jit::Block *thenBlock = node->blocks()[0];
      const jit::Block *elseBlock = node->blocks()[1];
      size_t thenCount = countStaticOps(thenBlock, depth);
      size_t elseCount = countStaticOps(elseBlock, depth);
      bool thenRaises = raises(thenBlock), elseRaises = raises(elseBlock);
      if (thenRaises != elseRaises)
        count += 1 + (thenRaises ? elseCount : thenCount);
      else
        count += 1 + std::min(thenCount, elseCount);
      continue;
    }
    if (kind == c10::prim::Loop) {
      size_t trips = 1;
      if (std::optional<c10::IValue> max = jit::toIValue(node->input(0)))
        if (max->isInt() && max->toInt() >= 0)
          trips =
              std::min<size_t>(static_cast<size_t>(max->toInt()), kMaxTrips);
      count += trips * countStaticOps(node->blocks()[0], depth);
      continue;
    }
    jit::Graph *callee = nullptr;
    try {
      if (kind == c10::prim::CallMethod) {
        if (auto cls = node->input(0)->type()->cast<c10::ClassType>())
          callee =
              jit::toGraphFunction(cls->getMethod(node->s(c10::attr::name)))
                  .graph()
                  .get();
      } else if (kind == c10::prim::CallFunction) {
        if (auto fn = node->input(0)->type()->cast<c10::FunctionType>())
          callee = jit::toGraphFunction(*fn->function()).graph().get();
      }
    } catch (const std::exception &) {
      callee = nullptr;
    }
    if (callee) {
      count += countStaticOps(*callee, depth + 1);
      continue;
    }
    ++count;
  }
  return count;
}

size_t Interpreter::countStaticOps(jit::Graph &graph, size_t depth) {
  constexpr size_t kMaxDepth = 200;
  if (depth > kMaxDepth)
    return 0;
  auto found = staticOpCounts.find(&graph);
  if (found != staticOpCounts.end())
    return found->second;
  size_t count = countStaticOps(graph.block(), depth);
  staticOpCounts.emplace(&graph, count);
  return count;
}

//===----------------------------------------------------------------------===//
// Op check
//===----------------------------------------------------------------------===//

OpCheckResult mav::trace::checkModuleOps(jit::Module &root) {
  // Every method of every module instance's class, whether forward reaches
  // it or not (an interface call resolves to one of them at run time), and
  // every function and class method a walked graph calls.
  std::vector<std::pair<std::string, std::shared_ptr<jit::Graph>>> work;
  std::unordered_set<const jit::Graph *> queued;
  auto enqueue = [&](jit::Function &function) {
    std::shared_ptr<jit::Graph> graph;
    try {
      graph = jit::toGraphFunction(function).graph();
    } catch (const std::exception &) {
      return; // a builtin with no graph of its own
    }
    if (queued.insert(graph.get()).second)
      work.emplace_back(function.qualname().qualifiedName(), graph);
  };
  for (const jit::Module &module : root.modules())
    for (jit::Function *method : module.type()->methods())
      enqueue(*method);

  OpCheckResult result;
  std::set<std::tuple<std::string, std::string, std::string>> unhandled;
  std::function<void(const jit::Block *, const std::string &)> walk =
      [&](const jit::Block *block, const std::string &function) {
        for (const jit::Node *node : block->nodes()) {
          ++result.ops;
          if (!isHandledOp(node)) {
            Location loc = getNodeLocation(node);
            std::string where =
                loc.isKnown() ? fmt::format("{}:{}", loc.file, loc.line) : "";
            unhandled.emplace(node->kind().toQualString(), function, where);
          }
          c10::Symbol kind = node->kind();
          try {
            if (kind == c10::prim::CallFunction) {
              if (auto fn = node->input(0)->type()->cast<c10::FunctionType>())
                enqueue(*fn->function());
            } else if (kind == c10::prim::CallMethod) {
              if (auto cls = node->input(0)->type()->cast<c10::ClassType>())
                enqueue(cls->getMethod(node->s(c10::attr::name)));
            }
          } catch (const std::exception &) {
            // An unresolvable callee fails at run time, where it is reported.
          }
          for (const jit::Block *inner : node->blocks())
            walk(inner, function);
        }
      };
  // `work` grows while it is walked.
  for (size_t i = 0; i < work.size(); ++i) {
    auto [function, graph] = work[i]; // a copy: walking grows `work`
    walk(graph->block(), function);
  }
  result.functions = work.size();
  for (const auto &[op, function, location] : unhandled)
    result.unhandled.push_back(UnhandledOp{op, function, location});
  return result;
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

std::optional<Graph> Interpreter::run(std::vector<c10::IValue> inputs,
                                      const std::string &graphName) {
  graph = Graph(ctx, graphName);
  c10::intrusive_ptr<c10::ivalue::Object> rootObject = root._ivalue();
  indexModule(rootObject, "", {});
  const ModuleInfo *rootInfo = &modules.at(rootObject.get());

  jit::Method forward = root.get_method("forward");
  std::shared_ptr<jit::Graph> forwardGraph = forward.graph();
  if (options.progress)
    opsExpected = std::max<size_t>(1, countStaticOps(*forwardGraph, 0));

  // Input nodes, named after forward's arguments.
  std::vector<Slot> args;
  args.push_back(Slot{c10::IValue(rootObject), true, {}});
  for (size_t i = 0; i < inputs.size(); ++i) {
    const jit::Value *argument = forwardGraph->inputs()[i + 1];
    std::string name = argument->debugNameBase();
    if (name.empty())
      name = fmt::format("input{}", i);
    Node node;
    node.name = makeUniqueName(name);
    node.op = std::string(kInputOp);
    node.attrs.set(ctx, attrs::kModule, Attribute::string(ctx, ""));
    node.resultTypes.push_back(getIValueType(ctx, inputs[i]));
    uint32_t index = graph.addNode(std::move(node));
    registerProducer(inputs[i], ValueRef{index, 0});
    args.push_back(Slot{inputs[i], true, {}});
  }

  std::vector<Slot> results;
  {
    torch::NoGradGuard noGrad;
    torch::manual_seed(options.seed);
    results = runGraph(*forwardGraph, std::move(args), rootInfo);
  }

  addModulesNotRun();

  Node output;
  output.name = makeUniqueName(std::string(kOutputOp));
  output.op = std::string(kOutputOp);
  output.operands = getSources(results);
  // A forward that failed never produced its output.
  if (notRunMode)
    output.attrs.set(ctx, attrs::kStatus,
                     Attribute::string(ctx, attrs::kStatusNotRun));
  graph.addNode(std::move(output));

  summary.cpuFallbacks.assign(cpuFallbacks.begin(), cpuFallbacks.end());
  return std::move(graph);
}

/// The module path a parameter or buffer belongs to: `aux1.fc1` for
/// `aux1.fc1.weight`, "" for the root's own.
static std::string getOwnerPath(const std::string &stateName) {
  size_t dot = stateName.rfind('.');
  return dot == std::string::npos ? std::string() : stateName.substr(0, dot);
}

void Interpreter::addModulesNotRun() {
  // Parameters no node read belong to modules the forward never called
  // (googlenet's auxiliary classifiers in eval mode, an `if` not taken).
  // Each module owning some becomes a not-run node holding them, so that
  // the totals and the table count every parameter of the model (buffers
  // are left out: no forward reads num_batches_tracked either). Definition
  // order, not hash order.
  std::vector<std::string> owners;
  std::map<std::string, DictAttr> unread;
  for (const auto &[tensor, canonical] : stateOrder) {
    const StateInfo &state = states.at(tensor.unsafeGetTensorImpl());
    if (state.isBuffer || countedStates.count(canonical))
      continue;
    std::string owner = getOwnerPath(state.name);
    auto [it, first] = unread.try_emplace(owner);
    if (first)
      owners.push_back(owner);
    it->second.set(ctx, state.name,
                   Attribute::type(getTensorType(ctx, tensor)));
  }
  std::map<std::string, const ModuleInfo *> byPath;
  for (const auto &[object, info] : modules)
    byPath.emplace(info.path, &info);
  for (const std::string &owner : owners) {
    DictAttr &params = unread.at(owner);
    auto module = byPath.find(owner);
    if (module == byPath.end())
      continue;
    const ModuleInfo &info = *module->second;
    Node node;
    node.name = makeUniqueName(owner.empty() ? "root" : pathToName(owner));
    node.op = info.opName;
    node.attrs.set(ctx, attrs::kModule, Attribute::string(ctx, info.path));
    node.attrs.set(ctx, attrs::kClass,
                   Attribute::stringList(ctx, info.classes));
    if (!info.args.empty())
      node.attrs.set(ctx, attrs::kArgs, Attribute::dict(ctx, info.args));
    node.attrs.set(ctx, attrs::kParams,
                   Attribute::dict(ctx, std::move(params)));
    node.attrs.set(ctx, attrs::kStatus,
                   Attribute::string(ctx, attrs::kStatusNotRun));
    node.resultTypes.push_back(Type::unknown()); // never computed
    graph.addNode(std::move(node));
  }
}

std::optional<Graph> mav::trace::interpretForward(
    torch::jit::Module &module, IRContext &ctx, std::vector<c10::IValue> inputs,
    const std::string &graphName, const TraceOptions &options,
    DiagnosticEngine &diags, TraceSummary &summary) {
  Interpreter interpreter(module, ctx, options, diags, summary);
  return interpreter.run(std::move(inputs), graphName);
}
