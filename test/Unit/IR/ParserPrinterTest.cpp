//===- ParserPrinterTest.cpp - print(parse(text)) == text, and errors -----===//

#include "mav/IR/Parser.h"
#include "mav/IR/Printer.h"

#include <random>

#include <gtest/gtest.h>

using namespace mav;

namespace {
struct ParseResult {
  std::unique_ptr<IRContext> context = std::make_unique<IRContext>();
  std::unique_ptr<Graph> graph;
  std::vector<Diagnostic> diags;
};

ParseResult parse(std::string text, ParserLimits limits = {}) {
  ParseResult result;
  DiagnosticEngine diags;
  diags.setHandler([&](const Diagnostic &d) { result.diags.push_back(d); });
  result.graph = parseGraph(
      *result.context, std::make_shared<SourceBuffer>("t.mav", std::move(text)),
      diags, limits);
  return result;
}
} // namespace

TEST(ParserPrinterTest, RoundTripsEverySyntacticForm) {
  const std::string text =
      "graph @\"my model\" attributes {source = \"m.pt\", "
      "\"weird key\" = [none, true, false, -3, 2.5, inf, nan, \"s\"]} {\n"
      "  %x = node \"input\"() : f32[1,3,?,224]\n"
      "  %\"a b\" = node \"nn.LSTM\"(%x) {params = {w = f32[4,4]}} : "
      "(f32[*], tuple<int, list<?[2]>>, bool, ?) loc(\"m.py\":3:7)\n"
      "  %y = node \"cat()\"(%\"a b\"#0, %\"a b\"#3) {t = bool[]} : "
      "i64[] loc(\"m.py\")\n"
      "  %output = node \"output\"(%y) : ()\n"
      "}\n";
  ParseResult r = parse(text);
  ASSERT_TRUE(r.graph) << (r.diags.empty() ? "" : r.diags[0].message);
  EXPECT_EQ(printGraphToString(*r.graph), text);
  PrintOptions noLocs;
  noLocs.printLocations = false;
  EXPECT_EQ(printGraphToString(*r.graph, noLocs).find("loc("),
            std::string::npos);
}

TEST(ParserPrinterTest, NormalisesOnFirstPrintThenIsStable) {
  // Unsorted keys, odd spacing, `%x#0` on a single-result node, comments.
  ParseResult r = parse("graph @g { // c\n %x = node \"input\"():f32[2]\n"
                        "%o = node \"output\"( %x#0 ) {b = 1.50, a = 1e3}"
                        " : ( ) }");
  ASSERT_TRUE(r.graph);
  std::string once = printGraphToString(*r.graph);
  EXPECT_EQ(once, "graph @g {\n  %x = node \"input\"() : f32[2]\n"
                  "  %o = node \"output\"(%x) {a = 1000.0, b = 1.5} : ()\n}\n");
  ParseResult again = parse(once);
  ASSERT_TRUE(again.graph);
  EXPECT_EQ(printGraphToString(*again.graph), once);
}

TEST(ParserPrinterTest, ReportsSeveralErrorsInSourceOrder) {
  ParseResult r = parse("graph @g {\n"
                        "  %x = node \"input\"() : f32[1]\n"
                        "  %a = node \"relu()\"(%nope) : f32[1]\n"
                        "  %b = node \"relu()\"(%x) : f32[1 2]\n"
                        "  %c = node \"relu()\"(%x) : f32[1]\n"
                        "  %c = node \"relu()\"(%x) : f32[1]\n"
                        "  %o = node \"output\"(%c) : ()\n"
                        "}\n");
  EXPECT_FALSE(r.graph);
  ASSERT_EQ(r.diags.size(), 3u);
  EXPECT_EQ(r.diags[0].line, 3u);
  EXPECT_NE(r.diags[0].message.find("undefined value '%nope'"),
            std::string::npos);
  EXPECT_EQ(r.diags[1].line, 4u);
  EXPECT_EQ(r.diags[1].column, 34u);
  EXPECT_EQ(r.diags[2].line, 6u);
  ASSERT_EQ(r.diags[2].notes.size(), 1u);
  EXPECT_EQ(r.diags[2].notes[0].line, 5u);
}

TEST(ParserPrinterTest, NestingLimitIsADiagnosticNotACrash) {
  std::string deep(100000, '[');
  ParseResult r = parse("graph @g attributes {a = " + deep + "} {}");
  EXPECT_FALSE(r.graph);
  ASSERT_FALSE(r.diags.empty());
  EXPECT_NE(r.diags[0].message.find("nesting"), std::string::npos);
}

