//===- TraceMain.cpp - The mav-trace driver -------------------------------===//
//
// Command line, progress line and output of mav-trace. All of the tool's
// logic lives here so that tools/mav-trace/mav-trace.cpp stays a few lines.
// This file does not include torch. The model file's content decides the
// frontend: a torch.export archive (.pt2) is read by lib/Import, with no
// libtorch; anything else is loaded and run as TorchScript by traceModel
// (ModelLoader.cpp, Interpreter.cpp), which only builds with
// MAV_ENABLE_TORCH (MAV_HAVE_TORCHSCRIPT).
//
//===----------------------------------------------------------------------===//

#include "mav/IR/Printer.h"
#include "mav/IR/Verifier.h"
#include "mav/Import/ExportArchive.h"
#include "mav/Support/FileUtils.h"
#include "mav/Trace/Trace.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

using namespace mav;

namespace {

struct TraceCommandLine {
  std::string modelFile;
  std::string outputFile = "-";
  std::vector<std::string> inputs;
  std::vector<std::string> libraries;
  uint64_t seed = 0;
  std::string granularity = "module";
  bool debugInfo = false;
  std::string mode = "auto";
  bool shapesOnly = false;
  bool strict = false;
  bool verbose = false;
  bool noVerify = false;
  bool checkOps = false;
  unsigned warmUpRuns = 0;
};

/// Shows how far the trace got: a rewritten line on a terminal once the
/// trace has taken more than a second, whole lines with --verbose otherwise.
class ProgressReporter {
public:
  explicit ProgressReporter(bool verbose)
      : terminal(isatty(fileno(stderr))), verbose(verbose),
        start(std::chrono::steady_clock::now()), lastShown(start) {}

  void update(const TraceProgress &progress) {
    if (!terminal && !verbose)
      return;
    auto now = std::chrono::steady_clock::now();
    if (now - start < std::chrono::seconds(1) ||
        now - lastShown < std::chrono::milliseconds(terminal ? 100 : 1000))
      return;
    lastShown = now;
    std::string line = formatTraceProgress(
        progress, std::chrono::duration<double>(now - start).count());
    if (terminal) {
      fmt::print(stderr, "\r\x1b[K{}", line);
      lineShown = true;
    } else {
      fmt::print(stderr, "{}\n", line);
    }
    std::fflush(stderr);
  }

  /// Clears the progress line before other output goes to stderr.
  void finish() {
    if (lineShown)
      fmt::print(stderr, "\r\x1b[K");
    lineShown = false;
    std::fflush(stderr);
  }

  double elapsedSeconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  }

private:
  bool terminal;
  bool verbose;
  bool lineShown = false;
  std::chrono::steady_clock::time_point start;
  std::chrono::steady_clock::time_point lastShown;
};

#ifdef MAV_HAVE_TORCHSCRIPT
/// --mode=auto: a shapes-only run first (meta tensors: no weights read, no
/// arithmetic). Its IR is the real run's whenever no op needed a value: no
/// op fell back to the CPU (item(), nonzero, a branch on data all do) and
/// nothing failed. Otherwise the model runs for real, and only that run's
/// diagnostics are shown. `how` says which it was, for --verbose.
std::optional<Graph> traceShapesFirst(IRContext &attemptContext,
                                      IRContext &context,
                                      const std::string &modelFile,
                                      TraceOptions options,
                                      DiagnosticEngine &diags,
                                      TraceSummary &summary, std::string &how) {
  std::vector<Diagnostic> held;
  DiagnosticEngine quiet;
  quiet.setHandler([&held](const Diagnostic &diag) { held.push_back(diag); });
  options.shapesOnly = true;
  TraceSummary attempt;
  std::optional<Graph> graph =
      traceModel(attemptContext, modelFile, options, quiet, &attempt);
  if (graph && quiet.getNumErrors() == 0 && !attempt.forwardFailed &&
      attempt.cpuFallbacks.empty()) {
    for (Diagnostic &diag : held)
      diags.emit(std::move(diag));
    summary = std::move(attempt);
    how = "shapes-only sufficed (no op needed values)";
    return graph;
  }
  if (!attempt.cpuFallbacks.empty()) {
    std::vector<std::string> ops;
    for (const auto &[op, count] : attempt.cpuFallbacks)
      ops.push_back(op);
    how = fmt::format("ran for real: {} needed values", fmt::join(ops, ", "));
  } else {
    how = "ran for real: the shapes-only run failed";
  }
  graph.reset();
  options.shapesOnly = false;
  return traceModel(context, modelFile, options, diags, &summary);
}
#endif

