//===- ExportedProgram.cpp - A serialized ExportedProgram to model IR -----===//
//
// Reads the JSON document that torch.export serializes an ExportedProgram to
// (schema major version 8: torch/_export/serde/schema.yaml in PyTorch) and
// builds the model graph IR the TorchScript frontend writes
// (docs/Trace.md), so that passes and backends cannot tell them apart:
//
// - every graph node that produces a tensor is an aten op record
//   (`aten::conv2d`, its operands in schema order as the node lists them,
//   its result types) from the graph's `tensor_values`;
// - with ExportGranularity::Module, the ops of one call of a leaf module
//   (from each node's `nn_module_stack`) make one node (`nn.Conv2d`), and
//   an op called directly in a non-leaf module's forward is a node of its
//   own (`add()`, `.view()`); with ExportGranularity::Op every op is one;
// - parameters and buffers are the graph signature's input specs, by
//   qualified name, recorded on the first node that reads them; those no
//   node reads go to not-run nodes of the modules owning them.
//
// The JSON is untrusted: every member is type-checked before it is read, a
// violation becomes one diagnostic naming where it is, and nlohmann's own
// exceptions are caught here, at the library's boundary.
//
//===----------------------------------------------------------------------===//

#include "ExportJson.h"
#include "mav/IR/ModelAttributes.h"
#include "mav/Import/ExportArchive.h"
#include "mav/Support/Text.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

using namespace mav;
using json = nlohmann::json;

using namespace mav::import;

namespace {
//===----------------------------------------------------------------------===//
// The importer
//===----------------------------------------------------------------------===//

/// One entry of a node's `nn_module_stack`.
struct ModuleFrame {
  std::string key;  ///< Unique per module call in recent PyTorch.
  std::string path; ///< `layer1.0.conv1`; empty for the root.
  std::string cls;  ///< Qualified class name, `__main__.` removed.
};

/// What the signature says a graph input is.
struct InputInfo {
  enum Kind { User, Parameter, Buffer, Constant, Other } kind = Other;
  std::string qualifiedName;
};

/// One graph node that produces a tensor.
struct OpRecord {
  std::string opName;               ///< `aten::conv2d`
  std::string shortName;            ///< `conv2d`
  Attribute record;                 ///< The `ops` entry.
  std::vector<std::string> reads;   ///< Tensor names it reads, in order.
  std::vector<std::string> results; ///< Tensor names it produces.
  std::vector<ModuleFrame> stack;
  bool isMethod = false;
};

class ProgramImporter {
public:
  ProgramImporter(IRContext &ctx, const ExportImportOptions &options)
      : ctx(ctx), options(options), graph(ctx) {}

  Graph run(const json &program);

private:
  void checkSchemaVersion(const json &program);
  void readTensorValues(const json &graphJson);
  void readSymInts(const json &graphJson);
  void readSignature(const json &signature);
  Type tensorType(const std::string &name) const;
  Type parameterType(const std::string &name) const;
  Attribute argumentAttr(const json &argument, std::string_view where,
                         std::vector<std::string> &reads);
  std::vector<std::string> tensorNames(const json &argument,
                                       std::string_view where);
  std::vector<ModuleFrame> parseModuleStack(std::string_view text) const;
  void readNodes(const json &graphJson);
  void computeModulePaths();
  size_t leafFrame(const std::vector<ModuleFrame> &stack) const;
  void emitInputs(const json &graphJson);
  void emitNode(size_t first, size_t last, bool moduleNode, size_t frame);
  void emitOutput(const json &graphJson, const json &signature);
  void emitModulesNotRun();
  std::string uniqueName(std::string base);
  const std::string &standingName(const std::string &qualified) const {
    auto it = tiedTo.find(qualified);
    return it == tiedTo.end() ? qualified : it->second;
  }

  IRContext &ctx;
  const ExportImportOptions &options;
  Graph graph;

