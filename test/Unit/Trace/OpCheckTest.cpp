//===- OpCheckTest.cpp - mav-trace --check-ops ----------------------------===//
//
// checkModuleOps walks every method of a TorchScript module without running
// it and reports the ops mav-trace's interpreter cannot run. The models of
// utils/sweep-trace.py have none left, so the report's negative side is
// tested here, on graphs no Python frontend emits.
//
//===----------------------------------------------------------------------===//

#include "Interpreter.h"

#include <torch/csrc/jit/ir/irparser.h>

#include <gtest/gtest.h>

using namespace mav;

namespace {

/// A module whose forward uses ops the interpreter runs itself: isinstance,
/// a tuple index, a method call, control flow. (A `with` block and fork are
/// in the Python-built fixture of test/mav-trace/interpreter-ops.test: this
/// C++ compiler does not resolve them.)
torch::jit::Module makeHandledModule() {
  torch::jit::Module module("Handled");
  module.define(R"(
def helper(self, x: Tensor) -> Tensor:
    return x * 2

def forward(self, x: Tensor) -> Tensor:
    y = x + 1
    pair = (y, self.helper(y))
    if isinstance(pair[1], Tensor):
        return pair[1]
    return y
)");
  return module;
}

/// Adds `method` to `module`'s class from IR text.
void addMethod(torch::jit::Module &module, const std::string &name,
               const std::string &ir) {
  auto graph = std::make_shared<torch::jit::Graph>();
  torch::jit::parseIR(ir, graph.get());
  auto unit = module._ivalue()->compilation_unit();
  torch::jit::Function *function = unit->create_function(
      c10::QualifiedName(*module.type()->name(), name), graph);
  module.type()->addMethod(function);
}

TEST(OpCheckTest, EveryOpHandled) {
  torch::jit::Module module = makeHandledModule();
  OpCheckResult result = trace::checkModuleOps(module);
  EXPECT_TRUE(result.unhandled.empty()) << result.unhandled.front().op << " in "
                                        << result.unhandled.front().function;
  EXPECT_EQ(result.functions, 2u); // forward and helper
  EXPECT_GT(result.ops, 0u);
}

TEST(OpCheckTest, ReportsOpsWithoutAnOperator) {
  torch::jit::Module module = makeHandledModule();
  // Ops no library registers, one nested in a block, in a method forward
  // never calls, which is checked all the same.
  addMethod(module, "unreached", R"IR(
graph(%x : Tensor, %c : bool):
  %y : Tensor = prim::If(%c)
    block0():
      %z : Tensor = mavtest::unregistered(%x)
      -> (%z)
    block1():
      -> (%x)
  %w : Tensor = mavtest::another(%y)
  return (%w)
)IR");
  OpCheckResult result = trace::checkModuleOps(module);
  ASSERT_EQ(result.unhandled.size(), 2u);
  EXPECT_EQ(result.unhandled[0].op, "mavtest::another");
  EXPECT_EQ(result.unhandled[0].function, "__torch__.Handled.unreached");
  EXPECT_EQ(result.unhandled[1].op, "mavtest::unregistered");
  EXPECT_EQ(result.functions, 3u);
}

} // namespace
