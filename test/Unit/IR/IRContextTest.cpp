//===- IRContextTest.cpp - Contexts own their values and free them --------===//
//
// A notebook builds, draws and drops graph after graph in one process. Each
// graph's types and attribute values belong to its IRContext, so a loop of
// parse, transform, print and destroy must leave the heap where it was.
// Under AddressSanitizer, LeakSanitizer checks the same at exit.
//
//===----------------------------------------------------------------------===//

#include "mav/IR/IRContext.h"
#include "mav/IR/Parser.h"
#include "mav/IR/Printer.h"
#include "mav/IR/Verifier.h"

#include <malloc.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

using namespace mav;

namespace {

/// A chain of `n` convolutions, each with its own module path, parameter
/// shapes and `ops` list, so that every graph fills the context's tables.
std::string makeModelText(int n, int seed) {
  std::string text = "graph @m attributes {source = \"m.pt\"} {\n"
                     "  %x = node \"input\"() : f32[1,8,32,32]\n";
  std::string prev = "x";
  for (int i = 0; i < n; ++i) {
    std::string name = fmt::format("layer{}_conv{}", seed, i);
    text += fmt::format(
        "  %{0} = node \"nn.Conv2d\"(%{1}) {{module = \"layer{2}.conv{3}\", "
        "ops = [{{op = \"aten::conv2d\", operands = [f32[1,8,32,32], "
        "f32[8,8,{4},3]]}}], params = {{weight = f32[8,8,{4},3]}}}} : "
        "f32[1,8,32,32]\n",
        name, prev, seed, i, 1 + (i + seed) % 7);
    prev = name;
  }
  text += fmt::format("  %out = node \"output\"(%{}) : ()\n}}\n", prev);
  return text;
}

/// Parses, verifies and prints one graph in a context of its own.
void roundTripInOwnContext(const std::string &text) {
  IRContext context;
  DiagnosticEngine diags;
  std::unique_ptr<Graph> graph =
      parseGraph(context, std::make_shared<SourceBuffer>("m.mav", text), diags);
  ASSERT_TRUE(graph);
  ASSERT_TRUE(succeeded(verify(*graph, diags)));
  EXPECT_EQ(printGraphToString(*graph), text);
  EXPECT_GT(context.getStorageCounts().strings, 100u);
}

} // namespace

TEST(IRContextTest, ManyContextsStayFlatInMemory) {
  // Every graph has values of its own (module paths, shapes), as the
  // models of a notebook session do: storage that outlived its graph would
  // grow with each one.
  for (int seed = 0; seed < 8; ++seed)
    roundTripInOwnContext(makeModelText(200, seed));
#ifndef __SANITIZE_ADDRESS__
  size_t before = mallinfo2().uordblks;
#endif
  for (int seed = 8; seed < 208; ++seed)
    roundTripInOwnContext(makeModelText(200, seed));
#ifndef __SANITIZE_ADDRESS__
  // The heap in use after 200 more graphs; before this design every graph's
  // distinct values stayed for the life of the process (~100 KB a graph
  // here, 20 MB in all).
  size_t after = mallinfo2().uordblks;
  RecordProperty("heap_growth_bytes", static_cast<int>(after - before));
  EXPECT_LT(after, before + 64 * 1024)
      << "in-use heap grew from " << before << " to " << after << " bytes";
#endif
}
