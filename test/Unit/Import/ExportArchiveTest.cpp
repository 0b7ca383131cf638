//===- ExportArchiveTest.cpp - The .pt2 reader from memory ----------------===//
//
// The notebook package hands the reader an archive in memory: these tests
// drive that API (importExportArchive) directly, on the committed fixtures
// of test/mav-trace/Inputs/pt2, and check that every prefix of an archive
// and a few wrong-typed documents are diagnosed rather than crash.
//
//===----------------------------------------------------------------------===//

#include "mav/Import/ExportArchive.h"
#include "mav/IR/Printer.h"
#include "mav/IR/Verifier.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

using namespace mav;

namespace {

std::string readFixture(const std::string &name) {
  std::ifstream in(std::string(MAV_PT2_FIXTURES) + "/" + name,
                   std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

/// Collects diagnostics instead of printing them.
struct CollectedDiagnostics {
  DiagnosticEngine engine;
  std::vector<std::string> messages;
  CollectedDiagnostics() {
    engine.setHandler(
        [this](const Diagnostic &diag) { messages.push_back(diag.message); });
  }
};

TEST(ExportArchiveTest, ImportsFromBufferLikeFromFile) {
  std::string bytes = readFixture("residual.pt2");
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(classifyModelBuffer(bytes), ModelFileKind::ExportArchive);

  IRContext memoryContext, fileContext;
  CollectedDiagnostics diags;
  ExportImportOptions options;
  options.source = "residual.pt2";
  std::optional<Graph> fromMemory = importExportArchive(
      memoryContext, bytes, "residual.pt2", options, diags.engine);
  std::optional<Graph> fromFile = importExportArchiveFile(
      fileContext, std::string(MAV_PT2_FIXTURES) + "/residual.pt2", options,
      diags.engine);
  ASSERT_TRUE(fromMemory && fromFile)
      << ::testing::PrintToString(diags.messages);
  EXPECT_EQ(printGraphToString(*fromMemory), printGraphToString(*fromFile));
  std::optional<uint32_t> add = fromMemory->lookup("add_");
  ASSERT_TRUE(add);
  EXPECT_EQ(fromMemory->getNode(*add).op, "add_()");
  EXPECT_EQ(fromMemory->getNode(*add).operands.size(), 2u);
}

TEST(ExportArchiveTest, ClassifiesByContent) {
  EXPECT_EQ(classifyModelBuffer("graph @g {}"), ModelFileKind::NotZip);
  EXPECT_EQ(classifyModelBuffer(""), ModelFileKind::NotZip);
  EXPECT_EQ(classifyModelBuffer(std::string("PK\x03\x04garbage", 11)),
            ModelFileKind::BrokenZip);
}

TEST(ExportArchiveTest, EveryPrefixIsDiagnosedNotCrashed) {
  std::string bytes = readFixture("conv_bn_relu.pt2");
  ASSERT_FALSE(bytes.empty());
  for (size_t size = 0; size < bytes.size(); size += 61) {
    IRContext ctx;
    CollectedDiagnostics diags;
    std::optional<Graph> graph =
        importExportArchive(ctx, std::string_view(bytes).substr(0, size),
                            "cut.pt2", {}, diags.engine);
    EXPECT_FALSE(graph) << "prefix of " << size << " bytes";
    ASSERT_EQ(diags.messages.size(), 1u) << "prefix of " << size;
    EXPECT_EQ(diags.messages[0].rfind("cut.pt2: ", 0), 0u) << diags.messages[0];
  }
}

TEST(ExportArchiveTest, WrongTypedJsonIsDiagnosed) {
  const char *documents[] = {
      "[]",
      "{\"schema_version\": 8}",
      "{\"schema_version\": {\"major\": \"8\"}}",
      "{\"schema_version\": {\"major\": 8}, \"graph_module\": []}",
      "{\"schema_version\": {\"major\": 8}, \"graph_module\": {\"graph\": "
      "{\"tensor_values\": {\"x\": {\"dtype\": 7, \"sizes\": [{\"as_int\": "
      "-3}]}}}, \"signature\": {}}}",
      "{\"schema_version\": {\"major\": 8}, \"graph_module\": {\"graph\": "
      "{\"tensor_values\": {}, \"nodes\": [{\"target\": \"t\", \"inputs\": "
      "[{\"arg\": {\"as_tensor\": 1}}], \"outputs\": [{\"as_tensor\": "
      "{\"name\": \"y\"}}]}], \"inputs\": []}, \"signature\": "
      "{\"input_specs\": []}}}",
  };
  for (const char *document : documents) {
    IRContext ctx;
    CollectedDiagnostics diags;
    EXPECT_FALSE(
        importExportedProgramJson(ctx, document, "doc.json", {}, diags.engine))
        << document;
    ASSERT_EQ(diags.messages.size(), 1u) << document;
  }
}

/// A program of one relu node (x -> y). `parameterSpecs` are input specs
/// put before the user input's, `nodeFields` more fields of the node (JSON
/// fragments ending in ", ", or empty).
std::string reluProgram(const std::string &parameterSpecs,
                        const std::string &nodeFields) {
  return "{\"schema_version\": {\"major\": 8, \"minor\": 20}, "
         "\"graph_module\": {\"graph\": {\"inputs\": [{\"as_tensor\": "
         "{\"name\": \"x\"}}], \"outputs\": [], \"tensor_values\": {\"x\": "
         "{\"dtype\": 7, \"sizes\": [{\"as_int\": 2}]}, \"y\": {\"dtype\": 7, "
         "\"sizes\": [{\"as_int\": 2}]}}, \"nodes\": [{" +
         nodeFields +
         "\"target\": \"torch.ops.aten.relu.default\", \"inputs\": "
         "[{\"name\": \"self\", \"arg\": {\"as_tensor\": {\"name\": "
         "\"x\"}}}], \"outputs\": [{\"as_tensor\": {\"name\": \"y\"}}]}]}, "
         "\"signature\": {\"input_specs\": [" +
         parameterSpecs +
         "{\"user_input\": {\"arg\": {\"as_tensor\": {\"name\": \"x\"}}}}], "
         "\"output_specs\": [{\"user_output\": {\"arg\": {\"as_tensor\": "
         "{\"name\": \"y\"}}}}]}}}";
}

/// Imports `document`, expects a graph that verifies, and returns its IR.
std::string importVerified(const std::string &document) {
  IRContext ctx;
  CollectedDiagnostics diags;
  std::optional<Graph> graph =
      importExportedProgramJson(ctx, document, "doc.json", {}, diags.engine);
  if (!graph) {
    ADD_FAILURE() << ::testing::PrintToString(diags.messages);
    return "";
  }
  EXPECT_TRUE(succeeded(verify(*graph, diags.engine)))
      << ::testing::PrintToString(diags.messages);
  return printGraphToString(*graph);
}

// Found by mav-fuzz-export-json: a parameter missing from tensor_values
// gave the unread parameter a non-tensor type, which the verifier rejects.
TEST(ExportArchiveTest, ParameterWithoutTensorValueStillVerifies) {
  std::string ir =
      importVerified(reluProgram("{\"parameter\": {\"arg\": {\"name\": \"p\"}, "
                                 "\"parameter_name\": \"used.bias\"}}, ",
                                 ""));
  EXPECT_NE(ir.find("%used = node \"Module\"() {module = \"used\", params = "
                    "{used.bias = ?[*]}, status = \"not-run\"} : ?"),
            std::string::npos)
      << ir;
}

// Also from the fuzzer: a module class without a short name (`torch.`)
// gave a node an empty operation.
TEST(ExportArchiveTest, CraftedModuleStackStillVerifies) {
  importVerified(reluProgram("", "\"metadata\": {\"nn_module_stack\": "
                                 "\"L__self__,,__main__.M;k,,torch.\"}, "));
}

} // namespace
