//===- GraphTest.cpp - Graph construction, lookup and user lists ----------===//

#include "mav/IR/Graph.h"
#include "mav/IR/Verifier.h"

#include <gtest/gtest.h>

using namespace mav;

static Node makeNode(IRContext &ctx, std::string name, std::string op,
                     std::vector<ValueRef> operands, size_t results = 1) {
  Node node;
  node.name = std::move(name);
  node.op = std::move(op);
  node.operands = std::move(operands);
  node.resultTypes.assign(results, Type::tensor(ctx, DType::F32, {1}));
  return node;
}

/// input -> a -> b -> output, with a skip input -> b.
static Graph makeDiamond(IRContext &ctx) {
  Graph graph(ctx, "g");
  graph.addNode(makeNode(ctx, "x", "input", {}));
  graph.addNode(makeNode(ctx, "a", "relu()", {{0, 0}}));
  graph.addNode(makeNode(ctx, "b", "add()", {{1, 0}, {0, 0}}));
  graph.addNode(makeNode(ctx, "out", "output", {{2, 0}}, 0));
  return graph;
}

TEST(GraphTest, LookupFollowsAppendsAndRenames) {
  IRContext ctx;
  Graph graph = makeDiamond(ctx);
  EXPECT_EQ(graph.lookup("b"), 2u);
  EXPECT_EQ(graph.lookup("nope"), std::nullopt);
  graph.addNode(makeNode(ctx, "c", "relu()", {{2, 0}}));
  EXPECT_EQ(graph.lookup("c"), 4u);
  graph.getNode(1).name = "renamed";
  graph.invalidateNameIndex();
  EXPECT_EQ(graph.lookup("renamed"), 1u);
  EXPECT_EQ(graph.lookup("a"), std::nullopt);
}

TEST(GraphTest, UserListsCountEachUserOnce) {
  IRContext ctx;
  Graph graph = makeDiamond(ctx);
  // A node using the same producer twice is listed once.
  graph.getNode(2).operands = {{1, 0}, {0, 0}, {1, 0}};
  UserLists users = UserLists::compute(graph);
  ASSERT_EQ(users.count(0), 2u);
  EXPECT_EQ(users.begin(0)[0], 1u);
  EXPECT_EQ(users.begin(0)[1], 2u);
  EXPECT_EQ(users.count(1), 1u);
  EXPECT_EQ(users.count(2), 1u);
  EXPECT_EQ(users.count(3), 0u);
}

TEST(GraphTest, VerifierAcceptsValidAndRejectsBroken) {
  DiagnosticEngine diags;
  std::vector<std::string> messages;
  diags.setHandler([&](const Diagnostic &d) { messages.push_back(d.message); });

  IRContext ctx;
  Graph graph = makeDiamond(ctx);
  EXPECT_TRUE(succeeded(verify(graph, diags)));
  EXPECT_TRUE(messages.empty());

  graph.getNode(1).operands = {{2, 0}};        // forward reference
  graph.getNode(2).operands.push_back({0, 5}); // result out of range
  graph.getNode(3).name = "a";                 // duplicate name
  graph.getNode(0).attrs.set(ctx, "status", Attribute::string(ctx, "maybe"));
  EXPECT_TRUE(failed(verify(graph, diags)));
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_NE(messages[0].find("status"), std::string::npos);
  EXPECT_NE(messages[1].find("not before it"), std::string::npos);
  EXPECT_NE(messages[2].find("result #5"), std::string::npos);
  EXPECT_NE(messages[3].find("already used"), std::string::npos);
}

TEST(GraphTest, VerifierRequiresAnOutput) {
  DiagnosticEngine diags;
  std::string message;
  diags.setHandler([&](const Diagnostic &d) { message = d.message; });
  IRContext ctx;
  Graph graph(ctx, "g");
  graph.addNode(makeNode(ctx, "x", "input", {}));
  EXPECT_TRUE(failed(verify(graph, diags)));
  EXPECT_NE(message.find("no 'output' node"), std::string::npos);
}