/// --check-ops: a static walk of a TorchScript model's code, for the test
/// that every op of the models mav-trace is swept over is handled
/// (utils/sweep-trace.py). Prints one line per unhandled op, then a summary.
int checkOps(const TraceCommandLine &cl, DiagnosticEngine &diags) {
#ifdef MAV_HAVE_TORCHSCRIPT
  if (classifyModelFile(cl.modelFile) == ModelFileKind::ExportArchive) {
    diags.error(SourceLoc(),
                fmt::format("{}: --check-ops checks TorchScript models; a "
                            "torch.export archive is read, not run",
                            cl.modelFile));
    return 1;
  }
  std::optional<OpCheckResult> result =
      checkModelOps(cl.modelFile, cl.libraries, diags);
  if (!result)
    return 1;
  for (const UnhandledOp &op : result->unhandled)
    fmt::print("unhandled: {} in {}{}\n", op.op, op.function,
               op.location.empty() ? "" : " (" + op.location + ")");
  fmt::print("{} ops in {} functions: {}\n", result->ops, result->functions,
             result->unhandled.empty()
                 ? std::string("all handled")
                 : fmt::format("{} unhandled", result->unhandled.size()));
  return result->unhandled.empty() ? 0 : 1;
#else
  diags.error(SourceLoc(), "--check-ops checks TorchScript models, which "
                           "need mav-trace built with MAV_ENABLE_TORCH=ON");
  return 1;
#endif
}

} // namespace

int mav::traceMain(int argc, char **argv) {
  CLI::App app{"mav-trace: read a torch.export archive (.pt2), or load a "
               "TorchScript model and run it on random inputs, and print its "
               "model graph IR"};
  app.set_version_flag("--version", "mav-trace 0.1.0");
  TraceCommandLine cl;
  app.add_option("model", cl.modelFile,
                 "torch.export archive (torch.export.save), or TorchScript "
                 "file (torch.jit.script or torch.jit.trace output saved with "
                 "torch.jit.save); told apart by content")
      ->required();
  app.add_option("-o", cl.outputFile, "Output file (default: stdout)")
      ->option_text("FILE");
  app.add_option("--input", cl.inputs,
                 "A forward input, in order: DIMS[:DTYPE[:LOW..HIGH]], e.g. "
                 "1x3x224x224 or 1x128:i64:0..30522 (default dtype f32); a "
                 "list or tuple of tensors in brackets: '[3x320x320,"
                 "3x240x320]', '(2x8,2x4)'")
      ->option_text("SPEC")
      // One SPEC per --input: CLI11 would otherwise split `[a,b]` itself.
      ->allow_extra_args(false);
  app.add_option("--load-library", cl.libraries,
                 "Load an operator library (a shared object registering "
                 "custom ops, as torch.ops.load_library) before the model; "
                 "torchvision's is found by itself")
      ->option_text("PATH")
      ->allow_extra_args(false);
  app.add_option("--seed", cl.seed,
                 "Seed of the random inputs and of torch's generator")
      ->option_text("N");
  app.add_option("--granularity", cl.granularity,
                 "module: one node per leaf-module call and per function or "
                 "method in a non-leaf forward; op: one node per aten op")
      ->check(CLI::IsMember({"module", "op"}));
  app.add_flag("--debuginfo", cl.debugInfo,
               "Record each node's Python source line as its location");
  app.add_option("--mode", cl.mode,
                 "auto: infer the shapes without computing values, and run "
                 "the model for real only when an op needed values or that "
                 "failed (the IR is the real run's either way); real: run "
                 "on random inputs; shapes-only: meta tensors, ops without a "
                 "meta kernel run on zeros")
      ->check(CLI::IsMember({"auto", "real", "shapes-only"}));
  app.add_flag("--shapes-only", cl.shapesOnly, "Same as --mode=shapes-only");
  app.add_flag("--strict", cl.strict,
               "Exit with status 1 when the forward pass fails part way");
  app.add_flag("-v,--verbose", cl.verbose,
               "Report progress and a summary on stderr even when it is not a "
               "terminal");
  app.add_flag("--no-verify", cl.noVerify,
               "Do not run the IR verifier on the traced graph");
  app.add_flag("--check-ops", cl.checkOps,
               "Do not trace: check that mav-trace can run every op of every "
               "method of the model's modules (and of what they call), list "
               "those it cannot, and exit with status 1 if there are any");
  // For utils/bench-trace.py and profiling, hence not in --help.
  app.add_option("--warm-up", cl.warmUpRuns,
                 "Run the forward N times untimed before the traced run")
      ->option_text("N")
      ->group("");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return app.exit(e);
  }

  DiagnosticEngine diags;
  ProgressReporter reporter(cl.verbose);
  diags.setHandler([&reporter](const Diagnostic &diag) {
    reporter.finish();
    std::string text = formatDiagnostic(diag);
    std::fwrite(text.data(), 1, text.size(), stderr);
  });

  if (cl.checkOps)
    return checkOps(cl, diags);

  TraceOptions options;
  for (const std::string &text : cl.inputs) {
    std::string error;
    std::optional<InputSpec> spec = InputSpec::parse(text, error);
    if (!spec) {
      diags.error(SourceLoc(), error);
      return 1;
    }
    options.inputs.push_back(std::move(*spec));
  }
  options.seed = cl.seed;
  options.libraries = cl.libraries;
  options.granularity =
      cl.granularity == "op" ? TraceGranularity::Op : TraceGranularity::Module;
  options.debugInfo = cl.debugInfo;
  if (cl.shapesOnly)
    cl.mode = "shapes-only";
  options.shapesOnly = cl.mode == "shapes-only";
  options.warmUpRuns = cl.warmUpRuns;
  options.progress = [&reporter](const TraceProgress &progress) {
    reporter.update(progress);
  };

  TraceSummary summary;
  // The shapes-only attempt of --mode=auto keeps its graph in its own
  // context; both live as long as the graph printed.
  IRContext context, attemptContext;
  std::optional<Graph> graph;
  std::string modeUsed = cl.mode;
  ModelFileKind kind = classifyModelFile(cl.modelFile);
  bool exportArchive = kind == ModelFileKind::ExportArchive;
