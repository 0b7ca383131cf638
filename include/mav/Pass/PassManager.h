//===- PassManager.h - Run a pipeline of passes on a graph ------*- C++ -*-===//
//
// Runs passes in order with the driver habits of mlir-opt and wasm-opt: the
// verifier after every pass (on by default), IR dumps before/after a named
// pass, all passes, or a failing one, per-pass wall-clock timing and
// statistics reports. IR dumps and reports go to a stream other than the one
// the final IR is written to.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_PASS_PASSMANAGER_H
#define MAV_PASS_PASSMANAGER_H

#include "mav/IR/Printer.h"
#include "mav/Pass/PassRegistry.h"

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace mav {

struct PassManagerOptions {
  bool verifyEach = true;
  bool printBeforeAll = false;
  bool printAfterAll = false;
  bool printAfterFailure = false;
  std::set<std::string, std::less<>> printBefore; // pass names
  std::set<std::string, std::less<>> printAfter;
  PrintOptions printOptions;
};

/// Statistics and timing of one pass run, for the reports.
struct PassRunRecord {
  std::string name;     // the pass name
  std::string pipeline; // the pass with its options
  PassStatistics statistics;
  double seconds = 0;
};

class PassManager {
public:
  /// `dumpIR` receives IR dumps (mav-opt sends them to stderr).
  PassManager(DiagnosticEngine &diags, PassManagerOptions options,
              std::function<void(const std::string &)> dumpIR);

  void addPass(PipelineElement element);
  const std::vector<PipelineElement> &getPasses() const { return passes; }

  /// Runs every pass on `graph`; stops at the first failure.
  LogicalResult run(Graph &graph);

  const std::vector<PassRunRecord> &getRecords() const { return records; }

private:
  void dump(const Graph &graph, std::string_view when,
            const PipelineElement &element);

  DiagnosticEngine &diags;
  PassManagerOptions options;
  std::function<void(const std::string &)> dumpIR;
  std::vector<PipelineElement> passes;
  std::vector<PassRunRecord> records;
};

/// The MLIR-style statistics report of the runs in `records`.
std::string printStatisticsReport(const std::vector<PassRunRecord> &records,
                                  const PassRegistry &registry);

/// One row of a timing report.
struct TimingEntry {
  std::string name;
  double seconds = 0;
};
/// The MLIR-style execution time report.
std::string printTimingReport(const std::vector<TimingEntry> &entries);

} // namespace mav

#endif // MAV_PASS_PASSMANAGER_H
