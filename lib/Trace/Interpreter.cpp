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
//===----------------------------------------------------------------------===//

#include "Interpreter.h"

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/ir.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

using namespace mav;
using namespace mav::trace;
namespace jit = torch::jit;

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

DType mav::trace::convertScalarType(c10::ScalarType type) {
  switch (type) {
  case c10::ScalarType::Bool:
    return DType::Bool;
  case c10::ScalarType::Byte:
    return DType::U8;
  case c10::ScalarType::Char:
    return DType::I8;
  case c10::ScalarType::Short:
    return DType::I16;
  case c10::ScalarType::Int:
    return DType::I32;
  case c10::ScalarType::Long:
    return DType::I64;
  case c10::ScalarType::Half:
    return DType::F16;
  case c10::ScalarType::BFloat16:
    return DType::BF16;
  case c10::ScalarType::Float:
    return DType::F32;
  case c10::ScalarType::Double:
    return DType::F64;
  case c10::ScalarType::ComplexHalf:
    return DType::C32;
  case c10::ScalarType::ComplexFloat:
    return DType::C64;
  case c10::ScalarType::ComplexDouble:
    return DType::C128;
  case c10::ScalarType::QInt8:
    return DType::QI8;
  case c10::ScalarType::QUInt8:
    return DType::QU8;
  case c10::ScalarType::QInt32:
    return DType::QI32;
  default:
    return DType::Unknown;
  }
}

std::optional<c10::ScalarType> mav::trace::convertDType(DType dtype) {
  static constexpr c10::ScalarType kAll[] = {
      c10::ScalarType::Bool,          c10::ScalarType::Byte,
      c10::ScalarType::Char,          c10::ScalarType::Short,
      c10::ScalarType::Int,           c10::ScalarType::Long,
      c10::ScalarType::Half,          c10::ScalarType::BFloat16,
      c10::ScalarType::Float,         c10::ScalarType::Double,
      c10::ScalarType::ComplexHalf,   c10::ScalarType::ComplexFloat,
      c10::ScalarType::ComplexDouble, c10::ScalarType::QInt8,
      c10::ScalarType::QUInt8,        c10::ScalarType::QInt32};
  for (c10::ScalarType type : kAll)
    if (convertScalarType(type) == dtype)
      return type;
  return std::nullopt;
}

std::string mav::trace::getTrimmedMessage(const std::exception &error) {
  std::string_view text;
  if (auto *c10Error = dynamic_cast<const c10::Error *>(&error))
    text = c10Error->what_without_backtrace();
  else
    text = error.what();
  // Keep the first few non-empty lines; stop at the C++ frame libtorch
  // appends ("Exception raised from ...").
  constexpr size_t kMaxLines = 3;
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size() && lines.size() < kMaxLines) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view line = text.substr(start, end - start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r'))
      line.remove_suffix(1);
    if (line.rfind("Exception raised from", 0) == 0)
      break;
    if (!line.empty())
      lines.push_back(line);
    start = end + 1;
  }
  if (lines.empty())
    return "unknown error";
  return fmt::format("{}", fmt::join(lines, "\n"));
}