#ifndef MAV_HAVE_TORCHSCRIPT
  // Without libtorch a damaged zip goes to the .pt2 reader, which says what
  // is wrong with it; other zips (TorchScript) and files are refused below.
  exportArchive |= kind == ModelFileKind::BrokenZip;
#endif
  if (exportArchive) {
    // The graph is read, not run: --input, --seed and --shapes-only do not
    // apply (the shapes are the ones torch.export recorded).
    ExportImportOptions importOptions;
    importOptions.granularity = options.granularity == TraceGranularity::Op
                                    ? ExportGranularity::Op
                                    : ExportGranularity::Module;
    importOptions.source = cl.modelFile;
    auto start = std::chrono::steady_clock::now();
    graph =
        importExportArchiveFile(context, cl.modelFile, importOptions, diags);
    summary.loadSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
  } else {
#ifdef MAV_HAVE_TORCHSCRIPT
    if (cl.mode == "auto") {
      graph = traceShapesFirst(attemptContext, context, cl.modelFile, options,
                               diags, summary, modeUsed);
    } else {
      graph = traceModel(context, cl.modelFile, options, diags, &summary);
    }
#else
    if (FILE *file = std::fopen(cl.modelFile.c_str(), "rb"))
      std::fclose(file);
    else {
      diags.error(SourceLoc(), fmt::format("cannot open model '{}': {}",
                                           cl.modelFile, std::strerror(errno)));
      return 1;
    }
    diags.error(SourceLoc(),
                fmt::format("{}: not a torch.export archive; TorchScript "
                            "models need mav-trace built with "
                            "MAV_ENABLE_TORCH=ON",
                            cl.modelFile));
    return 1;
#endif
  }
  reporter.finish();
  if (!graph)
    return 1;
  if (!cl.noVerify && failed(verify(*graph, diags))) {
    diags.error(SourceLoc(), "the traced graph does not verify; this is a "
                             "bug in mav-trace (rerun with --no-verify to see "
                             "the IR)");
    return 1;
  }
  if (cl.verbose) {
    if (cl.warmUpRuns > 0)
      fmt::print(stderr, "mav-trace: warm-up run {:.3f} s\n",
                 summary.warmUpSeconds);
    fmt::print(stderr,
               "mav-trace: {} nodes in {:.3f} s (load {:.3f} s, run {:.3f} "
               "s; {} ops run)\n",
               graph->size(), reporter.elapsedSeconds(), summary.loadSeconds,
               summary.runSeconds, summary.realOps);
    if (cl.mode == "auto")
      fmt::print(stderr, "mav-trace: {}\n", modeUsed);
    if (options.shapesOnly || modeUsed.rfind("shapes-only sufficed", 0) == 0)
      fmt::print(stderr, "mav-trace: {}\n",
                 summary.weightsSkipped
                     ? "weights not read (meta tensors)"
                     : "weights read (the model needs their values to load)");
    if (!summary.cpuFallbacks.empty()) {
      std::vector<std::string> counts;
      for (const auto &[op, count] : summary.cpuFallbacks)
        counts.push_back(fmt::format("{} x{}", op, count));
      fmt::print(stderr,
                 "mav-trace: ran on CPU on zeros (no meta kernel or "
                 "data-dependent): {}\n",
                 fmt::join(counts, ", "));
    }
  }

  PrintOptions print;
  print.printLocations = cl.debugInfo;
  if (failed(writeOutputFile(cl.outputFile, printGraphToString(*graph, print),
                             diags)))
    return 1;
  return cl.strict && summary.forwardFailed ? 1 : 0;
}
