//===- FuzzIRRoundTrip.cpp - libFuzzer harness for the IR text form -------===//
//
// Feeds arbitrary bytes to the IR parser, then checks the round-trip
// property of docs/IR.md on whatever parses: the printed text re-parses
// without a diagnostic, prints identically, and the verifier reaches the same
// verdict on both graphs. A mismatch aborts, so libFuzzer records the input
// as a crash. Diagnostics are collected and formatted (formatting is part of
// the code under test) but never printed, to keep the fuzzer fast.
//
//===----------------------------------------------------------------------===//

#include "mav/IR/Parser.h"
#include "mav/IR/Printer.h"
#include "mav/IR/Verifier.h"

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace mav;

namespace {

/// Reports a broken round trip with both texts, then aborts.
[[noreturn]] void roundTripFailure(const char *what, const std::string &first,
                                   const std::string &second) {
  std::fprintf(stderr, "round trip failed: %s\n--- first\n%s\n--- second\n%s\n",
               what, first.c_str(), second.c_str());
  std::abort();
}

/// Parses `text` with a handler that formats every diagnostic and counts
/// errors; returns null on a parse failure.
std::unique_ptr<Graph> parseQuietly(IRContext &context, std::string text,
                                    const char *name, DiagnosticEngine &diags,
                                    std::string &messages) {
  diags.setHandler([&messages](const Diagnostic &diag) {
    messages += formatDiagnostic(diag);
  });
  auto buffer = std::make_shared<const SourceBuffer>(name, std::move(text));
  return parseGraph(context, std::move(buffer), diags);
}

} // namespace

static int fuzzOneInput(const uint8_t *data, size_t size) {
  std::string input(reinterpret_cast<const char *>(data), size);

  // One context for every graph of this input, freed when it is done.
  IRContext context;
  DiagnosticEngine diags;
  std::string messages;
  std::unique_ptr<Graph> graph =
      parseQuietly(context, input, "fuzz.mav", diags, messages);
  if (!graph)
    return 0;
  bool verified = succeeded(verify(*graph, diags));

  std::string printed = printGraphToString(*graph);

  DiagnosticEngine reparseDiags;
  std::string reparseMessages;
  std::unique_ptr<Graph> reparsed = parseQuietly(
      context, printed, "printed.mav", reparseDiags, reparseMessages);
  if (!reparsed)
    roundTripFailure("printed text does not parse", printed, reparseMessages);
  if (reparseDiags.getNumErrors() != 0)
    roundTripFailure("printed text parses with errors", printed,
                     reparseMessages);
  bool reverified = succeeded(verify(*reparsed, reparseDiags));
  if (verified != reverified)
    roundTripFailure("verifier verdict changed after the round trip", printed,
                     reparseMessages);

  std::string reprinted = printGraphToString(*reparsed);
  if (reprinted != printed)
    roundTripFailure("re-printed text differs", printed, reprinted);

  // Without locations the text must still re-parse.
  PrintOptions noLocations;
  noLocations.printLocations = false;
  std::string bare = printGraphToString(*graph, noLocations);
  DiagnosticEngine bareDiags;
  std::string bareMessages;
  if (!parseQuietly(context, bare, "bare.mav", bareDiags, bareMessages))
    roundTripFailure("text printed without locations does not parse", bare,
                     bareMessages);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzzOneInput(data, size);
}