TEST(ParserPrinterTest, RejectsOverflowAndBadBytes) {
  ParseResult big = parse("graph @g attributes {a = 99999999999999999999} {}");
  ASSERT_FALSE(big.diags.empty());
  EXPECT_NE(big.diags[0].message.find("64 bits"), std::string::npos);
  ParseResult bytes = parse("graph @g {\xFF}");
  ASSERT_EQ(bytes.diags.size(), 1u);
  EXPECT_NE(bytes.diags[0].message.find("UTF-8"), std::string::npos);
  EXPECT_EQ(bytes.diags[0].column, 11u);
  ParseResult empty = parse("  \n");
  ASSERT_EQ(empty.diags.size(), 1u);
  EXPECT_NE(empty.diags[0].message.find("empty"), std::string::npos);
}

TEST(ParserPrinterTest, StopsAfterTheErrorLimit) {
  std::string text = "graph @g {\n";
  for (int i = 0; i < 100; ++i)
    text += "  %a" + std::to_string(i) + " = node \"relu()\"(%undefined) : ?\n";
  ParserLimits limits;
  limits.maxErrors = 5;
  ParseResult r = parse(text + "}\n", limits);
  EXPECT_FALSE(r.graph);
  ASSERT_EQ(r.diags.size(), 6u);
  EXPECT_EQ(r.diags.back().severity, Severity::Note);
}

/// A random attribute of bounded depth from every kind.
static Attribute randomAttribute(IRContext &ctx, std::mt19937 &rng, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 2 ? 5 : 7);
  switch (kind(rng)) {
  case 0:
    return Attribute::none();
  case 1:
    return Attribute::boolean(rng() & 1);
  case 2:
    return Attribute::integer(static_cast<int64_t>(rng()) - (1LL << 31));
  case 3: {
    std::uniform_real_distribution<double> real(-1e6, 1e6);
    return Attribute::real(real(rng) * std::pow(10.0, int(rng() % 40) - 20));
  }
  case 4: {
    std::string s;
    for (int i = rng() % 8; i > 0; --i)
      s += static_cast<char>(rng() % 256);
    return Attribute::string(ctx, s);
  }
  case 5:
    return Attribute::type(
        Type::tensor(ctx, DType::F32, {int64_t(rng() % 9), -1}));
  case 6: {
    ListAttr list;
    for (int i = rng() % 4; i > 0; --i)
      list.push_back(randomAttribute(ctx, rng, depth + 1));
    return Attribute::list(ctx, std::move(list));
  }
  default: {
    DictAttr dict;
    for (int i = rng() % 4; i > 0; --i)
      dict.set(ctx, "k" + std::to_string(rng() % 10) + (rng() & 1 ? " x" : ""),
               randomAttribute(ctx, rng, depth + 1));
    return Attribute::dict(ctx, std::move(dict));
  }
  }
}

TEST(ParserPrinterTest, RandomGraphsRoundTrip) {
  std::mt19937 rng(1234);
  for (int iteration = 0; iteration < 300; ++iteration) {
    IRContext ctx;
    Graph graph(ctx, "g" + std::to_string(iteration));
    Node input;
    input.name = "in";
    input.op = "input";
    input.resultTypes = {Type::tensor(ctx, DType::F32, {1, 3})};
    graph.addNode(input);
    int n = 1 + rng() % 20;
    for (int i = 1; i <= n; ++i) {
      Node node;
      node.name = (rng() % 3 ? "n" : "n ") + std::to_string(i);
      node.op = "op" + std::to_string(rng() % 5) + "()";
      for (int k = 1 + rng() % 3; k > 0; --k) {
        uint32_t producer = rng() % i;
        uint32_t results = graph.getNode(producer).resultTypes.size();
        node.operands.push_back({producer, uint32_t(rng() % results)});
      }
      node.resultTypes.resize(1 + rng() % 3,
                              Type::tensor(ctx, DType::F16, {int64_t(i)}));
      for (int k = rng() % 4; k > 0; --k)
        node.attrs.set(ctx, "a" + std::to_string(rng() % 6),
                       randomAttribute(ctx, rng, 0));
      if (rng() % 4 == 0)
        node.loc = Location{"f.py", uint32_t(rng() % 100 + 1), 0};
      graph.addNode(node);
    }
    Node output;
    output.name = "output";
    output.op = "output";
    output.operands = {{uint32_t(n), 0}};
    graph.addNode(output);

    std::string text = printGraphToString(graph);
    ParseResult r = parse(text);
    ASSERT_TRUE(r.graph) << text << "\n" << r.diags[0].message;
    ASSERT_EQ(printGraphToString(*r.graph), text);
  }
}