namespace {

Type getTensorType(const at::Tensor &tensor) {
  if (!tensor.defined())
    return Type::scalar(Type::Kind::None);
  std::vector<int64_t> dims(tensor.sizes().begin(), tensor.sizes().end());
  return Type::tensor(convertScalarType(tensor.scalar_type()), std::move(dims));
}

/// The most precise type that covers both `a` and `b`: list elements of
/// differing shapes become `?` dimensions.
Type unifyTypes(const Type &a, const Type &b) {
  if (a == b)
    return a;
  if (a.isRanked() && b.isRanked() && a.getDType() == b.getDType() &&
      a.getDims().size() == b.getDims().size()) {
    std::vector<int64_t> dims = a.getDims();
    for (size_t i = 0; i < dims.size(); ++i)
      if (dims[i] != b.getDims()[i])
        dims[i] = kUnknownDim;
    return Type::tensor(a.getDType(), std::move(dims));
  }
  if (a.isTensor() && b.isTensor() && a.getDType() == b.getDType())
    return Type::unrankedTensor(a.getDType());
  return Type::unknown();
}

Type getIValueType(const c10::IValue &value) {
  if (value.isTensor())
    return getTensorType(value.toTensor());
  if (value.isNone())
    return Type::scalar(Type::Kind::None);
  if (value.isBool())
    return Type::scalar(Type::Kind::Bool);
  if (value.isInt())
    return Type::scalar(Type::Kind::Int);
  if (value.isDouble())
    return Type::scalar(Type::Kind::Float);
  if (value.isString())
    return Type::scalar(Type::Kind::Str);
  if (value.isTuple()) {
    std::vector<Type> elements;
    for (const c10::IValue &element : value.toTupleRef().elements())
      elements.push_back(getIValueType(element));
    return Type::tuple(std::move(elements));
  }
  if (value.isList()) {
    c10::List<c10::IValue> list = value.toList();
    if (list.empty())
      return Type::list(Type::unknown());
    Type element = getIValueType(list.get(0));
    for (size_t i = 1; i < list.size(); ++i)
      element = unifyTypes(element, getIValueType(list.get(i)));
    return Type::list(std::move(element));
  }
  return Type::unknown();
}

/// An operand as the `ops` attribute records it: tensors by type, everything
/// else by value.
Attribute getIValueAttr(const c10::IValue &value) {
  if (value.isTensor()) {
    const at::Tensor &tensor = value.toTensor();
    return tensor.defined() ? Attribute::type(getTensorType(tensor))
                            : Attribute::none();
  }
  if (value.isNone())
    return Attribute::none();
  if (value.isBool())
    return Attribute::boolean(value.toBool());
  if (value.isInt())
    return Attribute::integer(value.toInt());
  if (value.isDouble())
    return Attribute::real(value.toDouble());
  if (value.isString())
    return Attribute::string(value.toStringRef());
  if (value.isDevice())
    return Attribute::string(value.toDevice().str());
  if (value.isTuple()) {
    ListAttr elements;
    for (const c10::IValue &element : value.toTupleRef().elements())
      elements.push_back(getIValueAttr(element));
    return Attribute::list(std::move(elements));
  }
  if (value.isList()) {
    ListAttr elements;
    for (const c10::IValue &element : value.toListRef())
      elements.push_back(getIValueAttr(element));
    return Attribute::list(std::move(elements));
  }
  if (value.isObject())
    return Attribute::string(value.toObjectRef().type()->str());
  return Attribute::string(value.tagKind());
}

/// Calls `visit` on every tensor inside `value` (through lists, tuples and
/// dictionaries).
template <typename Fn> void forEachTensor(const c10::IValue &value, Fn &&visit) {
  if (value.isTensor()) {
    if (value.toTensor().defined())
      visit(value.toTensor());
  } else if (value.isTuple()) {
    for (const c10::IValue &element : value.toTupleRef().elements())
      forEachTensor(element, visit);
  } else if (value.isList()) {
    for (const c10::IValue &element : value.toListRef())
      forEachTensor(element, visit);
  } else if (value.isGenericDict()) {
    for (const auto &entry : value.toGenericDict())
      forEachTensor(entry.value(), visit);
  }
}

bool containsTensor(const c10::IValue &value) {
  bool found = false;
  forEachTensor(value, [&](const at::Tensor &) { found = true; });
  return found;
}

/// Whether a static TorchScript type can hold a tensor.
bool typeContainsTensor(const c10::TypePtr &type) {
  if (type->kind() == c10::TypeKind::TensorType)
    return true;
  for (const c10::TypePtr &contained : type->containedTypes())
    if (typeContainsTensor(contained))
      return true;
  return false;
}

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

std::string joinPath(std::string_view prefix, std::string_view name) {
  if (prefix.empty())
    return std::string(name);
  return fmt::format("{}.{}", prefix, name);
}

/// A module path as a node name: `layer1.0.conv1` -> `layer1_0_conv1`.
std::string pathToName(std::string_view path) {
  std::string name(path);
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

/// Aten ops that only move values around: they return tensors but compute
/// nothing, so they never become nodes.
bool isPlumbingOp(c10::Symbol kind) {
  static const std::unordered_set<std::string> kPlumbing = {
      "aten::__getitem__", "aten::list",    "aten::append",
      "aten::pop",         "aten::insert",  "aten::extend",
      "aten::_set_item",   "aten::dict",    "aten::values",
      "aten::get",         "aten::items",   "aten::copy",
      "aten::__contains__", "aten::_unwrap_optional", "aten::wait",
      "aten::setdefault",  "aten::keys",    "aten::add_.t",
  };
  return kPlumbing.count(kind.toQualString()) != 0;
}

/// Ops run for their side effect on the console, which mav-trace suppresses.
bool isOutputOnlyOp(c10::Symbol kind) {
  return kind == c10::prim::Print || kind == c10::aten::warn;
}

/// Names used as `torch.flatten(x)`-style namespaces rather than tensors,
/// to tell `torch.flatten(x, 1)` (a function) from `x.flatten(1)` (a method).
bool isNamespaceName(std::string_view name) {
  static const std::unordered_set<std::string_view> kNamespaces = {
      "torch", "F",    "functional", "nn",      "_VF",  "_C",    "_nn",
      "math",  "fft",  "linalg",     "special", "init", "_refs", "ops"};
  return kNamespaces.count(name) != 0;
}

/// Tensor methods commonly called as `x.name(...)`: used to name ops when
/// the model carries no Python source text (traced models).
bool isCommonTensorMethod(std::string_view name) {
  static const std::unordered_set<std::string_view> kMethods = {
      "view",     "view_as",     "reshape",    "reshape_as", "permute",
      "transpose", "t",          "contiguous", "expand",     "expand_as",
      "repeat",   "unsqueeze",   "squeeze",    "type_as",    "to",
      "float",    "double",      "half",       "long",       "int",
      "bool",     "chunk",       "split",      "unbind",     "narrow",
      "clone",    "detach",      "masked_fill", "size",      "numel",
      "new_zeros", "new_ones",   "new_full",   "new_empty",  "unfold"};
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

/// The IR operation name of an aten op called in a non-leaf forward:
/// `.view()` for a tensor method, `add()` for a function or an operator.
std::string getOpNodeName(const jit::Node *node) {
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
      while (begin > 0 && (std::isalnum(static_cast<unsigned char>(
                               text[begin - 1])) ||
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

/// A location for the Python line a node came from.
Location getNodeLocation(const jit::Node *node) {
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

/// Runs the prim ops that torch's own interpreter implements inline and
/// that therefore have no registered Operation (list, tuple and dictionary
/// construction and unpacking, casts). Returns false for any other op.
bool runStructuralOp(const jit::Node *node, jit::Stack &stack) {
  c10::Symbol kind = node->kind();
  size_t numInputs = node->inputs().size();
  auto takeInputs = [&] {
    std::vector<c10::IValue> values(stack.end() - numInputs, stack.end());
    stack.resize(stack.size() - numInputs);
    return values;
  };
  auto expectCount = [&](size_t actual) {
    if (actual != node->outputs().size())
      throw std::runtime_error(fmt::format(
          "{} expected {} elements but got {}", kind.toQualString(),
          node->outputs().size(), actual));
  };
  if (kind == c10::prim::ListConstruct) {
    auto listType = node->output()->type()->expect<c10::ListType>();
    c10::List<c10::IValue> list(listType->getElementType());
    for (c10::IValue &value : takeInputs())
      list.push_back(std::move(value));
    stack.emplace_back(std::move(list));
    return true;
  }
  if (kind == c10::prim::ListUnpack) {
    c10::List<c10::IValue> list = stack.back().toList();
    stack.pop_back();
    expectCount(list.size());
    for (size_t i = 0; i < list.size(); ++i)
      stack.push_back(list.get(i));
    return true;
  }
  if (kind == c10::prim::TupleConstruct) {
    std::vector<c10::IValue> values = takeInputs();
    auto tupleType = node->output()->type()->cast<c10::TupleType>();
    if (tupleType && tupleType->schema())
      stack.emplace_back(c10::ivalue::Tuple::createNamed(std::move(values),
                                                         tupleType));
    else
      stack.emplace_back(c10::ivalue::Tuple::create(std::move(values)));
    return true;
  }
  if (kind == c10::prim::TupleUnpack) {
    c10::IValue tuple = std::move(stack.back());
    stack.pop_back();
    const auto &elements = tuple.toTupleRef().elements();
    expectCount(elements.size());
    for (const c10::IValue &element : elements)
      stack.push_back(element);
    return true;
  }
  if (kind == c10::prim::TupleIndex) {
    int64_t index = stack.back().toInt();
    stack.pop_back();
    c10::IValue tuple = std::move(stack.back());
    stack.pop_back();
    const auto &elements = tuple.toTupleRef().elements();
    int64_t size = static_cast<int64_t>(elements.size());
    if (index < 0)
      index += size;
    if (index < 0 || index >= size)
      throw std::out_of_range("tuple index out of range");
    stack.push_back(elements[index]);
    return true;
  }
  if (kind == c10::prim::TupleSlice) {
    c10::IValue tuple = std::move(stack.back());
    stack.pop_back();
    const auto &elements = tuple.toTupleRef().elements();
    int64_t begin = node->i(c10::attr::beg), end = node->i(c10::attr::end);
    std::vector<c10::IValue> slice;
    for (int64_t i = begin; i < end && i < int64_t(elements.size()); ++i)
      slice.push_back(elements[i]);
    stack.emplace_back(c10::ivalue::Tuple::create(std::move(slice)));
    return true;
  }
  if (kind == c10::prim::DictConstruct) {
    auto dictType = node->output()->type()->expect<c10::DictType>();
    c10::impl::GenericDict dict(dictType->getKeyType(),
                                dictType->getValueType());
    std::vector<c10::IValue> values = takeInputs();
    for (size_t i = 0; i + 1 < values.size(); i += 2)
      dict.insert_or_assign(values[i], values[i + 1]);
    stack.emplace_back(std::move(dict));
    return true;
  }
  if (kind == c10::prim::CreateObject) {
    auto classType = node->output()->type()->expect<c10::ClassType>();
    stack.emplace_back(c10::ivalue::Object::create(
        c10::StrongTypePtr(classType->compilation_unit(), classType),
        classType->numAttributes()));
    return true;
  }
  if (kind == c10::prim::Uninitialized) {
    stack.emplace_back();
    return true;
  }
  if (kind == c10::prim::unchecked_cast ||
      kind == c10::prim::unchecked_unwrap_optional) {
    return true; // the value itself
  }
  return false;
}

//===----------------------------------------------------------------------===//
// The interpreter
//===----------------------------------------------------------------------===//

/// A graph value while interpreting: its IValue, or (after a failure) the
/// fact that it is unknown and which nodes it was computed from.
struct Slot {
  c10::IValue value;
  bool known = true;
  std::vector<ValueRef> sources;

  static Slot unknown(std::vector<ValueRef> sources = {}) {
    Slot slot;
    slot.known = false;
    slot.sources = std::move(sources);
    return slot;
  }
};

using Env = std::unordered_map<const jit::Value *, Slot>;

/// What mav records about a module instance, indexed once at load time.
struct ModuleInfo {
  const c10::ivalue::Object *object = nullptr;
  std::string path;
  /// Class names from the root down to this module.
  std::vector<std::string> classes;
  /// `nn.Conv2d` for torch.nn classes, the short class name otherwise.
  std::string opName;
  bool leaf = false;
};

/// A parameter or buffer slot of a module.
struct StateInfo {
  std::string name;      ///< Qualified name of the first slot holding it.
  std::string canonical; ///< Key shared by tied slots (same storage).
  bool isBuffer = false;
};

/// A node being recorded: a leaf-module call or function call while its
/// body runs, or a single op.
struct OpenNode {
  Node node;
  uint32_t token = 0;
  ListAttr ops;
  DictAttr params;
  DictAttr buffers;
  std::vector<std::string> sharedParams;
  std::string status = "ok";
  std::string error;
  /// First Python location seen inside, for nodes whose call site has none.
  Location innerLoc;
  /// Where the node was called from, for diagnostics.
  Location siteLoc;
};

class Interpreter {
public:
  Interpreter(jit::Module &root, const TraceOptions &options,
              DiagnosticEngine &diags, TraceSummary &summary)
      : root(root), options(options), diags(diags), summary(summary) {}

  std::optional<Graph> run(std::vector<c10::IValue> inputs,
                           const std::string &graphName);

private:
  // Indexing the module tree.
  void indexModule(const c10::intrusive_ptr<c10::ivalue::Object> &object,
                   const std::string &path,
                   std::vector<std::string> classes);

  // Execution.
  std::vector<Slot> runGraph(jit::Graph &graph, std::vector<Slot> args,
                             const ModuleInfo *module);
  void runBlock(const jit::Block *block, Env &env, const ModuleInfo *module);
  void runNode(const jit::Node *node, Env &env, const ModuleInfo *module);
  void runIf(const jit::Node *node, Env &env, const ModuleInfo *module);
  void runLoop(const jit::Node *node, Env &env, const ModuleInfo *module);
  void runGetAttr(const jit::Node *node, Env &env);
  void runCallMethod(const jit::Node *node, Env &env,
                     const ModuleInfo *module);
  void runCallFunction(const jit::Node *node, Env &env,
                       const ModuleInfo *module);
  void runOp(const jit::Node *node, Env &env, const ModuleInfo *module);
  void executeOp(const jit::Node *node, Env &env, const ModuleInfo *module,
                 bool isNodeOp);
  std::vector<Slot> callGraph(jit::Graph &graph, const jit::Node *call,
                              Env &env, size_t firstArg,
                              const ModuleInfo *module);

  // Nodes.
  OpenNode openNode(std::string baseName, std::string op,
                    const ModuleInfo *module, const std::vector<Slot> &args,
                    const jit::Node *site);
  void closeNode(OpenNode &open, std::vector<Slot> results,
                 const std::vector<c10::TypePtr> &staticTypes);
  void recordFailure(const jit::Node *node, const ModuleInfo *module,
                     const std::string &message);
  void noteStateReads(const std::vector<Slot> &inputs);
  void claimModuleState(const c10::ivalue::Object *object);
  std::string makeUniqueName(const std::string &base);

  std::vector<ValueRef> getSources(const Slot &slot) const;
  std::vector<ValueRef> getSources(const std::vector<Slot> &slots) const;
  void registerProducer(const c10::IValue &value, ValueRef ref);
  Slot readInput(const Env &env, const jit::Value *value) const;

  jit::Module &root;
  const TraceOptions &options;
  DiagnosticEngine &diags;
  TraceSummary &summary;

  Graph graph;
  std::unordered_map<const c10::ivalue::Object *, ModuleInfo> modules;
  std::unordered_map<const c10::TensorImpl *, StateInfo> states;
  /// Canonical state key -> token of the node that counted it.
  std::unordered_map<std::string, uint32_t> countedStates;
  /// Qualified name of each parameter's latest read, so that a tied weight
  /// is reported under the name it was read by.
  std::unordered_map<const c10::TensorImpl *, std::string> accessNames;
  /// Canonical keys in definition order, for the unused-parameter report.
  std::vector<std::pair<at::Tensor, std::string>> stateOrder;

  struct Producer {
    c10::weak_intrusive_ptr<c10::TensorImpl> keepAddress;
    ValueRef ref;
  };
  std::unordered_map<const c10::TensorImpl *, Producer> producers;
  std::unordered_map<std::string, unsigned> nameCounts;
  std::unordered_set<std::string> usedNames;
  std::unordered_map<const jit::Node *, jit::Operation> operations;

  /// The leaf-module or function node whose body is running, if any.
  OpenNode *current = nullptr;
  uint32_t nextToken = 1;
  /// Set by the first failing op: from then on nothing is executed.
  bool notRunMode = false;
  size_t callDepth = 0;
};

//===----------------------------------------------------------------------===//
// Module index
//===----------------------------------------------------------------------===//

bool isContainerClass(std::string_view cls) {
  return cls == "torch.nn.modules.container.Sequential" ||
         cls == "torch.nn.modules.container.ModuleList" ||
         cls == "torch.nn.modules.container.ModuleDict";
}

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
  info.leaf = !path.empty() && !isContainerClass(cls) &&
              (isTorchNn || !hasChildren);
  modules.emplace(object.get(), std::move(info));

  // Parameters and buffers first, then children: named_parameters() order.
  for (size_t i = 0; i < type->numAttributes(); ++i) {
    bool isParam = type->is_parameter(i);
    bool isBuffer = type->is_buffer(i);
    const c10::IValue &slot = object->getSlot(i);
    if ((!isParam && !isBuffer) || !slot.isTensor() ||
        !slot.toTensor().defined())
      continue;
    const at::Tensor &tensor = slot.toTensor();
    c10::TensorImpl *impl = tensor.unsafeGetTensorImpl();
    if (states.count(impl))
      continue;
    StateInfo state;
    state.name = joinPath(path, type->getAttributeName(i));
    // Tied weights may be distinct TensorImpls over one storage.
    state.canonical = fmt::format(
        "{}:{}:{}:{}", fmt::ptr(tensor.storage().unsafeGetStorageImpl()),
        tensor.storage_offset(), fmt::join(tensor.sizes(), "x"),
        fmt::join(tensor.strides(), "x"));
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
        Producer{c10::weak_intrusive_ptr<c10::TensorImpl>(
                     tensor.getIntrusivePtr()),
                 ref});
  });
}

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

std::string Interpreter::makeUniqueName(const std::string &base) {
  unsigned &count = nameCounts[base];
  while (true) {
    std::string name =
        count == 0 ? base : fmt::format("{}_{}", base, count);
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
  open.node.attrs.set("module", Attribute::string(module->path));
  open.node.attrs.set("class", Attribute::stringList(module->classes));
  if (site)
    open.siteLoc = getNodeLocation(site);
  if (options.debugInfo)
    open.node.loc = open.siteLoc;
  if (notRunMode)
    open.status = "not-run";
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
    node.resultTypes.push_back(result.known ? getIValueType(result.value)
                                            : Type::unknown());
  }
  if (options.debugInfo && !node.loc.isKnown())
    node.loc = open.innerLoc;
  DictAttr &attrs = node.attrs;
  if (open.status != "not-run")
    attrs.set("ops", Attribute::list(std::move(open.ops)));
  if (!open.params.empty())
    attrs.set("params", Attribute::dict(std::move(open.params)));
  if (!open.buffers.empty())
    attrs.set("buffers", Attribute::dict(std::move(open.buffers)));
  if (!open.sharedParams.empty())
    attrs.set("shared_params", Attribute::stringList(open.sharedParams));
  attrs.set("status", Attribute::string(open.status));
  if (!open.error.empty())
    attrs.set("error", Attribute::string(open.error));
  std::string module(attrs.getString("module"));
  graph.addNode(std::move(node));

  for (uint32_t i = 0; i < results.size(); ++i)
    if (results[i].known)
      registerProducer(results[i].value, ValueRef{index, i});
  if (options.progress)
    options.progress(TraceProgress{graph.size(), module});
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
            .set(name, Attribute::type(getTensorType(tensor)));
        return;
      }
      if (counted->second == current->token || state.isBuffer)
        return;
      if (std::find(current->sharedParams.begin(),
                    current->sharedParams.end(),
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

void Interpreter::recordFailure(const jit::Node *node,
                                const ModuleInfo *module,
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
// Execution
//===----------------------------------------------------------------------===//

std::vector<Slot> Interpreter::runGraph(jit::Graph &callee,
                                        std::vector<Slot> args,
                                        const ModuleInfo *module) {
  constexpr size_t kMaxCallDepth = 200;
  if (callDepth >= kMaxCallDepth)
    throw std::runtime_error("call depth limit reached (recursive model?)");
  ++callDepth;
  Env env;
  auto inputs = callee.inputs();
  if (inputs.size() != args.size())
    throw std::runtime_error(fmt::format(
        "internal error: graph takes {} inputs, called with {}",
        inputs.size(), args.size()));
  for (size_t i = 0; i < inputs.size(); ++i)
    env[inputs[i]] = std::move(args[i]);
  runBlock(callee.block(), env, module);
  std::vector<Slot> results;
  for (const jit::Value *output : callee.outputs())
    results.push_back(readInput(env, output));
  --callDepth;
  return results;
}

void Interpreter::runBlock(const jit::Block *block, Env &env,
                           const ModuleInfo *module) {
  for (const jit::Node *node : block->nodes())
    runNode(node, env, module);
}

void Interpreter::runNode(const jit::Node *node, Env &env,
                          const ModuleInfo *module) {
  c10::Symbol kind = node->kind();
  if (kind == c10::prim::Constant) {
    const jit::Value *output = node->output();
    if (output->type()->kind() == c10::TypeKind::FunctionType) {
      env[output] = Slot{c10::IValue(), true, {}};
      return;
    }
    std::optional<c10::IValue> value = jit::toIValue(output);
    env[output] = value ? Slot{*value, true, {}} : Slot::unknown();
    return;
  }
  if (kind == c10::prim::GetAttr)
    return runGetAttr(node, env);
  if (kind == c10::prim::SetAttr) {
    Slot object = readInput(env, node->input(0));
    Slot value = readInput(env, node->input(1));
    if (!notRunMode && object.known && value.known && object.value.isObject())
      object.value.toObjectRef().setAttr(node->s(c10::attr::name),
                                         value.value);
    return;
  }
  if (kind == c10::prim::If)
    return runIf(node, env, module);
  if (kind == c10::prim::Loop)
    return runLoop(node, env, module);
  if (kind == c10::prim::CallMethod)
    return runCallMethod(node, env, module);
  if (kind == c10::prim::CallFunction)
    return runCallFunction(node, env, module);
  if (isOutputOnlyOp(kind)) {
    for (const jit::Value *output : node->outputs())
      env[output] = Slot{c10::IValue(), true, {}};
    return;
  }
  runOp(node, env, module);
}

void Interpreter::runGetAttr(const jit::Node *node, Env &env) {
  Slot object = readInput(env, node->input(0));
  if (!object.known || !object.value.isObject()) {
    env[node->output()] = Slot::unknown();
    return;
  }
  const c10::ivalue::Object &obj = object.value.toObjectRef();
  const std::string &name = node->s(c10::attr::name);
  c10::IValue value = obj.getAttr(name);
  if (value.isTensor()) {
    c10::TensorImpl *impl = value.toTensor().unsafeGetTensorImpl();
    auto module = modules.find(&obj);
    if (states.count(impl) && module != modules.end())
      accessNames[impl] = joinPath(module->second.path, name);
  }
  env[node->output()] = Slot{std::move(value), true, {}};
}

void Interpreter::runIf(const jit::Node *node, Env &env,
                        const ModuleInfo *module) {
  Slot condition = readInput(env, node->input(0));
  auto blocks = node->blocks();
  if (condition.known) {
    const jit::Block *taken = condition.value.toBool() ? blocks[0] : blocks[1];
    runBlock(taken, env, module);
    for (size_t i = 0; i < node->outputs().size(); ++i)
      env[node->outputs()[i]] = readInput(env, taken->outputs()[i]);
    return;
  }
  // Only reachable after a failure: the branch is unknown, so both are shown
  // (neither runs) and the results depend on both.
  runBlock(blocks[0], env, module);
  runBlock(blocks[1], env, module);
  for (size_t i = 0; i < node->outputs().size(); ++i) {
    std::vector<Slot> branches = {readInput(env, blocks[0]->outputs()[i]),
                                  readInput(env, blocks[1]->outputs()[i])};
    env[node->outputs()[i]] = Slot::unknown(getSources(branches));
  }
}

void Interpreter::runLoop(const jit::Node *node, Env &env,
                          const ModuleInfo *module) {
  // prim::Loop(max_trip_count, start_condition, carried...): the body block
  // takes (iteration, carried...) and returns (condition, carried...).
  const jit::Block *body = node->blocks()[0];
  Slot tripCount = readInput(env, node->input(0));
  Slot condition = readInput(env, node->input(1));
  std::vector<Slot> carried;
  for (size_t i = 2; i < node->inputs().size(); ++i)
    carried.push_back(readInput(env, node->inputs()[i]));

  auto runIteration = [&](Slot iteration) {
    env[body->inputs()[0]] = std::move(iteration);
    for (size_t i = 0; i < carried.size(); ++i)
      env[body->inputs()[i + 1]] = carried[i];
    runBlock(body, env, module);
    condition = readInput(env, body->outputs()[0]);
    for (size_t i = 0; i < carried.size(); ++i)
      carried[i] = readInput(env, body->outputs()[i + 1]);
  };

  bool exact = tripCount.known && condition.known;
  if (exact) {
    int64_t maxTrips = tripCount.value.toInt();
    for (int64_t i = 0; i < maxTrips && condition.value.toBool(); ++i) {
      runIteration(Slot{c10::IValue(i), true, {}});
      if (!condition.known) {
        exact = false;
        break;
      }
    }
  } else {
    // An unknown trip count (after a failure): show the body once.
    runIteration(Slot::unknown());
  }
  for (size_t i = 0; i < carried.size(); ++i) {
    Slot result = carried[i];
    if (!exact && result.known && containsTensor(result.value))
      result = Slot::unknown(getSources(result));
    env[node->outputs()[i]] = std::move(result);
  }
}

std::vector<Slot> Interpreter::callGraph(jit::Graph &callee,
                                         const jit::Node *call, Env &env,
                                         size_t firstArg,
                                         const ModuleInfo *module) {
  std::vector<Slot> args;
  for (size_t i = firstArg; i < call->inputs().size(); ++i)
    args.push_back(readInput(env, call->inputs()[i]));
  return runGraph(callee, std::move(args), module);
}

std::vector<c10::TypePtr> getStaticTypes(const jit::Node *node) {
  std::vector<c10::TypePtr> types;
  for (const jit::Value *output : node->outputs())
    types.push_back(output->type());
  return types;
}

void Interpreter::runCallMethod(const jit::Node *node, Env &env,
                                const ModuleInfo *module) {
  Slot self = readInput(env, node->input(0));
  if (!self.known || !self.value.isObject()) {
    std::vector<Slot> args;
    for (const jit::Value *input : node->inputs())
      args.push_back(readInput(env, input));
    std::vector<ValueRef> sources = getSources(args);
    for (const jit::Value *output : node->outputs())
      env[output] = Slot::unknown(sources);
    return;
  }
  const c10::ivalue::Object *object = &self.value.toObjectRef();
  jit::Function &method = object->type()->getMethod(node->s(c10::attr::name));
  jit::Graph &callee = *jit::toGraphFunction(method).graph();

  auto found = modules.find(object);
  const ModuleInfo *callee_module =
      found != modules.end() ? &found->second : module;
  bool enterLeaf = options.granularity == TraceGranularity::Module &&
                   !current && callee_module != module &&
                   callee_module->leaf;
  if (!enterLeaf) {
    std::vector<Slot> results =
        callGraph(callee, node, env, 0, callee_module);
    for (size_t i = 0; i < results.size(); ++i)
      env[node->outputs()[i]] = std::move(results[i]);
    return;
  }

  std::vector<Slot> args;
  for (size_t i = 1; i < node->inputs().size(); ++i)
    args.push_back(readInput(env, node->inputs()[i]));
  OpenNode open = openNode(pathToName(callee_module->path),
                           callee_module->opName, callee_module, args, node);
  std::vector<Slot> results;
  if (notRunMode) {
    // Never ran: count what the module owns, leave the results unknown.
    current = &open;
    claimModuleState(object);
    current = nullptr;
    results.assign(node->outputs().size(), Slot::unknown());
  } else {
    current = &open;
    results = callGraph(callee, node, env, 0, callee_module);
    current = nullptr;
  }
  ValueRef self_ref{static_cast<uint32_t>(graph.size()), 0};
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].known)
      results[i] = Slot::unknown({self_ref});
    env[node->outputs()[i]] = results[i];
  }
  closeNode(open, results, getStaticTypes(node));
  // Unknown results are spread by closeNode; refer to the whole node.
}

void Interpreter::runCallFunction(const jit::Node *node, Env &env,
                                  const ModuleInfo *module) {
  auto functionType =
      node->input(0)->type()->expect<c10::FunctionType>();
  jit::Function *function = functionType->function();
  jit::Graph &callee = *jit::toGraphFunction(*function).graph();
  bool group = options.granularity == TraceGranularity::Module && !current;
  if (!group) {
    std::vector<Slot> results = callGraph(callee, node, env, 1, module);
    for (size_t i = 0; i < results.size(); ++i)
      env[node->outputs()[i]] = std::move(results[i]);
    return;
  }
  std::vector<Slot> args;
  for (size_t i = 1; i < node->inputs().size(); ++i)
    args.push_back(readInput(env, node->inputs()[i]));
  std::string name = function->name();
  std::string base = module->path.empty()
                         ? name
                         : fmt::format("{}_{}", pathToName(module->path),
                                       name);
  OpenNode open =
      openNode(base, fmt::format("{}()", name), module, args, node);
  current = &open;
  std::vector<Slot> results = callGraph(callee, node, env, 1, module);
  current = nullptr;
  ValueRef selfRef{static_cast<uint32_t>(graph.size()), 0};
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].known)
      results[i] = Slot::unknown({selfRef});
    env[node->outputs()[i]] = results[i];
  }
  closeNode(open, results, getStaticTypes(node));
}

void Interpreter::runOp(const jit::Node *node, Env &env,
                        const ModuleInfo *module) {
  c10::Symbol kind = node->kind();
  bool isNodeOp = !kind.is_prim() && !isPlumbingOp(kind);
  if (isNodeOp) {
    isNodeOp = false;
    for (const jit::Value *output : node->outputs())
      if (typeContainsTensor(output->type()))
        isNodeOp = true;
  }
  bool ownNode = isNodeOp && !current;
  if (!ownNode)
    return executeOp(node, env, module, isNodeOp);

  // An aten op in a non-leaf forward (or any op with --granularity=op).
  std::vector<Slot> args;
  for (const jit::Value *input : node->inputs())
    args.push_back(readInput(env, input));
  std::string opName = getOpNodeName(node);
  std::string shortName(kind.toUnqualString());
  while (!shortName.empty() && shortName.front() == '_')
    shortName.erase(0, 1);
  std::string base = module->path.empty()
                         ? shortName
                         : fmt::format("{}_{}", pathToName(module->path),
                                       shortName);
  OpenNode open = openNode(base, opName, module, args, node);
  current = &open;
  executeOp(node, env, module, isNodeOp);
  current = nullptr;
  std::vector<Slot> results;
  ValueRef selfRef{static_cast<uint32_t>(graph.size()), 0};
  for (const jit::Value *output : node->outputs()) {
    Slot &slot = env[output];
    if (!slot.known)
      slot = Slot::unknown({selfRef});
    results.push_back(slot);
  }
  closeNode(open, results, getStaticTypes(node));
}

void Interpreter::executeOp(const jit::Node *node, Env &env,
                            const ModuleInfo *module, bool isNodeOp) {
  std::vector<Slot> inputs;
  bool allKnown = true;
  bool anyTensor = false;
  for (const jit::Value *input : node->inputs()) {
    inputs.push_back(readInput(env, input));
    allKnown = allKnown && inputs.back().known;
    anyTensor = anyTensor || (inputs.back().known &&
                              containsTensor(inputs.back().value));
  }
  if (isNodeOp) {
    noteStateReads(inputs);
    if (current && options.debugInfo && !current->innerLoc.isKnown())
      current->innerLoc = getNodeLocation(node);
  }

  auto setUnknownOutputs = [&] {
    std::vector<ValueRef> sources = getSources(inputs);
    for (const jit::Value *output : node->outputs())
      env[output] = Slot::unknown(sources);
  };

  // After a failure only side-effect-free bookkeeping on known, tensor-free
  // values still runs (module attributes, `is None` tests, list building).
  bool run = !notRunMode ||
             (allKnown && !isNodeOp && !anyTensor &&
              node->kind() != c10::prim::RaiseException);
  if (!run)
    return setUnknownOutputs();
  if (!allKnown) {
    // Cannot happen before a failure: every value is computed.
    return setUnknownOutputs();
  }

  torch::jit::Stack stack;
  stack.reserve(inputs.size());
  for (const Slot &slot : inputs)
    stack.push_back(slot.value);
  try {
    if (!runStructuralOp(node, stack)) {
      auto cached = operations.find(node);
      if (cached == operations.end())
        cached = operations.emplace(node, node->getOperation()).first;
      // Vararg operators (aten::format, prim::Print...) take their input
      // count on top of the stack, as torch's interpreter passes it.
      const c10::FunctionSchema *schema = node->maybeSchema();
      if (schema && schema->is_vararg())
        stack.emplace_back(static_cast<int64_t>(inputs.size()));
      cached->second(stack);
    }
  } catch (const std::exception &e) {
    if (notRunMode)
      return setUnknownOutputs();
    std::string message = getTrimmedMessage(e);
    if (!current) {
      // A bookkeeping op failed outside any node: give the failure a node
      // of its own so that it is visible in the graph.
      std::string name(node->kind().toUnqualString());
      OpenNode open = openNode(
          module->path.empty()
              ? name
              : fmt::format("{}_{}", pathToName(module->path), name),
          fmt::format("{}()", name), module, inputs, node);
      open.status = "failed";
      open.error = message;
      recordFailure(node, module, message);
      std::vector<Slot> results(node->outputs().size(), Slot::unknown());
      ValueRef selfRef{static_cast<uint32_t>(graph.size()), 0};
      closeNode(open, results, getStaticTypes(node));
      for (const jit::Value *output : node->outputs())
        env[output] = Slot::unknown({selfRef});
      return;
    }
    current->status = "failed";
    current->error = message;
    recordFailure(node, module, message);
    return setUnknownOutputs();
  }
  ++summary.realOps;

  size_t numOutputs = node->outputs().size();
  if (stack.size() < numOutputs)
    throw std::runtime_error(fmt::format(
        "internal error: {} returned {} values, expected {}",
        node->kind().toQualString(), stack.size(), numOutputs));
  size_t first = stack.size() - numOutputs;
  for (size_t i = 0; i < numOutputs; ++i)
    env[node->outputs()[i]] = Slot{stack[first + i], true, {}};

  if (isNodeOp && current) {
    DictAttr entry;
    entry.set("op", Attribute::string(node->kind().toQualString()));
    ListAttr operands, results;
    for (const Slot &slot : inputs)
      operands.push_back(getIValueAttr(slot.value));
    for (size_t i = 0; i < numOutputs; ++i)
      results.push_back(Attribute::type(getIValueType(stack[first + i])));
    entry.set("operands", Attribute::list(std::move(operands)));
    entry.set("results", Attribute::list(std::move(results)));
    current->ops.push_back(Attribute::dict(std::move(entry)));
  }
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

std::optional<Graph> Interpreter::run(std::vector<c10::IValue> inputs,
                                      const std::string &graphName) {
  graph = Graph(graphName);
  c10::intrusive_ptr<c10::ivalue::Object> rootObject = root._ivalue();
  indexModule(rootObject, "", {});
  const ModuleInfo *rootInfo = &modules.at(rootObject.get());

  jit::Method forward = root.get_method("forward");
  std::shared_ptr<jit::Graph> forwardGraph = forward.graph();

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
    node.attrs.set("module", Attribute::string(""));
    node.resultTypes.push_back(getIValueType(inputs[i]));
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

  Node output;
  output.name = makeUniqueName(std::string(kOutputOp));
  output.op = std::string(kOutputOp);
  output.operands = getSources(results);
  graph.addNode(std::move(output));

  // Parameters no node read (modules never called): reported on the graph
  // so that they are not silently lost. Definition order, not hash order.
  DictAttr unused;
  for (const auto &[tensor, canonical] : stateOrder) {
    const StateInfo &state = states.at(tensor.unsafeGetTensorImpl());
    if (state.isBuffer || countedStates.count(canonical))
      continue;
    countedStates.emplace(canonical, 0);
    unused.set(state.name, Attribute::type(getTensorType(tensor)));
  }
  if (!unused.empty())
    graph.getAttrs().set("unused_params", Attribute::dict(std::move(unused)));
  return std::move(graph);
}

} // namespace

std::optional<Graph> mav::trace::interpretForward(
    torch::jit::Module &module, std::vector<c10::IValue> inputs,
    const std::string &graphName, const TraceOptions &options,
    DiagnosticEngine &diags, TraceSummary &summary) {
  Interpreter interpreter(module, options, diags, summary);
  return interpreter.run(std::move(inputs), graphName);
}
