//===- PassManager.cpp - Run a pipeline of passes on a graph --------------===//

#include "mav/Pass/PassManager.h"

#include "mav/IR/Verifier.h"

#include <chrono>

#include <fmt/format.h>

using namespace mav;

PassManager::PassManager(DiagnosticEngine &diags, PassManagerOptions options,
                         std::function<void(const std::string &)> dumpIR)
    : diags(diags), options(std::move(options)), dumpIR(std::move(dumpIR)) {}

void PassManager::addPass(PipelineElement element) {
  passes.push_back(std::move(element));
}

void PassManager::dump(const Graph &graph, std::string_view when,
                       const PipelineElement &element) {
  std::string text =
      fmt::format("// -----// IR Dump {} {} //----- //\n", when, element.str());
  printGraph(graph, text, options.printOptions);
  dumpIR(text);
}

LogicalResult PassManager::run(Graph &graph) {
  AnalysisManager analyses(graph);
  for (const PipelineElement &element : passes) {
    const std::string &name = element.info->name;
    if (options.printBeforeAll || options.printBefore.count(name))
      dump(graph, "Before", element);

    PassRunRecord record;
    record.name = name;
    record.pipeline = element.str();
    for (const PassStatisticInfo &stat : element.info->statistics)
      record.statistics.set(stat.name, 0);

    std::unique_ptr<Pass> pass = element.info->factory(element.options);
    PassContext context{diags, record.statistics, analyses};
    unsigned errorsBefore = diags.getNumErrors();
    auto start = std::chrono::steady_clock::now();
    LogicalResult result = pass->run(graph, context);
    record.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    records.push_back(std::move(record));
    analyses.invalidate(context.preserved);

    if (failed(result)) {
      if (diags.getNumErrors() == errorsBefore)
        diags.error(SourceLoc{}, fmt::format("pass '{}' failed", name));
      if (options.printAfterFailure)
        dump(graph, "After Failed", element);
      return failure();
    }
    if (options.verifyEach && failed(verify(graph, diags))) {
      diags.error(SourceLoc{},
                  fmt::format("the IR is invalid after pass '{}'; rerun with "
                              "--print-ir-after-failure to see it",
                              element.str()));
      if (options.printAfterFailure)
        dump(graph, "After Failed", element);
      return failure();
    }
    if (options.printAfterAll || options.printAfter.count(name))
      dump(graph, "After", element);
  }
  return success();
}

static const char *kReportRule =
    "===-------------------------------------------------------------------"
    "------===\n";

static std::string reportHeader(std::string_view title) {
  std::string centered = fmt::format("... {} ...", title);
  size_t pad = centered.size() < 78 ? (78 - centered.size()) / 2 : 0;
  return fmt::format("{}{}{}\n{}", kReportRule, std::string(pad, ' '), centered,
                     kReportRule);
}

std::string
mav::printStatisticsReport(const std::vector<PassRunRecord> &records,
                           const PassRegistry &registry) {
  std::string out = reportHeader("Pass statistics report");
  for (const PassRunRecord &record : records) {
    out += fmt::format("'{}'\n", record.pipeline);
    const PassInfo *info = registry.lookup(record.name);
    // Counters are printed in name order (a sorted map), with the
    // registered description when there is one.
    for (const auto &[statName, value] : record.statistics.getCounters()) {
      std::string description;
      if (info)
        for (const PassStatisticInfo &stat : info->statistics)
          if (stat.name == statName)
            description = stat.description;
      out += fmt::format("  (S) {} {}{}\n", value, statName,
                         description.empty() ? "" : " - " + description);
    }
  }
  return out;
}

std::string mav::printTimingReport(const std::vector<TimingEntry> &entries) {
  double total = 0;
  for (const TimingEntry &entry : entries)
    total += entry.seconds;
  std::string out = reportHeader("Execution time report");
  out += fmt::format("  Total Execution Time: {:.4f} seconds\n\n", total);
  out += "  ----Wall Time----  ----Name----\n";
  for (const TimingEntry &entry : entries)
    out += fmt::format("  {:8.4f} ({:5.1f}%)  {}\n", entry.seconds,
                       total > 0 ? 100.0 * entry.seconds / total : 0.0,
                       entry.name);
  out += fmt::format("  {:8.4f} (100.0%)  Total\n", total);
  return out;
}
