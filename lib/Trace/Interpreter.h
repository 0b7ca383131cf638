//===- Interpreter.h - Torch-side internals of mav-trace --------*- C++ -*-===//
//
// Shared by the two torch-including files of lib/Trace: ModelLoader.cpp
// (loading, inputs, the traceModel entry point) and Interpreter.cpp (running
// the forward graph op by op and building the mav graph). Not installed: only
// lib/Trace sees libtorch's headers.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_LIB_TRACE_INTERPRETER_H
#define MAV_LIB_TRACE_INTERPRETER_H

#include "mav/Trace/Trace.h"

#include <torch/script.h>

namespace mav::trace {

/// The IR dtype of a torch scalar type.
DType convertScalarType(c10::ScalarType type);
/// The torch scalar type of an IR dtype; nullopt for `?`.
std::optional<c10::ScalarType> convertDType(DType dtype);

/// A libtorch exception message without its C++ backtrace, cut to its first
/// few lines.
std::string getTrimmedMessage(const std::exception &error);

/// Runs `module.forward` on `inputs` op by op (without gradients, in eval
/// mode) and records the graph named `graphName`.
std::optional<Graph> interpretForward(torch::jit::Module &module,
                                      std::vector<c10::IValue> inputs,
                                      const std::string &graphName,
                                      const TraceOptions &options,
                                      DiagnosticEngine &diags,
                                      TraceSummary &summary);

} // namespace mav::trace

#endif // MAV_LIB_TRACE_INTERPRETER_H
