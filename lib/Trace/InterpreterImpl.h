//===- InterpreterImpl.h - The interpreter of mav-trace ---------*- C++ -*-===//
//
// The Interpreter class, the values it works on and the naming helpers its
// two source files share: Interpreter.cpp (the module index, values and
// edges, node recording, the progress estimate and the driver) and
// Execution.cpp (running a graph's nodes, in the normal and the shapes-only
// mode). Interpreter.cpp's banner describes how the interpretation works.
// Private to lib/Trace, like every header that includes torch.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_LIB_TRACE_INTERPRETERIMPL_H
#define MAV_LIB_TRACE_INTERPRETERIMPL_H

#include "Interpreter.h"

#include "mav/IR/ModelAttributes.h"

#include <torch/csrc/jit/ir/ir.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace mav::trace {

namespace jit = torch::jit;

/// `prefix.name`, the path of a submodule or state slot; just `name` under
/// the root module, whose path is empty.
std::string joinPath(std::string_view prefix, std::string_view name);
/// A module path as a node name: `layer1.0.conv1` -> `layer1_0_conv1`.
std::string pathToName(std::string_view path);
/// The base name of a function or op node called from `modulePath`'s
/// forward: `layer1_0_add`, or just `add` in the root module.
std::string functionNodeName(std::string_view modulePath,
                             std::string_view function);
/// The IR operation name of an aten op called in a non-leaf forward:
/// `.view()` for a tensor method, `add()` for a function or an operator.
std::string getOpNodeName(const jit::Node *node);
/// A location for the Python line a node came from.
Location getNodeLocation(const jit::Node *node);
/// Whether the interpreter can run `node`: an op it implements itself
/// (constants, attributes, control flow, calls, the structural prim ops that
/// torch's interpreter runs inline, console output) or one with a registered
/// operator for its schema (Execution.cpp).
bool isHandledOp(const jit::Node *node);

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
  /// Hyper-parameters of a leaf module, written as the node's `args`.
  DictAttr args;
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
  std::string status = std::string(attrs::kStatusOk);
  std::string error;
  /// First Python location seen inside, for nodes whose call site has none.
  Location innerLoc;
  /// Where the node was called from, for diagnostics.
  Location siteLoc;
};

/// One traced run of a model's forward: indexes the module tree, executes
/// the forward graph node by node and records what ran as a mav graph.
class Interpreter {
public:
  /// An interpreter for `root`'s forward, reporting to `diags` and
  /// `summary`.
  Interpreter(jit::Module &root, IRContext &ctx, const TraceOptions &options,
              DiagnosticEngine &diags, TraceSummary &summary)
      : root(root), ctx(ctx), options(options), diags(diags), summary(summary) {
  }

  /// Runs the root module's forward on `inputs` and returns the graph it
  /// recorded, named `graphName`. Each instance runs once.
  std::optional<Graph> run(std::vector<c10::IValue> inputs,
                           const std::string &graphName);

private:
  // Indexing the module tree (Interpreter.cpp).
  void indexModule(const c10::intrusive_ptr<c10::ivalue::Object> &object,
                   const std::string &path, std::vector<std::string> classes);

  // Execution (Execution.cpp).
  std::vector<Slot> runGraph(jit::Graph &graph, std::vector<Slot> args,
                             const ModuleInfo *module);
  void runBlock(const jit::Block *block, Env &env, const ModuleInfo *module);
  void runNode(const jit::Node *node, Env &env, const ModuleInfo *module);
  void runIf(const jit::Node *node, Env &env, const ModuleInfo *module);
  void runLoop(const jit::Node *node, Env &env, const ModuleInfo *module);
  void runGetAttr(const jit::Node *node, Env &env);
  void runCallMethod(const jit::Node *node, Env &env, const ModuleInfo *module);
  void runCallFunction(const jit::Node *node, Env &env,
                       const ModuleInfo *module);
  void runContextManager(const jit::Node *node, Env &env,
                         const ModuleInfo *module);
  void runFork(const jit::Node *node, Env &env, const ModuleInfo *module);
  void runOp(const jit::Node *node, Env &env, const ModuleInfo *module);
  void executeOp(const jit::Node *node, Env &env, const ModuleInfo *module,
                 bool isNodeOp);
  void runWithoutValues(const jit::Node *node, jit::Operation &operation,
                        jit::Stack &stack);
  at::Tensor getMetaState(const at::Tensor &tensor);
  std::vector<Slot> callGraph(jit::Graph &graph, const jit::Node *call,
                              Env &env, size_t firstArg,
                              const ModuleInfo *module);
  /// Closes the node that `node` (a call or op grouped into one IR node)
  /// opened: results whose value is unknown refer to the new node as a
  /// whole, and `node`'s outputs in `env` get the results.
  void finishGroupedNode(OpenNode &open, const jit::Node *node, Env &env,
                         std::vector<Slot> results);

  // Nodes (Interpreter.cpp).
  OpenNode openNode(std::string baseName, std::string op,
                    const ModuleInfo *module, const std::vector<Slot> &args,
                    const jit::Node *site);
  void closeNode(OpenNode &open, std::vector<Slot> results,
                 const std::vector<c10::TypePtr> &staticTypes);
  void recordFailure(const jit::Node *node, const ModuleInfo *module,
                     const std::string &message);
  void noteStateReads(const std::vector<Slot> &inputs);
  /// One not-run node per module whose parameters no node read.
  void addModulesNotRun();
  void claimModuleState(const c10::ivalue::Object *object);
  std::string makeUniqueName(const std::string &base);

  // Values and edges (Interpreter.cpp).
  std::vector<ValueRef> getSources(const Slot &slot) const;
  std::vector<ValueRef> getSources(const std::vector<Slot> &slots) const;
  void registerProducer(const c10::IValue &value, ValueRef ref);
  Slot readInput(const Env &env, const jit::Value *value) const;
  /// The slots of `node`'s inputs from `first` on.
  std::vector<Slot> readInputs(const Env &env, const jit::Node *node,
                               size_t first) const;
  /// Gives `node`'s outputs in `env` the call's results, in order.
  static void bindOutputs(const jit::Node *node, Env &env,
                          std::vector<Slot> results);

  // The progress line's estimate (Interpreter.cpp).
  size_t countStaticOps(jit::Graph &graph, size_t depth);
  size_t countStaticOps(const jit::Block *block, size_t depth);

  jit::Module &root;
  /// Owns the types and attribute values of `graph`.
  IRContext &ctx;
  const TraceOptions &options;
  DiagnosticEngine &diags;
  TraceSummary &summary;

  Graph graph{ctx};
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

  // Shapes-only mode.
  /// Meta copies of the model's tensors (parameters, buffers, attributes,
  /// graph constants), by the original's TensorImpl.
  std::unordered_map<const c10::TensorImpl *, at::Tensor> metaTensors;
  /// Nodes whose meta kernel failed once: they go straight to the CPU.
  std::unordered_set<const jit::Node *> metaFailed;
  /// Ops run on CPU on zeros, by name (sorted for the summary).
  std::map<std::string, size_t> cpuFallbacks;

  /// The progress line's estimate of the ops a run executes.
  size_t opsExpected = 1;
  std::unordered_map<const jit::Graph *, size_t> staticOpCounts;

  /// The leaf-module or function node whose body is running, if any.
  OpenNode *current = nullptr;
  uint32_t nextToken = 1;
  /// Set by the first failing op: from then on nothing is executed.
  bool notRunMode = false;
  size_t callDepth = 0;
};

} // namespace mav::trace

#endif // MAV_LIB_TRACE_INTERPRETERIMPL_H
