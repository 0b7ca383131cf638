//===- Execution.cpp - Running a TorchScript graph node by node -----------===//
//
// The interpreter's execution (Interpreter.cpp's banner has the whole
// design): a graph's blocks and nodes, control flow run for real, calls into
// submodules and scripted functions that open the IR node of a leaf-module or
// function call, and every other op through its registered Operation (the
// prim ops torch's own interpreter implements inline through
// runStructuralOp), its operands and results recorded. After a failure it
// runs in "not-run" mode; in shapes-only mode runWithoutValues runs an op on
// a shape rule, its meta kernel or zeros on the CPU.
//
// It is kept apart from the core so that what is run, and how, can be read
// without the bookkeeping of nodes and edges, and the other way round.
//
//===----------------------------------------------------------------------===//

#include "InterpreterImpl.h"
#include "MetaShapeRules.h"
#include "ValueConversion.h"

#include <torch/csrc/jit/api/function_impl.h>

#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

using namespace mav;
using namespace mav::trace;

namespace {

/// Aten ops that only move values around: they return tensors but compute
/// nothing, so they never become nodes.
bool isPlumbingOp(c10::Symbol kind) {
  static const std::unordered_set<std::string> kPlumbing = {
      "aten::__getitem__",  "aten::list",
      "aten::append",       "aten::pop",
      "aten::insert",       "aten::extend",
      "aten::_set_item",    "aten::dict",
      "aten::values",       "aten::get",
      "aten::items",        "aten::copy",
      "aten::__contains__", "aten::_unwrap_optional",
      "aten::wait",         "aten::setdefault",
      "aten::keys",         "aten::add_.t",
  };
  return kPlumbing.count(kind.toQualString()) != 0;
}

/// Ops run for their side effect on the console, which mav-trace suppresses.
bool isOutputOnlyOp(c10::Symbol kind) {
  return kind == c10::prim::Print || kind == c10::aten::warn;
}

/// The ops that torch's own interpreter implements inline and that therefore
/// have no registered Operation, or one that only throws (list, tuple and
/// dictionary construction and unpacking, casts, waiting on a future):
/// runStructuralOp runs them.
bool isStructuralOp(c10::Symbol kind) {
  static const std::unordered_set<c10::Symbol> kStructural = {
      c10::prim::ListConstruct,  c10::prim::ListUnpack,
      c10::prim::TupleConstruct, c10::prim::TupleUnpack,
      c10::prim::TupleIndex,     c10::prim::TupleSlice,
      c10::prim::DictConstruct,  c10::prim::CreateObject,
      c10::prim::isinstance,     c10::prim::Uninitialized,
      c10::prim::unchecked_cast, c10::prim::unchecked_unwrap_optional,
      c10::aten::wait,
  };
  return kStructural.count(kind) != 0;
}

/// The ops runNode dispatches to the interpreter's own code: constants,
/// attributes, control flow and calls.
bool isInterpreterOp(c10::Symbol kind) {
  return kind == c10::prim::Constant || kind == c10::prim::GetAttr ||
         kind == c10::prim::SetAttr || kind == c10::prim::If ||
         kind == c10::prim::Loop || kind == c10::prim::CallMethod ||
         kind == c10::prim::CallFunction || kind == c10::prim::Enter ||
         kind == c10::prim::Exit || kind == c10::prim::fork;
}

/// Runs a structural op (isStructuralOp). Returns false for any other op.
bool runStructuralOp(const jit::Node *node, jit::Stack &stack) {
  c10::Symbol kind = node->kind();
  if (!isStructuralOp(kind))
    return false;
  size_t numInputs = node->inputs().size();
  auto takeInputs = [&] {
    std::vector<c10::IValue> values(stack.end() - numInputs, stack.end());
    stack.resize(stack.size() - numInputs);
    return values;
  };
  auto expectCount = [&](size_t actual) {
    if (actual != node->outputs().size())
      throw std::runtime_error(fmt::format("{} expected {} elements but got {}",
                                           kind.toQualString(),
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
      stack.emplace_back(
          c10::ivalue::Tuple::createNamed(std::move(values), tupleType));
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
  if (kind == c10::prim::isinstance) {
    // isinstance(x, T1, T2...): the candidate types are the node's.
    c10::TypePtr type = stack.back().type();
    stack.pop_back();
    bool matches = false;
    for (const c10::TypePtr &candidate : node->tys(c10::attr::types))
      matches = matches || type->isSubtypeOf(*candidate);
    stack.emplace_back(matches);
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
  if (kind == c10::aten::wait) {
    // torch.jit.wait on runFork's completed future.
    c10::intrusive_ptr<c10::ivalue::Future> future = stack.back().toFuture();
    stack.pop_back();
    stack.push_back(future->value());
    return true;
  }
  throw std::logic_error(
      fmt::format("internal error: structural op {} has no implementation",
                  kind.toQualString()));
}

std::vector<c10::TypePtr> getStaticTypes(const jit::Node *node) {
  std::vector<c10::TypePtr> types;
  for (const jit::Value *output : node->outputs())
    types.push_back(output->type());
  return types;
}

} // namespace

bool mav::trace::isHandledOp(const jit::Node *node) {
  c10::Symbol kind = node->kind();
  return isInterpreterOp(kind) || isOutputOnlyOp(kind) ||
         isStructuralOp(kind) || node->maybeOperator() != nullptr;
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
    throw std::runtime_error(
        fmt::format("internal error: graph takes {} inputs, called with {}",
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
    if (value && options.shapesOnly && value->isTensor() &&
        value->toTensor().defined())
      value = c10::IValue(getMetaState(value->toTensor()));
    env[output] = value ? Slot{*value, true, {}} : Slot::unknown();
    return;
  }
  if (kind == c10::prim::GetAttr)
    return runGetAttr(node, env);
  if (kind == c10::prim::SetAttr) {
    Slot object = readInput(env, node->input(0));
    Slot value = readInput(env, node->input(1));
    if (!notRunMode && object.known && value.known && object.value.isObject())
      object.value.toObjectRef().setAttr(node->s(c10::attr::name), value.value);
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
  if (kind == c10::prim::Enter || kind == c10::prim::Exit)
    return runContextManager(node, env, module);
  if (kind == c10::prim::fork)
    return runFork(node, env, module);
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
  std::vector<Slot> carried = readInputs(env, node, 2);

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

void Interpreter::finishGroupedNode(OpenNode &open, const jit::Node *node,
                                    Env &env, std::vector<Slot> results) {
  // The node being closed gets the next index of the graph.
  ValueRef selfRef{static_cast<uint32_t>(graph.size()), 0};
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].known)
      results[i] = Slot::unknown({selfRef});
    env[node->outputs()[i]] = results[i];
  }
  closeNode(open, std::move(results), getStaticTypes(node));
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
                   !current && callee_module != module && callee_module->leaf;
  if (!enterLeaf) {
    bindOutputs(node, env, callGraph(callee, node, env, 0, callee_module));
    return;
  }

  std::vector<Slot> args = readInputs(env, node, 1);
  OpenNode open = openNode(pathToName(callee_module->path),
                           callee_module->opName, callee_module, args, node);
  if (!callee_module->args.empty())
    open.node.attrs.set(ctx, attrs::kArgs,
                        Attribute::dict(ctx, callee_module->args));
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
  finishGroupedNode(open, node, env, std::move(results));
}

void Interpreter::runCallFunction(const jit::Node *node, Env &env,
                                  const ModuleInfo *module) {
  auto functionType = node->input(0)->type()->expect<c10::FunctionType>();
  jit::Function *function = functionType->function();
  jit::Graph &callee = *jit::toGraphFunction(*function).graph();
  bool group = options.granularity == TraceGranularity::Module && !current;
  if (!group) {
    bindOutputs(node, env, callGraph(callee, node, env, 1, module));
    return;
  }
  std::vector<Slot> args = readInputs(env, node, 1);
  std::string name = function->name();
  OpenNode open = openNode(functionNodeName(module->path, name),
                           fmt::format("{}()", name), module, args, node);
  current = &open;
  std::vector<Slot> results = callGraph(callee, node, env, 1, module);
  current = nullptr;
  finishGroupedNode(open, node, env, std::move(results));
}

void Interpreter::runContextManager(const jit::Node *node, Env &env,
                                    const ModuleInfo *module) {
  // `with ctx:` is prim::Enter(ctx) ... prim::Exit(ctx): they call
  // ctx.__enter__() and ctx.__exit__(None, None, None), as torch's
  // interpreter does (torch.no_grad() in a forward is the usual one).
  Slot object = readInput(env, node->input(0));
  bool enter = node->kind() == c10::prim::Enter;
  const char *name = enter ? "__enter__" : "__exit__";
  jit::Function *method = nullptr;
  if (object.known && object.value.isObject())
    method = object.value.toObjectRef().type()->findMethod(name);
  if (!method) {
    // Unknown after a failure, or not an object with the method.
    for (const jit::Value *output : node->outputs())
      env[output] = Slot::unknown(object.sources);
    return;
  }
  std::vector<Slot> args = {object};
  if (!enter)
    args.resize(4, Slot{c10::IValue(), true, {}});
  std::vector<Slot> results =
      runGraph(*jit::toGraphFunction(*method).graph(), std::move(args), module);
  results.resize(node->outputs().size(), Slot{c10::IValue(), true, {}});
  bindOutputs(node, env, std::move(results));
}

void Interpreter::runFork(const jit::Node *node, Env &env,
                          const ModuleInfo *module) {
  // torch.jit.fork(fn, args...): the subgraph runs here, at once, and its
  // result is a completed future for torch.jit.wait (aten::wait) to unwrap.
  jit::Graph &subgraph = *node->g(c10::attr::Subgraph);
  std::vector<Slot> results = callGraph(subgraph, node, env, 0, module);
  auto futureType = node->output()->type()->expect<c10::FutureType>();
  if (results.size() != 1 || !results[0].known) {
    env[node->output()] = Slot::unknown(
        results.empty() ? std::vector<ValueRef>{} : getSources(results[0]));
    return;
  }
  auto future =
      c10::make_intrusive<c10::ivalue::Future>(futureType->getElementType());
  future->markCompleted(results[0].value);
  env[node->output()] = Slot{c10::IValue(std::move(future)), true, {}};
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
  OpenNode open = openNode(functionNodeName(module->path, shortName), opName,
                           module, args, node);
  current = &open;
  executeOp(node, env, module, isNodeOp);
  current = nullptr;
  std::vector<Slot> results;
  for (const jit::Value *output : node->outputs())
    results.push_back(env[output]);
  finishGroupedNode(open, node, env, std::move(results));
}

/// The message of the model's own `raise`: prim::RaiseException's inputs
/// are the message and the qualified class (`builtins.ValueError`), which
/// libtorch's exception text names without the message.
static std::string getRaisedMessage(const std::vector<Slot> &inputs,
                                    const std::exception &error) {
  if (inputs.empty() || !inputs[0].known || !inputs[0].value.isString())
    return getTrimmedMessage(error);
  std::string message = inputs[0].value.toStringRef();
  if (inputs.size() > 1 && inputs[1].known && inputs[1].value.isString()) {
    std::string cls = inputs[1].value.toStringRef();
    if (cls.rfind("builtins.", 0) == 0)
      cls = cls.substr(9);
    message = message.empty() ? cls : cls + ": " + message;
  }
  return message;
}

void Interpreter::executeOp(const jit::Node *node, Env &env,
                            const ModuleInfo *module, bool isNodeOp) {
  std::vector<Slot> inputs;
  bool allKnown = true;
  bool anyTensor = false;
  for (const jit::Value *input : node->inputs()) {
    inputs.push_back(readInput(env, input));
    allKnown = allKnown && inputs.back().known;
    anyTensor = anyTensor ||
                (inputs.back().known && containsTensor(inputs.back().value));
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
  bool run = !notRunMode || (allKnown && !isNodeOp && !anyTensor &&
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
      if (options.shapesOnly)
        runWithoutValues(node, cached->second, stack);
      else
        cached->second(stack);
    }
  } catch (const std::exception &e) {
    if (notRunMode)
      return setUnknownOutputs();
    std::string message = node->kind() == c10::prim::RaiseException
                              ? getRaisedMessage(inputs, e)
                              : getTrimmedMessage(e);
    if (!current) {
      // A bookkeeping op failed outside any node, or the model raised
      // (`raise RuntimeError(...)` is prim::RaiseException): give the
      // failure a node of its own so that it is visible in the graph. A
      // raise has no result; its node gets one unknown result, as every
      // node but the output has.
      bool raised = node->kind() == c10::prim::RaiseException;
      std::string name = raised ? std::string("raise")
                                : std::string(node->kind().toUnqualString());
      OpenNode open = openNode(functionNodeName(module->path, name),
                               fmt::format("{}()", name), module, inputs, node);
      open.status = attrs::kStatusFailed;
      open.error = message;
      recordFailure(node, module, message);
      std::vector<Slot> results(std::max<size_t>(1, node->outputs().size()),
                                Slot::unknown());
      ValueRef selfRef{static_cast<uint32_t>(graph.size()), 0};
      closeNode(open, results, getStaticTypes(node));
      for (const jit::Value *output : node->outputs())
        env[output] = Slot::unknown({selfRef});
      return;
    }
    current->status = attrs::kStatusFailed;
    current->error = message;
    recordFailure(node, module, message);
    return setUnknownOutputs();
  }
  ++summary.realOps;

  size_t numOutputs = node->outputs().size();
  if (stack.size() < numOutputs)
    throw std::runtime_error(
        fmt::format("internal error: {} returned {} values, expected {}",
                    node->kind().toQualString(), stack.size(), numOutputs));
  size_t first = stack.size() - numOutputs;
  for (size_t i = 0; i < numOutputs; ++i)
    env[node->outputs()[i]] = Slot{stack[first + i], true, {}};

  if (isNodeOp && current) {
    DictAttr entry;
    entry.set(ctx, attrs::kOpName,
              Attribute::string(ctx, node->kind().toQualString()));
    ListAttr operands, results;
    for (const Slot &slot : inputs)
      operands.push_back(getIValueAttr(ctx, slot.value, options.shapesOnly));
    for (size_t i = 0; i < numOutputs; ++i)
      results.push_back(Attribute::type(getIValueType(ctx, stack[first + i])));
    entry.set(ctx, attrs::kOpOperands,
              Attribute::list(ctx, std::move(operands)));
    entry.set(ctx, attrs::kOpResults, Attribute::list(ctx, std::move(results)));
    current->ops.push_back(Attribute::dict(ctx, std::move(entry)));
  }
}

//===----------------------------------------------------------------------===//
// Shapes-only execution
//===----------------------------------------------------------------------===//

namespace {

/// Whether a schema argument is a `Device` or `Device?`.
bool isDeviceArgument(const c10::Argument &argument) {
  c10::TypePtr type = argument.type();
  if (auto optional = type->cast<c10::OptionalType>())
    type = optional->getElementType();
  return type->kind() == c10::TypeKind::DeviceObjType;
}

} // namespace

at::Tensor Interpreter::getMetaState(const at::Tensor &tensor) {
  auto [it, inserted] =
      metaTensors.try_emplace(tensor.unsafeGetTensorImpl(), at::Tensor());
  if (inserted)
    it->second = toMetaTensor(tensor);
  return it->second;
}

void Interpreter::runWithoutValues(const jit::Node *node,
                                   jit::Operation &operation,
                                   jit::Stack &stack) {
  c10::Symbol kind = node->kind();
  // The model sees the CPU it would run on in the normal mode, so that
  // device tests (`'cpu' in str(x.device)`, which picks nn.MultiheadAttention's
  // fused path) go the same way; tensors it creates on "the CPU" are meta.
  if (kind == c10::prim::device && stack.back().isTensor()) {
    c10::Device device = stack.back().toTensor().device();
    stack.pop_back();
    stack.emplace_back(device.is_meta() ? c10::Device(c10::kCPU) : device);
    return;
  }
  // Ops without a meta kernel whose results are cheap to infer.
  if (applyShapeRule(node, stack))
    return;

  const c10::FunctionSchema *schema = node->maybeSchema();
  bool forced = needsTensorValues(kind) || metaFailed.count(node);
  if (!forced) {
    jit::Stack saved = stack;
    if (schema && !schema->is_vararg() &&
        stack.size() >= schema->arguments().size()) {
      size_t base = stack.size() - schema->arguments().size();
      for (size_t i = 0; i < schema->arguments().size(); ++i) {
        c10::IValue &value = stack[base + i];
        if (value.isDevice() && value.toDevice().is_cpu() &&
            isDeviceArgument(schema->arguments()[i]))
          value = c10::IValue(c10::Device(c10::kMeta));
      }
    }
    try {
      operation(stack);
      return;
    } catch (const std::exception &) {
      // No meta kernel, or one that needs data: run it for real below.
      metaFailed.insert(node);
      stack = std::move(saved);
    }
  }

  // Real execution on CPU, every meta tensor replaced by zeros of its shape
  // (the same zeros for the same tensor, so that aliasing is kept).
  std::unordered_map<const c10::TensorImpl *, at::Tensor> cpuOf;
  std::unordered_map<const c10::TensorImpl *, at::Tensor> metaOf;
  for (c10::IValue &value : stack) {
    value = mapTensors(value, [&](const at::Tensor &tensor) -> at::Tensor {
      if (!tensor.is_meta())
        return tensor;
      auto [it, inserted] =
          cpuOf.try_emplace(tensor.unsafeGetTensorImpl(), at::Tensor());
      if (inserted) {
        it->second = at::empty_strided(tensor.sizes(), tensor.strides(),
                                       tensor.options().device(at::kCPU));
        it->second.zero_();
        metaOf.emplace(it->second.unsafeGetTensorImpl(), tensor);
      }
      return it->second;
    });
  }
  operation(stack);
  if (cpuOf.empty())
    return; // nothing was meta: an ordinary CPU op
  ++cpuFallbacks[kind.toQualString()];
  // The results go back to meta: an input returned as is (an in-place op)
  // is its meta original again, anything else a meta copy.
  for (c10::IValue &value : stack) {
    value = mapTensors(value, [&](const at::Tensor &tensor) -> at::Tensor {
      auto original = metaOf.find(tensor.unsafeGetTensorImpl());
      if (original != metaOf.end() &&
          original->second.sizes() == tensor.sizes() &&
          original->second.strides() == tensor.strides())
        return original->second;
      return toMetaTensor(tensor);
    });
  }
}
