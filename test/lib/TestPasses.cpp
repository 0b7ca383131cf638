//===- TestPasses.cpp - Passes that exist to test the pass machinery -----===//
//
// Linked into mav-opt only for tests; hidden from --list-passes, --help and
// docs/Passes.md. Each exercises one part of the infrastructure:
//   test-options     every option type, echoed into a graph attribute
//   test-statistics  declared and run-time statistics
//   test-fail        a pass failure with a diagnostic at a node
//   test-break-ir    a pass that leaves invalid IR, for --verify-each
//   test-analysis    analysis caching and invalidation
//
//===----------------------------------------------------------------------===//

#include "mav/Pass/PassRegistry.h"

#include <fmt/format.h>

using namespace mav;

namespace {

struct TestOptionsPass : Pass {
  explicit TestOptionsPass(const PassOptions &options) : options(options) {}
  LogicalResult run(Graph &graph, PassContext &) override {
    IRContext &ctx = graph.getContext();
    DictAttr dict;
    dict.set(ctx, "count", Attribute::integer(options.getInt("count")));
    dict.set(ctx, "scale", Attribute::real(options.getFloat("scale")));
    dict.set(ctx, "flag", Attribute::boolean(options.getBool("flag")));
    dict.set(ctx, "label", Attribute::string(ctx, options.getString("label")));
    dict.set(ctx, "mode", Attribute::string(ctx, options.getString("mode")));
    dict.set(ctx, "sizes",
             Attribute::intList(ctx, options.getIntList("sizes")));
    dict.set(ctx, "names",
             Attribute::stringList(ctx, options.getStringList("names")));
    graph.getAttrs().set(ctx, "test.options",
                         Attribute::dict(ctx, std::move(dict)));
    return success();
  }
  PassOptions options;
};

struct TestStatisticsPass : Pass {
  LogicalResult run(Graph &graph, PassContext &context) override {
    for (const Node &node : graph.getNodes()) {
      context.statistics.add("nodes");
      context.statistics.add("edges",
                             static_cast<int64_t>(node.operands.size()));
      context.statistics.add("op: " + node.op);
    }
    context.preserved = PreservedAnalyses::all();
    return success();
  }
};

struct TestFailPass : Pass {
  explicit TestFailPass(const PassOptions &options)
      : op(options.getString("op")) {}
  LogicalResult run(Graph &graph, PassContext &context) override {
    for (uint32_t i = 0; i < graph.size(); ++i) {
      if (graph.getNode(i).op != op)
        continue;
      context.diags.error(graph.getSourceLoc(i),
                          fmt::format("test-fail: refusing node '%{}' of "
                                      "operation '{}'",
                                      graph.getNode(i).name, op));
      return failure();
    }
    return success();
  }
  std::string op;
};

struct TestBreakIRPass : Pass {
  explicit TestBreakIRPass(const PassOptions &options)
      : how(options.getString("how")) {}
  LogicalResult run(Graph &graph, PassContext &) override {
    IRContext &ctx = graph.getContext();
    for (Node &node : graph.getNodes()) {
      if (how == "status") {
        node.attrs.set(ctx, "status", Attribute::integer(42));
        break;
      }
      if (how == "output" && node.isOutput())
        node.op = "not-an-output";
      if (how == "name") {
        node.name = graph.getNode(0).name;
      }
    }
    graph.invalidateNameIndex();
    return success();
  }
  std::string how;
};

/// Counts how often it is computed, to show caching.
struct CountingAnalysis {
  explicit CountingAnalysis(const Graph &graph) : nodes(graph.size()) {
    ++computations;
  }
  size_t nodes;
  static inline int computations = 0;
};

struct TestAnalysisPass : Pass {
  explicit TestAnalysisPass(const PassOptions &options)
      : preserve(options.getBool("preserve")) {}
  LogicalResult run(Graph &graph, PassContext &context) override {
    bool wasCached = context.analyses.isCached<CountingAnalysis>();
    (void)context.analyses.getAnalysis<CountingAnalysis>();
    context.statistics.add(wasCached ? "cache hits" : "cache misses");
    if (preserve)
      context.preserved.preserve<CountingAnalysis>();
    return success();
  }
  bool preserve;
};

} // namespace

namespace mav::test {
void registerTestPasses(PassRegistry &registry) {
  PassInfo options;
  options.name = "test-options";
  options.summary = "Echo every option into the graph attribute test.options";
  options.isTestPass = true;
  options.options = {
      {"count", OptionType::Int, "1", "an int", {}},
      {"scale", OptionType::Float, "0.5", "a float", {}},
      {"flag", OptionType::Bool, "false", "a bool", {}},
      {"label", OptionType::String, "", "a string", {}},
      {"mode", OptionType::Enum, "fast", "an enum", {"fast", "exact", "off"}},
      {"sizes", OptionType::IntList, "[]", "a list of ints", {}},
      {"names", OptionType::StringList, "[]", "a list of strings", {}},
  };
  options.mainOption = "count";
  options.factory = [](const PassOptions &o) {
    return std::make_unique<TestOptionsPass>(o);
  };
  registry.registerPass(std::move(options));

  PassInfo statistics;
  statistics.name = "test-statistics";
  statistics.summary = "Count nodes, edges and operations as statistics";
  statistics.isTestPass = true;
  statistics.statistics = {{"nodes", "Nodes seen"}, {"edges", "Operands seen"}};
  statistics.factory = [](const PassOptions &) {
    return std::make_unique<TestStatisticsPass>();
  };
  registry.registerPass(std::move(statistics));

  PassInfo fail;
  fail.name = "test-fail";
  fail.summary = "Fail at the first node of the given operation";
  fail.isTestPass = true;
  fail.options = {
      {"op", OptionType::String, "output", "operation to refuse", {}}};
  fail.mainOption = "op";
  fail.factory = [](const PassOptions &o) {
    return std::make_unique<TestFailPass>(o);
  };
  registry.registerPass(std::move(fail));

  PassInfo breakIR;
  breakIR.name = "test-break-ir";
  breakIR.summary = "Leave the IR invalid, to test --verify-each";
  breakIR.isTestPass = true;
  breakIR.options = {{"how",
                      OptionType::Enum,
                      "status",
                      "what to break",
                      {"status", "output", "name"}}};
  breakIR.mainOption = "how";
  breakIR.factory = [](const PassOptions &o) {
    return std::make_unique<TestBreakIRPass>(o);
  };
  registry.registerPass(std::move(breakIR));

  PassInfo analysis;
  analysis.name = "test-analysis";
  analysis.summary = "Request a cached analysis; count cache hits and misses";
  analysis.isTestPass = true;
  analysis.options = {
      {"preserve", OptionType::Bool, "false", "preserve the analysis", {}}};
  analysis.factory = [](const PassOptions &o) {
    return std::make_unique<TestAnalysisPass>(o);
  };
  registry.registerPass(std::move(analysis));
}
} // namespace mav::test
