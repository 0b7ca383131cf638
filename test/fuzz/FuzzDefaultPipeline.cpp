//===- FuzzDefaultPipeline.cpp - libFuzzer harness for the default passes -===//
//
// Parses arbitrary bytes as IR and, when the graph verifies, runs mav-opt's
// default pipeline with the group pass
// (`cost,merge{threshold=0.01},group,layout,color`) on it with the verifier
// after each pass, then builds the render model and the portable figure
// (one drawing per group depth) from the result. A pass or the renderer
// may fail with a diagnostic; none may crash, trip a sanitizer, or leave
// IR that fails to print and re-parse.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"
#include "mav/IR/Parser.h"
#include "mav/IR/Printer.h"
#include "mav/IR/Verifier.h"
#include "mav/Pass/PassManager.h"
#include "mav/Render/Figure.h"
#include "mav/Render/RenderModel.h"

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace mav;
using mav::fuzz::getRegistry;

static int fuzzOneInput(const uint8_t *data, size_t size) {
  // Large graphs only slow the fuzzer down; the passes are near-linear.
  if (size > 64 * 1024)
    return 0;
  DiagnosticEngine diags;
  std::string messages;
  diags.setHandler([&messages](const Diagnostic &diag) {
    messages += formatDiagnostic(diag);
  });
  auto buffer = std::make_shared<const SourceBuffer>(
      "fuzz.mav", std::string(reinterpret_cast<const char *>(data), size));
  // One context for every graph of this input, freed when it is done.
  IRContext context;
  std::unique_ptr<Graph> graph = parseGraph(context, buffer, diags);
  if (!graph || failed(verify(*graph, diags)))
    return 0;

  std::vector<PipelineElement> pipeline;
  if (failed(parsePassPipeline("cost,merge{threshold=0.01},group,layout,color",
                               getRegistry(), pipeline, diags))) {
    std::fprintf(stderr, "default pipeline does not parse:\n%s\n",
                 messages.c_str());
    std::abort();
  }
  PassManager pm(diags, PassManagerOptions{}, [](const std::string &) {});
  for (PipelineElement &element : pipeline)
    pm.addPass(std::move(element));
  if (failed(pm.run(*graph)))
    return 0;

  std::string printed = printGraphToString(*graph);
  DiagnosticEngine reparseDiags;
  std::string reparseMessages;
  reparseDiags.setHandler([&reparseMessages](const Diagnostic &diag) {
    reparseMessages += formatDiagnostic(diag);
  });
  auto reparsed = parseGraph(
      context, std::make_shared<const SourceBuffer>("printed.mav", printed),
      reparseDiags);
  if (!reparsed || printGraphToString(*reparsed) != printed) {
    std::fprintf(stderr,
                 "output of the default pipeline does not round-trip:"
                 "\n%s\n%s\n",
                 printed.c_str(), reparseMessages.c_str());
    std::abort();
  }

  RenderModel model;
  if (succeeded(buildRenderModel(*graph, model, diags))) {
    ViewOptions view;
    (void)buildPlotlyFigure(model, view);
    (void)buildWidgetSpec(model, view);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzzOneInput(data, size);
}