  struct TensorInfo {
    Type type;
    std::string symbolicShape; ///< `[s77, 3, 8, 8]`; empty when static.
  };
  std::unordered_map<std::string, TensorInfo> tensors;
  std::unordered_map<std::string, std::optional<int64_t>> symIntHints;
  std::unordered_map<std::string, InputInfo> inputs;
  /// Parameters in signature order, to list the unused ones in that order.
  std::vector<std::string> parameterPlaceholders;
  /// Qualified parameter name -> the name standing for its tensor (the
  /// first of its tied group); absent for untied parameters.
  std::unordered_map<std::string, std::string> tiedTo;
  /// Tensors (by standing name) counted on a node, and buffers likewise.
  std::unordered_set<std::string> countedParams, countedBuffers;
  std::unordered_set<std::string> modulePaths;
  std::vector<OpRecord> ops;
  /// Index of the last op reading each tensor; SIZE_MAX for graph outputs.
  std::unordered_map<std::string, size_t> lastUse;
  std::unordered_map<std::string, ValueRef> producers;
  std::unordered_map<std::string, unsigned> nameCounts;
  std::unordered_set<std::string> usedNames;
};

void ProgramImporter::checkSchemaVersion(const json &program) {
  const json *version = optionalMember(program, "schema_version");
  if (!version)
    fail("no 'schema_version': not a serialized torch.export program");
  int64_t major = asInt(member(*version, "major", "schema_version"),
                        "schema_version.major");
  int64_t minor = 0;
  if (const json *m = optionalMember(*version, "minor"))
    minor = asInt(*m, "schema_version.minor");
  if (major != kExportSchemaMajorVersion)
    fail(fmt::format("schema version {}.{} is not supported; mav reads "
                     "schema major version {}",
                     major, minor, kExportSchemaMajorVersion));
}

void ProgramImporter::readTensorValues(const json &graphJson) {
  const json &values = asObject(member(graphJson, "tensor_values", "graph"),
                                "graph.tensor_values");
  for (auto it = values.begin(); it != values.end(); ++it) {
    std::string where = fmt::format("tensor_values['{}']", it.key());
    const json &meta = asObject(it.value(), where);
    int64_t scalarType = asInt(member(meta, "dtype", where), where + ".dtype");
    DType dtype = scalarTypeToDType(scalarType).value_or(DType::Unknown);
    const json &sizes = asArray(member(meta, "sizes", where), where + ".sizes");
    std::vector<int64_t> dims;
    std::vector<std::string> spelled;
    bool symbolic = false;
    for (const json &size : sizes) {
      auto [kind, value] = unionCase(size, where + ".sizes");
      if (*kind == "as_int") {
        dims.push_back(asInt(*value, where + ".sizes"));
        if (dims.back() < 0)
          fail(fmt::format("{}.sizes: negative size {}", where, dims.back()));
        spelled.push_back(std::to_string(dims.back()));
      } else if (*kind == "as_expr") {
        symbolic = true;
        const std::string &expr = asString(
            member(*value, "expr_str", where + ".sizes"), where + ".sizes");
        spelled.push_back(printSymExpr(expr));
        int64_t dim = kUnknownDim;
        if (const json *hint = optionalMember(*value, "hint")) {
          auto [hintKind, hintValue] = unionCase(*hint, where + ".sizes");
          if (*hintKind == "as_int")
            dim = std::max<int64_t>(kUnknownDim, asInt(*hintValue, where));
        }
        dims.push_back(dim);
      } else {
        fail(fmt::format("{}.sizes: unexpected '{}'", where, *kind));
      }
    }
    TensorInfo info;
    info.type = Type::tensor(ctx, dtype, dims);
    if (symbolic)
      info.symbolicShape = fmt::format("[{}]", fmt::join(spelled, ", "));
    tensors[it.key()] = std::move(info);
  }
}

void ProgramImporter::readSymInts(const json &graphJson) {
  const json *values = optionalMember(graphJson, "sym_int_values");
  if (!values)
    return;
  asObject(*values, "graph.sym_int_values");
  for (auto it = values->begin(); it != values->end(); ++it) {
    std::string where = fmt::format("sym_int_values['{}']", it.key());
    auto [kind, value] = unionCase(it.value(), where);
    std::optional<int64_t> hint;
    if (*kind == "as_int") {
      hint = asInt(*value, where);
    } else if (*kind == "as_expr") {
      if (const json *h = optionalMember(*value, "hint")) {
        auto [hintKind, hintValue] = unionCase(*h, where);
        if (*hintKind == "as_int")
          hint = asInt(*hintValue, where);
      }
    }
    symIntHints[it.key()] = hint;
  }
}

void ProgramImporter::readSignature(const json &signature) {
  const json &specs = asArray(member(signature, "input_specs", "signature"),
                              "signature.input_specs");
  for (size_t i = 0; i < specs.size(); ++i) {
    std::string where = fmt::format("signature.input_specs[{}]", i);
    auto [kind, spec] = unionCase(specs[i], where);
    InputInfo info;
    const char *nameKey = nullptr;
    if (*kind == "user_input") {
      info.kind = InputInfo::User;
      const json &arg = member(*spec, "arg", where);
      auto [argKind, argValue] = unionCase(arg, where + ".arg");
      if (*argKind != "as_tensor")
        continue; // A scalar input: not a node.
      inputs[asString(member(*argValue, "name", where), where)] = info;
      continue;
    }
    if (*kind == "parameter") {
      info.kind = InputInfo::Parameter;
      nameKey = "parameter_name";
    } else if (*kind == "buffer") {
      info.kind = InputInfo::Buffer;
      nameKey = "buffer_name";
    } else if (*kind == "tensor_constant") {
      info.kind = InputInfo::Constant;
      nameKey = "tensor_constant_name";
    } else {
      continue; // Tokens, custom objects, constant inputs.
    }
    info.qualifiedName = asString(member(*spec, nameKey, where), where);
    const std::string &placeholder =
        asString(member(member(*spec, "arg", where), "name", where), where);
    if (info.kind == InputInfo::Parameter)
      parameterPlaceholders.push_back(placeholder);
    inputs[placeholder] = std::move(info);
  }
}

Type ProgramImporter::tensorType(const std::string &name) const {
  auto it = tensors.find(name);
  return it == tensors.end() ? Type::unknown() : it->second.type;
}

Type ProgramImporter::parameterType(const std::string &name) const {
  // `params`, `buffers` and `unused_params` hold tensor types (docs/IR.md):
  // a placeholder missing from tensor_values is a tensor of unknown shape.
  Type type = tensorType(name);
  return type.isTensor() ? type : Type::unrankedTensor(ctx, DType::Unknown);
}

std::vector<std::string> ProgramImporter::tensorNames(const json &argument,
                                                      std::string_view where) {
  std::vector<std::string> names;
  auto [kind, value] = unionCase(argument, where);
  if (*kind == "as_tensor") {
    names.push_back(asString(member(*value, "name", where), where));
  } else if (*kind == "as_tensors") {
    for (const json &element : asArray(*value, where))
      names.push_back(asString(member(element, "name", where), where));
  } else if (*kind == "as_optional_tensors") {
    for (const json &element : asArray(*value, where)) {
      auto [elementKind, elementValue] = unionCase(element, where);
      if (*elementKind == "as_tensor")
        names.push_back(asString(member(*elementValue, "name", where), where));
    }
  }
  return names;
}

Attribute ProgramImporter::argumentAttr(const json &argument,
                                        std::string_view where,
                                        std::vector<std::string> &reads) {
  // Not a structured binding: lambdas below capture these (C++17).
  std::pair<const std::string *, const json *> argumentCase =
      unionCase(argument, where);
  const std::string *kind = argumentCase.first;
  const json *value = argumentCase.second;
  auto symInt = [&](const json &sym) -> Attribute {
    auto [symKind, symValue] = unionCase(sym, where);
    if (*symKind == "as_int")
      return Attribute::integer(asInt(*symValue, where));
    if (*symKind == "as_name") {
      auto it = symIntHints.find(asString(*symValue, where));
      if (it != symIntHints.end() && it->second)
        return Attribute::integer(*it->second);
    }
    return Attribute::none();
  };
  auto list = [&](auto &&element) {
    std::vector<Attribute> elements;
    for (const json &item : asArray(*value, where))
      elements.push_back(element(item));
    return Attribute::list(ctx, elements.data(), elements.size());
  };
  auto tensor = [&](const json &item) {
    const std::string &name = asString(member(item, "name", where), where);
    reads.push_back(name);
    return Attribute::type(tensorType(name));
  };
  if (*kind == "as_none")
    return Attribute::none();
  if (*kind == "as_tensor")
    return tensor(*value);
  if (*kind == "as_tensors")
    return list(tensor);
  if (*kind == "as_optional_tensors")
    return list([&](const json &item) {
      auto [itemKind, itemValue] = unionCase(item, where);
      return *itemKind == "as_tensor" ? tensor(*itemValue) : Attribute::none();
    });
  if (*kind == "as_int")
    return Attribute::integer(asInt(*value, where));
  if (*kind == "as_ints")
    return list([&](const json &item) {
      return Attribute::integer(asInt(item, where));
    });
  if (*kind == "as_float" || *kind == "as_floats") {
    auto real = [&](const json &item) {
      if (!item.is_number())
        fail(fmt::format("{}: expected a number, found {}", where,
                         kindName(item)));
      return Attribute::real(item.get<double>());
    };
    return *kind == "as_float" ? real(*value) : list(real);
  }
  if (*kind == "as_bool" || *kind == "as_bools") {
    auto boolean = [&](const json &item) {
      if (!item.is_boolean())
        fail(fmt::format("{}: expected a boolean, found {}", where,
                         kindName(item)));
      return Attribute::boolean(item.get<bool>());
    };
    return *kind == "as_bool" ? boolean(*value) : list(boolean);
  }
  if (*kind == "as_string")
    return Attribute::string(ctx, asString(*value, where));
  if (*kind == "as_strings")
    return list([&](const json &item) {
      return Attribute::string(ctx, asString(item, where));
    });
  if (*kind == "as_sym_int")
    return symInt(*value);
  if (*kind == "as_sym_ints")
    return list(symInt);
  if (*kind == "as_scalar_type") {
    std::optional<DType> dtype = scalarTypeToDType(asInt(*value, where));
    return dtype ? Attribute::string(ctx, getDTypeName(*dtype))
                 : Attribute::none();
  }
  if (*kind == "as_device") {
    const json *type = optionalMember(*value, "type");
    return type ? Attribute::string(ctx, asString(*type, where))
                : Attribute::none();
  }
  if (*kind == "as_graph" || *kind == "as_custom_obj") {
    const json *name = optionalMember(*value, "name");
    return name ? Attribute::string(ctx, asString(*name, where))
                : Attribute::none();
  }
  if (*kind == "as_operator")
    return Attribute::string(ctx, asString(*value, where));
  // Memory formats, layouts, symbolic floats and bools: not needed by any
  // formula.
  return Attribute::none();
}

std::vector<ModuleFrame>
ProgramImporter::parseModuleStack(std::string_view text) const {
  // `key,path,class` entries separated by `;` (serialize.py).
  std::vector<ModuleFrame> stack;
  for (std::string_view entry : splitString(text, ";")) {
    size_t first = entry.find(',');
    size_t last = entry.rfind(',');
    if (first == std::string_view::npos || first == last)
      continue;
    ModuleFrame frame;
    frame.key = std::string(entry.substr(0, first));
    frame.path = std::string(entry.substr(first + 1, last - first - 1));
    frame.cls = cleanClassName(entry.substr(last + 1));
    // Nodes that torch.export adds itself carry a placeholder stack.
    if (frame.key.rfind("_empty_nn_module_stack", 0) == 0)
      continue;
    stack.push_back(std::move(frame));
  }
  // The root's frame has an empty path; make sure it comes first.
  if (stack.empty() || !stack.front().path.empty()) {
    ModuleFrame root;
    stack.insert(stack.begin(), root);
  }
  return stack;
}

void ProgramImporter::readNodes(const json &graphJson) {
  const json &nodes =
      asArray(member(graphJson, "nodes", "graph"), "graph.nodes");
  for (size_t n = 0; n < nodes.size(); ++n) {
    const json &node = nodes[n];
    std::string where = fmt::format("graph.nodes[{}]", n);
    const std::string &target =
        asString(member(node, "target", where), where + ".target");
    std::string opWhere = fmt::format("{} ('{}')", where, target);
    const json &inputsJson =
        asArray(member(node, "inputs", opWhere), opWhere + ".inputs");
    const json &outputsJson =
        asArray(member(node, "outputs", opWhere), opWhere + ".outputs");

    OpRecord op;
    std::tie(op.opName, op.shortName) = splitTarget(target);
    for (const json &output : outputsJson)
      for (std::string &name : tensorNames(output, opWhere + ".outputs"))
        op.results.push_back(std::move(name));
    // Ops without a tensor result (sym_size, asserts) are plumbing, as in
    // the TorchScript frontend; their symbolic results are already read
    // from sym_int_values.
    if (op.results.empty())
      continue;

    std::vector<Attribute> operands;
    for (size_t i = 0; i < inputsJson.size(); ++i) {
      std::string argWhere = fmt::format("{}.inputs[{}]", opWhere, i);
      operands.push_back(argumentAttr(member(inputsJson[i], "arg", argWhere),
                                      argWhere, op.reads));
    }
    std::vector<Attribute> results;
    for (const std::string &name : op.results)
      results.push_back(Attribute::type(tensorType(name)));
    DictAttr record;
    record.set(ctx, attrs::kOpName, Attribute::string(ctx, op.opName));
    record.set(ctx, attrs::kOpOperands,
               Attribute::list(ctx, operands.data(), operands.size()));
    record.set(ctx, attrs::kOpResults,
               Attribute::list(ctx, results.data(), results.size()));
    op.record = Attribute::dict(ctx, record);

    std::string_view sourceLine, torchFn;
    if (const json *metadata = optionalMember(node, "metadata")) {
      asObject(*metadata, opWhere + ".metadata");
      if (const json *stack = optionalMember(*metadata, "nn_module_stack"))
        op.stack = parseModuleStack(asString(*stack, opWhere));
      if (const json *trace = optionalMember(*metadata, "stack_trace"))
        sourceLine = lastSourceLine(asString(*trace, opWhere));
      if (const json *fn = optionalMember(*metadata, "torch_fn"))
        torchFn = asString(*fn, opWhere);
    }
    if (op.stack.empty())
      op.stack = parseModuleStack("");
    op.isMethod = isMethodCall(op.shortName, sourceLine, torchFn);
    for (const std::string &name : op.reads)
      lastUse[name] = ops.size();
    ops.push_back(std::move(op));
  }
}

void ProgramImporter::computeModulePaths() {
  auto addWithParents = [&](std::string_view path) {
    while (!path.empty()) {
      modulePaths.insert(std::string(path));
      size_t dot = path.rfind('.');
      path = dot == std::string_view::npos ? std::string_view()
                                           : path.substr(0, dot);
    }
  };
  for (const OpRecord &op : ops)
    for (const ModuleFrame &frame : op.stack)
      addWithParents(frame.path);
  // A parameter `a.b.weight` says module `a.b` exists, called or not.
  for (const auto &[placeholder, info] : inputs) {
    if (info.kind == InputInfo::User)
      continue;
    size_t dot = info.qualifiedName.rfind('.');
    if (dot != std::string::npos)
      addWithParents(std::string_view(info.qualifiedName).substr(0, dot));
  }
}

/// The frame of the leaf module an op belongs to, or 0 when it was called
/// directly in a non-leaf module's forward. As in the TorchScript frontend,
/// a leaf is a torch.nn module other than a container, or any module
/// without child modules; the root never is.
size_t ProgramImporter::leafFrame(const std::vector<ModuleFrame> &stack) const {
  for (size_t i = 1; i < stack.size(); ++i) {
    const ModuleFrame &frame = stack[i];
    if (frame.cls.rfind("torch.nn.", 0) == 0 && !isContainerClass(frame.cls))
      return i;
    std::string prefix = frame.path + ".";
    bool hasChildren = false;
    // Module paths are few (hundreds); a scan is cheap next to JSON parsing.
    for (const std::string &path : modulePaths)
      if (path.compare(0, prefix.size(), prefix) == 0) {
        hasChildren = true;
        break;
      }
    if (!hasChildren)
      return i;
  }
  return 0;
}

std::string ProgramImporter::uniqueName(std::string base) {
  if (base.empty())
    base = "node";
  if (usedNames.insert(base).second)
    return base;
  unsigned &count = nameCounts[base];
  while (true) {
    std::string candidate = fmt::format("{}_{}", base, ++count);
    if (usedNames.insert(candidate).second)
      return candidate;
  }
}

void ProgramImporter::emitInputs(const json &graphJson) {
  const json &graphInputs =
      asArray(member(graphJson, "inputs", "graph"), "graph.inputs");
  for (size_t i = 0; i < graphInputs.size(); ++i) {
    std::string where = fmt::format("graph.inputs[{}]", i);
    for (const std::string &name : tensorNames(graphInputs[i], where)) {
      auto it = inputs.find(name);
      if (it == inputs.end() || it->second.kind != InputInfo::User)
        continue;
      Node node;
      node.name = uniqueName(name);
      node.op = std::string(kInputOp);
      node.resultTypes.push_back(tensorType(name));
      node.attrs.set(ctx, attrs::kModule, Attribute::string(ctx, ""));
      auto tensor = tensors.find(name);
      if (tensor != tensors.end() && !tensor->second.symbolicShape.empty())
        node.attrs.set(
            ctx, attrs::kSymShapes,
            Attribute::stringList(ctx, {tensor->second.symbolicShape}));
      producers[name] = {graph.addNode(std::move(node)), 0};
    }
  }
}

void ProgramImporter::emitNode(size_t first, size_t last, bool moduleNode,
                               size_t frame) {
  const OpRecord &head = ops[first];
  const std::vector<ModuleFrame> &stack = head.stack;
  size_t owner = moduleNode ? frame : stack.size() - 1;
  const ModuleFrame &module = stack[owner];

  Node node;
  if (moduleNode) {
    // A class name is never empty in a real archive; a crafted one still
    // gets a non-empty operation (the verifier requires one).
    std::string_view shortName = shortClassName(module.cls);
    if (shortName.empty())
      shortName = module.cls.empty() ? std::string_view("Module")
                                     : std::string_view(module.cls);
    node.op = module.cls.rfind("torch.nn.", 0) == 0
                  ? fmt::format("nn.{}", shortName)
                  : std::string(shortName);
    node.name = uniqueName(pathToName(module.path));
  } else {
    node.op = head.isMethod ? fmt::format(".{}()", head.shortName)
                            : fmt::format("{}()", head.shortName);
    node.name = uniqueName(
        module.path.empty()
            ? head.shortName
            : fmt::format("{}_{}", pathToName(module.path), head.shortName));
  }

  std::vector<Attribute> classes, records;
  for (size_t i = 0; i <= owner; ++i)
    if (!stack[i].cls.empty())
      classes.push_back(Attribute::string(ctx, stack[i].cls));
  DictAttr params, buffers;
  std::vector<std::string> shared;
  std::unordered_set<std::string> produced;
  std::vector<std::string> external;
  for (size_t i = first; i <= last; ++i) {
    const OpRecord &op = ops[i];
    records.push_back(op.record);
    for (const std::string &name : op.reads) {
      if (produced.count(name))
        continue;
      auto input = inputs.find(name);
      if (input != inputs.end() && input->second.kind != InputInfo::User) {
        const InputInfo &info = input->second;
        if (info.kind == InputInfo::Parameter) {
          // A tied tensor is read through one of its names only: the node
          // of module `embed` shows it as `embed.weight` when that is one
          // of them, as the TorchScript frontend does.
          std::string shown = info.qualifiedName;
          std::string tensorKey = standingName(info.qualifiedName);
          for (const auto &[alias, standing] : tiedTo)
            if (standing == tensorKey && !module.path.empty() &&
                alias.compare(0, module.path.size() + 1, module.path + ".") ==
                    0 &&
                alias.find('.', module.path.size() + 1) == std::string::npos)
              shown = alias;
          if (countedParams.insert(tensorKey).second)
            params.set(ctx, shown, Attribute::type(parameterType(name)));
          else if (!params.contains(shown) &&
                   std::find(shared.begin(), shared.end(), shown) ==
                       shared.end())
            shared.push_back(shown);
        } else if (info.kind == InputInfo::Buffer &&
                   countedBuffers.insert(name).second) {
          buffers.set(ctx, info.qualifiedName,
                      Attribute::type(parameterType(name)));
        }
        continue;
      }
      auto producer = producers.find(name);
      if (producer != producers.end() &&
          std::find(external.begin(), external.end(), name) == external.end())
        external.push_back(name);
    }
    for (const std::string &name : op.results)
      produced.insert(name);
  }
  for (const std::string &name : external)
    node.operands.push_back(producers[name]);

  // Results: the tensors used after the node (or as graph outputs), in the
  // order they were produced; a node whose results nobody uses keeps its
  // last op's.
  std::vector<std::string> results;
  for (size_t i = first; i <= last; ++i)
    for (const std::string &name : ops[i].results) {
      auto use = lastUse.find(name);
      if (use != lastUse.end() && use->second > last)
        results.push_back(name);
    }
  if (results.empty())
    results = ops[last].results;
  std::vector<Attribute> symbolicShapes;
  bool anySymbolic = false;
  for (const std::string &name : results) {
    auto tensor = tensors.find(name);
    node.resultTypes.push_back(tensorType(name));
    std::string spelled =
        tensor == tensors.end() ? std::string() : tensor->second.symbolicShape;
    anySymbolic |= !spelled.empty();
    symbolicShapes.push_back(spelled.empty() ? Attribute::none()
                                             : Attribute::string(ctx, spelled));
  }

  node.attrs.set(ctx, attrs::kModule, Attribute::string(ctx, module.path));
  node.attrs.set(ctx, attrs::kClass,
                 Attribute::list(ctx, classes.data(), classes.size()));
  node.attrs.set(ctx, attrs::kOps,
                 Attribute::list(ctx, records.data(), records.size()));
  if (!params.empty())
    node.attrs.set(ctx, attrs::kParams, Attribute::dict(ctx, params));
  if (!shared.empty())
    node.attrs.set(ctx, attrs::kSharedParams,
                   Attribute::stringList(ctx, shared));
  if (!buffers.empty())
    node.attrs.set(ctx, attrs::kBuffers, Attribute::dict(ctx, buffers));
  if (anySymbolic)
    node.attrs.set(
        ctx, attrs::kSymShapes,
        Attribute::list(ctx, symbolicShapes.data(), symbolicShapes.size()));
  node.attrs.set(ctx, attrs::kStatus, Attribute::string(ctx, attrs::kStatusOk));
  uint32_t index = graph.addNode(std::move(node));
  for (size_t r = 0; r < results.size(); ++r)
    producers[results[r]] = {index, static_cast<uint32_t>(r)};
}

void ProgramImporter::emitOutput(const json &graphJson, const json &signature) {
  std::vector<std::string> names;
  if (const json *specs = optionalMember(signature, "output_specs")) {
    asArray(*specs, "signature.output_specs");
    for (size_t i = 0; i < specs->size(); ++i) {
      std::string where = fmt::format("signature.output_specs[{}]", i);
      auto [kind, spec] = unionCase((*specs)[i], where);
      if (*kind != "user_output")
        continue; // Buffer mutations, tokens: not what the model returns.
      for (std::string &name : tensorNames(member(*spec, "arg", where), where))
        names.push_back(std::move(name));
    }
  }
  Node node;
  node.name = uniqueName("output");
  node.op = std::string(kOutputOp);
  for (const std::string &name : names) {
    auto producer = producers.find(name);
    if (producer != producers.end())
      node.operands.push_back(producer->second);
  }
  if (node.operands.empty())
    fail("the graph returns no tensor computed by the model");
  graph.addNode(std::move(node));
}

Graph ProgramImporter::run(const json &program) {
  if (!program.is_object())
    fail(fmt::format("expected a JSON object, found {}", kindName(program)));
  checkSchemaVersion(program);
  const json &graphModule = member(program, "graph_module", "program");
  const json &graphJson = member(graphModule, "graph", "graph_module");
  const json &signature = member(graphModule, "signature", "graph_module");

  std::string_view source = options.source;
  size_t slash = source.rfind('/');
  std::string_view stem =
      slash == std::string_view::npos ? source : source.substr(slash + 1);
  stem = stem.substr(0, stem.find('.'));
  graph.setName(stem.empty() ? "model" : std::string(stem));
  graph.getAttrs().set(ctx, attrs::kSource,
                       Attribute::string(ctx, options.source));

  for (const std::vector<std::string> &group : options.tiedParameters)
    for (const std::string &name : group)
      if (name != group.front())
        tiedTo[name] = group.front();
  readTensorValues(graphJson);
  readSymInts(graphJson);
  readSignature(signature);
  readNodes(graphJson);
  computeModulePaths();
  // Graph outputs are used after every op.
  if (const json *specs = optionalMember(signature, "output_specs"))
    if (specs->is_array())
      for (const json &spec : *specs)
        if (spec.is_object() && spec.contains("user_output"))
          for (const std::string &name :
               tensorNames(member(spec["user_output"], "arg", "output_specs"),
                           "output_specs"))
            lastUse[name] = SIZE_MAX;

  emitInputs(graphJson);
  bool perOp = options.granularity == ExportGranularity::Op;
  for (size_t i = 0; i < ops.size();) {
    size_t frame = perOp ? 0 : leafFrame(ops[i].stack);
    size_t last = i;
    if (frame != 0) {
      // The ops of one call of a leaf module are consecutive and share its
      // frame key (recent PyTorch gives each call its own key).
      const ModuleFrame &leaf = ops[i].stack[frame];
      while (last + 1 < ops.size()) {
        const std::vector<ModuleFrame> &next = ops[last + 1].stack;
        if (next.size() <= frame || next[frame].key != leaf.key ||
            next[frame].path != leaf.path)
          break;
        ++last;
      }
    }
    emitNode(i, last, frame != 0, frame);
    i = last + 1;
  }
  emitModulesNotRun();
  emitOutput(graphJson, signature);
  return std::move(graph);
}

void ProgramImporter::emitModulesNotRun() {
  // Parameters no op read belong to modules the forward never called
  // (googlenet's auxiliary classifiers in eval mode). Each module owning
  // some becomes a not-run node holding them, as in the TorchScript
  // frontend, so that the totals count every parameter of the model.
  // Signature order; a tied group is unread only if none of its names was
  // read, and is then listed under its standing name.
  std::vector<std::string> owners;
  std::map<std::string, DictAttr> unread;
  for (const std::string &placeholder : parameterPlaceholders) {
    const std::string &standing =
        standingName(inputs[placeholder].qualifiedName);
    if (!countedParams.insert(standing).second)
      continue;
    size_t dot = standing.rfind('.');
    std::string owner =
        dot == std::string::npos ? std::string() : standing.substr(0, dot);
    auto [it, first] = unread.try_emplace(owner);
    if (first)
      owners.push_back(owner);
    it->second.set(ctx, standing, Attribute::type(parameterType(placeholder)));
  }
  for (const std::string &owner : owners) {
    Node node;
    node.op = "Module";
    std::vector<Attribute> classes;
    auto known = options.moduleClasses.find(owner);
    if (known != options.moduleClasses.end() && !known->second.empty()) {
      const std::string &cls = known->second.back();
      std::string_view shortName = shortClassName(cls);
      if (!shortName.empty())
        node.op = cls.rfind("torch.nn.", 0) == 0
                      ? fmt::format("nn.{}", shortName)
                      : std::string(shortName);
      for (const std::string &name : known->second)
        classes.push_back(Attribute::string(ctx, name));
    }
    node.name = uniqueName(owner.empty() ? "root" : pathToName(owner));
    node.attrs.set(ctx, attrs::kModule, Attribute::string(ctx, owner));
    if (!classes.empty())
      node.attrs.set(ctx, attrs::kClass,
                     Attribute::list(ctx, std::move(classes)));
    node.attrs.set(ctx, attrs::kParams,
                   Attribute::dict(ctx, std::move(unread.at(owner))));
    node.attrs.set(ctx, attrs::kStatus,
                   Attribute::string(ctx, attrs::kStatusNotRun));
    node.resultTypes.push_back(Type::unknown()); // never computed
    graph.addNode(std::move(node));
  }
}

} // namespace

std::optional<Graph> mav::importExportedProgramJson(
    IRContext &ctx, std::string_view text, std::string_view name,
    const ExportImportOptions &options, DiagnosticEngine &diags) {
  auto report = [&](const std::string &message) {
    diags.error(SourceLoc(), fmt::format("{}: {}", escapeForTerminal(name),
                                         escapeForTerminal(message)));
    return std::nullopt;
  };
  json program;
  try {
    program = json::parse(text.begin(), text.end());
  } catch (const json::parse_error &error) {
    return report(fmt::format("malformed JSON at byte {}", error.byte));
  } catch (const json::exception &error) {
    return report(fmt::format("malformed JSON: {}", error.what()));
  } catch (const std::bad_alloc &) {
    return report("out of memory while parsing the JSON");
  }
  ExportImportOptions withSource = options;
  if (withSource.source.empty())
    withSource.source = std::string(name);
  try {
    ProgramImporter importer(ctx, withSource);
    return importer.run(program);
  } catch (const ImportError &error) {
    return report(error.message);
  } catch (const json::exception &error) {
    return report(fmt::format("unexpected JSON content: {}", error.what()));
  } catch (const std::bad_alloc &) {
    return report("out of memory");
  }
}
