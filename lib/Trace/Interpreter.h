//===- Interpreter.h - Running a TorchScript forward ------------*- C++ -*-===//
//
// The interpreter's entry point, for ModelLoader.cpp (loading, inputs, the
// traceModel entry point): run the forward graph op by op and build the mav
// graph. The interpreter itself is declared in InterpreterImpl.h. Not
// installed: only lib/Trace sees libtorch's headers.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_LIB_TRACE_INTERPRETER_H
#define MAV_LIB_TRACE_INTERPRETER_H

#include "mav/Trace/Trace.h"

#include <torch/script.h>

namespace mav::trace {

/// Runs `module.forward` on `inputs` op by op (without gradients, in eval
/// mode) and records the graph named `graphName`.
/// Types and attribute values are created in `ctx`.
std::optional<Graph>
interpretForward(torch::jit::Module &module, IRContext &ctx,
                 std::vector<c10::IValue> inputs, const std::string &graphName,
                 const TraceOptions &options, DiagnosticEngine &diags,
                 TraceSummary &summary);

/// Checks every op of every method of `root`'s modules, and of the functions
/// and classes they call, without running any (Interpreter.cpp).
OpCheckResult checkModuleOps(torch::jit::Module &root);

} // namespace mav::trace

#endif // MAV_LIB_TRACE_INTERPRETER_H
