//===- Trace.h - The TorchScript frontend of mav ----------------*- C++ -*-===//
//
// mav-trace loads a TorchScript file (the output of torch.jit.script or
// torch.jit.trace), executes its forward method op by op on generated inputs
// and records what ran as a model graph: one node per leaf-module call and per
// function or tensor method called directly in a non-leaf module (or one node
// per aten op with TraceGranularity::Op), each with its module path, class
// hierarchy, result types, the parameters it is the first to read, and the
// aten ops it stands for. docs/Trace.md describes the conventions.
//
// This header does not include torch: only lib/Trace/*.cpp do, so that the
// tool's driver and any other user compile without libtorch's headers.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_TRACE_TRACE_H
#define MAV_TRACE_TRACE_H

#include "mav/IR/Graph.h"
#include "mav/Support/Diagnostics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mav {

/// One `--input` of mav-trace: `1x3x224x224`, `1x128:i64:0..30522`,
/// `2x8:f16:-1..1`. Integer inputs are drawn uniformly from [low, high);
/// floating-point ones from a standard normal distribution, or uniformly from
/// [low, high) when a range is given.
struct InputSpec {
  std::vector<int64_t> dims;
  DType dtype = DType::F32;
  std::optional<double> low;
  std::optional<double> high;
  /// A list (`[3x320x320,3x240x320]`) or tuple (`(2x8,2x4)`) of tensors,
  /// whose specs are `elements`; the fields above are then unused.
  enum class Kind { Tensor, List, Tuple } kind = Kind::Tensor;
  std::vector<InputSpec> elements;

  /// Parses the `--input` syntax; on failure returns nullopt and sets `error`.
  static std::optional<InputSpec> parse(std::string_view text,
                                        std::string &error);
};

/// How many nodes a traced graph has.
enum class TraceGranularity {
  /// IDLMAV's view: one node per leaf-module call, per function and tensor
  /// method called in a non-leaf module's forward.
  Module,
  /// One node per aten op.
  Op,
};

/// What the tracer reports while it runs, for a progress line.
struct TraceProgress {
  size_t nodes = 0;  ///< Nodes recorded so far.
  size_t opsRun = 0; ///< Ops executed so far (plumbing included).
  /// Ops a full run is expected to execute, from a static walk of the
  /// forward graph and everything it calls (a loop body once per constant
  /// trip, an `if` by its shorter branch that does not raise): an estimate,
  /// never 0.
  size_t opsExpected = 1;
  std::string_view module; ///< Module path of the latest node.
};

/// The progress line after `seconds`: `18/~469 ops (3%), 7 nodes, at
/// 'features.1.0.block.3' (1.1 s)`. The percentage stops at 99 until the
/// end; once the run has passed the estimate (a loop ran longer than the
/// static walk could know), the line drops the estimate: `782 ops, ...`.
inline std::string formatTraceProgress(const TraceProgress &progress,
                                       double seconds) {
  std::string ops;
  if (progress.opsRun <= progress.opsExpected)
    ops = fmt::format(
        "{}/~{} ops ({}%)", progress.opsRun, progress.opsExpected,
        std::min<size_t>(99, progress.opsRun * 100 /
                                 std::max<size_t>(1, progress.opsExpected)));
  else
    ops = fmt::format("{} ops", progress.opsRun);
  return fmt::format("mav-trace: {}, {} nodes, at '{}' ({:.1f} s)", ops,
                     progress.nodes, progress.module, seconds);
}

struct TraceOptions {
  std::vector<InputSpec> inputs;
  /// Seeds the input generator and torch's global generator.
  uint64_t seed = 0;
  TraceGranularity granularity = TraceGranularity::Module;
  /// Record the Python source line of each node as its location.
  bool debugInfo = false;
  /// Infer shapes without computing values: parameters and inputs become
  /// meta tensors, ops run on torch's meta kernels, and ops without one (or
  /// that need values: `item`, `nonzero`, a branch condition) run on CPU on
  /// zero-filled tensors of the right shape.
  bool shapesOnly = false;
  /// For benchmarking and profiling: run the forward this many times and
  /// discard what they recorded before the traced run, so that
  /// TraceSummary::runSeconds is a warm run (libtorch has created its kernels
  /// and grown its allocator) comparable to a warm libtorch forward. The IR
  /// is the last run's.
  unsigned warmUpRuns = 0;
  /// Operator libraries to load before the model (`--load-library`), as
  /// torch.ops.load_library does: their ops (`mylib::op`) become known.
  std::vector<std::string> libraries;
  /// Called after each recorded node; may be empty.
  std::function<void(const TraceProgress &)> progress;
};

/// What happened while tracing, beyond the graph itself.
struct TraceSummary {
  /// The forward pass failed; the graph has a `failed` node.
  bool forwardFailed = false;
  /// Ops executed (aten and prim, plumbing included).
  size_t realOps = 0;
  /// With shapesOnly: ops that ran on CPU on zero-filled tensors, per op
  /// name, sorted by name.
  std::vector<std::pair<std::string, size_t>> cpuFallbacks;
  /// Seconds spent loading the model (and making its inputs), and running
  /// its forward.
  double loadSeconds = 0;
  double runSeconds = 0;
  /// With shapesOnly: the model's tensors were loaded as meta tensors
  /// without reading their data from the file (false when the model needed
  /// it, e.g. quantized modules, and was loaded normally).
  bool weightsSkipped = false;
  /// With warmUpRuns: seconds of the first, discarded run.
  double warmUpSeconds = 0;
};

/// Loads the TorchScript model at `modelPath`, runs it and returns its graph.
/// A model that cannot be loaded or inputs that do not fit its forward are
/// errors (reported to `diags`, nullopt returned). A forward pass that fails
/// part way is not: the graph marks the failing node and the nodes after it,
/// and a warning names the module and op. The graph's types and attribute
/// values are created in `ctx`.
std::optional<Graph> traceModel(IRContext &ctx, const std::string &modelPath,
                                const TraceOptions &options,
                                DiagnosticEngine &diags,
                                TraceSummary *summary = nullptr);

/// An op of a TorchScript model that mav-trace's interpreter cannot run:
/// neither one it implements itself nor one with a registered operator.
struct UnhandledOp {
  std::string op;       ///< `prim::isinstance`
  std::string function; ///< The method or function it is in.
  std::string location; ///< `file.py:line` of its Python source, or empty.
};

/// What checkModelOps found.
struct OpCheckResult {
  size_t functions = 0; ///< Methods and functions walked.
  size_t ops = 0;       ///< Ops checked in them (blocks included).
  std::vector<UnhandledOp> unhandled; ///< Sorted, one per op and function.
};

/// Loads the TorchScript model at `modelPath` (after `libraries`) and checks,
/// without running anything, that the interpreter handles every op of every
/// method of every module in it and of every function and class method they
/// call, whether or not an input would reach them (`mav-trace --check-ops`).
/// A model that cannot be loaded is an error (nullopt).
std::optional<OpCheckResult>
checkModelOps(const std::string &modelPath,
              const std::vector<std::string> &libraries,
              DiagnosticEngine &diags);

/// The mav-trace command line; returns the process exit code.
int traceMain(int argc, char **argv);

} // namespace mav

#endif // MAV_TRACE_TRACE_H
