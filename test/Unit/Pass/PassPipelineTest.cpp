//===- PassPipelineTest.cpp - Pipeline strings and option values ----------===//

#include "mav/Pass/PassManager.h"
#include "mav/Pass/PassRegistry.h"

#include <gtest/gtest.h>

using namespace mav;

namespace {
struct NoOpPass : Pass {
  LogicalResult run(Graph &, PassContext &context) override {
    context.statistics.add("runs");
    return success();
  }
};

PassRegistry makeRegistry() {
  PassRegistry registry;
  PassInfo info;
  info.name = "layout";
  info.summary = "s";
  info.options = {{"direction",
                   OptionType::Enum,
                   "down",
                   "d",
                   {"down", "right", "up", "left"}},
                  {"spacing", OptionType::Float, "1.5", "s", {}},
                  {"avoid", OptionType::IntList, "[1,3]", "a", {}},
                  {"names", OptionType::StringList, "[]", "n", {}},
                  {"exact", OptionType::Bool, "false", "e", {}}};
  info.mainOption = "direction";
  info.factory = [](const PassOptions &) {
    return std::make_unique<NoOpPass>();
  };
  registry.registerPass(info);
  info.name = "color";
  info.options.clear();
  info.mainOption.clear();
  registry.registerPass(info);
  return registry;
}

struct Parsed {
  std::vector<PipelineElement> elements;
  std::vector<Diagnostic> diags;
  bool ok;
};

Parsed parsePipeline(const PassRegistry &registry, std::string text) {
  Parsed p;
  DiagnosticEngine diags;
  diags.setHandler([&](const Diagnostic &d) { p.diags.push_back(d); });
  p.ok = succeeded(parsePassPipeline(text, registry, p.elements, diags));
  return p;
}
} // namespace

TEST(PassPipelineTest, ParsesTypedOptionsAndDefaults) {
  PassRegistry registry = makeRegistry();
  Parsed p = parsePipeline(
      registry, " layout{direction=right avoid=[2, 4] names=[a,\"b,c\"] exact}"
                " , color");
  ASSERT_TRUE(p.ok) << p.diags[0].message;
  ASSERT_EQ(p.elements.size(), 2u);
  const PassOptions &o = p.elements[0].options;
  EXPECT_EQ(o.getString("direction"), "right");
  EXPECT_DOUBLE_EQ(o.getFloat("spacing"), 1.5);
  EXPECT_EQ(o.getIntList("avoid"), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(o.getStringList("names"), (std::vector<std::string>{"a", "b,c"}));
  EXPECT_TRUE(o.getBool("exact"));
  EXPECT_EQ(p.elements[0].str(),
            "layout{direction=right,avoid=[2,4],names=[a,\"b,c\"],exact=true}");
  EXPECT_EQ(p.elements[1].str(), "color");
}

TEST(PassPipelineTest, ErrorsPointIntoThePipelineAndListChoices) {
  PassRegistry registry = makeRegistry();
  Parsed unknown = parsePipeline(registry, "layout,colour");
  ASSERT_FALSE(unknown.ok);
  EXPECT_EQ(unknown.diags[0].file, "<pass-pipeline>");
  EXPECT_EQ(unknown.diags[0].column, 8u);
  EXPECT_NE(unknown.diags[0].message.find("valid passes are: color, layout"),
            std::string::npos);

  Parsed badEnum = parsePipeline(registry, "layout{direction=sideways}");
  ASSERT_FALSE(badEnum.ok);
  EXPECT_NE(badEnum.diags[0].message.find("down, right, up, left"),
            std::string::npos);

  Parsed badOption = parsePipeline(registry, "layout{dir=up}");
  ASSERT_FALSE(badOption.ok);
  EXPECT_NE(badOption.diags[0].message.find("its options are: direction"),
            std::string::npos);

  for (const char *text :
       {"", "layout{", "layout{spacing=x}", "color{a=1}", "layout{avoid=[1,x]}",
        "layout{spacing=nan}", "layout;color", "layout{spacing=1,spacing=2}"}) {
    Parsed p = parsePipeline(registry, text);
    EXPECT_FALSE(p.ok) << text;
    EXPECT_EQ(p.diags.size(), 1u) << text;
  }
}

TEST(PassPipelineTest, ManagerRunsPassesAndRecordsStatistics) {
  PassRegistry registry = makeRegistry();
  Parsed p = parsePipeline(registry, "layout,color,layout");
  ASSERT_TRUE(p.ok);
  DiagnosticEngine diags;
  std::string dumps;
  PassManagerOptions options;
  options.printAfter.insert("color");
  PassManager pm(diags, options, [&](const std::string &s) { dumps += s; });
  for (PipelineElement &e : p.elements)
    pm.addPass(e);
  IRContext ctx;
  Graph graph(ctx, "g");
  Node input;
  input.name = "x";
  input.op = "input";
  input.resultTypes = {Type()};
  graph.addNode(input);
  Node output;
  output.name = "o";
  output.op = "output";
  output.operands = {{0, 0}};
  graph.addNode(output);
  ASSERT_TRUE(succeeded(pm.run(graph)));
  ASSERT_EQ(pm.getRecords().size(), 3u);
  EXPECT_EQ(pm.getRecords()[2].statistics.get("runs"), 1);
  EXPECT_EQ(dumps.find("// -----// IR Dump After color //----- //"), 0u);
  EXPECT_EQ(dumps.find("IR Dump After layout"), std::string::npos);
}
