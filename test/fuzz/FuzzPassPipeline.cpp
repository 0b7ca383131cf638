//===- FuzzPassPipeline.cpp - libFuzzer harness for pipeline strings ------===//
//
// Feeds arbitrary strings to mav::parsePassPipeline with the real pass
// registry (every pass of lib/Transforms and its typed options). A pipeline
// that parses must print (PipelineElement::str) to a string that parses again
// to the same pipeline; diagnostics are formatted but not printed.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"
#include "mav/Pass/PassRegistry.h"

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace mav;
using mav::fuzz::getRegistry;

namespace {

std::string joinPipeline(const std::vector<PipelineElement> &elements) {
  std::string text;
  for (const PipelineElement &element : elements) {
    if (!text.empty())
      text += ',';
    text += element.str();
  }
  return text;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string pipeline(reinterpret_cast<const char *>(data), size);
  DiagnosticEngine diags;
  std::string messages;
  diags.setHandler([&messages](const Diagnostic &diag) {
    messages += formatDiagnostic(diag);
  });

  std::vector<PipelineElement> elements;
  if (failed(parsePassPipeline(pipeline, getRegistry(), elements, diags)))
    return 0;

  // What parsed prints, and the printed form parses to the same pipeline.
  std::string printed = joinPipeline(elements);
  std::vector<PipelineElement> reparsed;
  if (failed(parsePassPipeline(printed, getRegistry(), reparsed, diags))) {
    std::fprintf(stderr, "printed pipeline does not parse: '%s'\n%s\n",
                 printed.c_str(), messages.c_str());
    std::abort();
  }
  std::string reprinted = joinPipeline(reparsed);
  if (reprinted != printed) {
    std::fprintf(stderr, "pipeline round trip differs:\n'%s'\n'%s'\n",
                 printed.c_str(), reprinted.c_str());
    std::abort();
  }
  // Every element builds its pass from the parsed options.
  for (const PipelineElement &element : elements)
    if (!element.info->factory(element.options)) {
      std::fprintf(stderr, "factory of '%s' returned null\n",
                   element.str().c_str());
      std::abort();
    }
  return 0;
}
