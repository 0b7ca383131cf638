//===- FuzzExportJson.cpp - libFuzzer harness for the .pt2 JSON importer --===//
//
// Feeds arbitrary bytes to mav::importExportedProgramJson (lib/Import, no
// libtorch), the part of the .pt2 reader that interprets untrusted JSON.
// A failure must be exactly one diagnostic; a success must be a graph that
// the verifier accepts, since mav-trace would print it. The zip side is
// libzip's; its own fuzzing covers it.
//
//===----------------------------------------------------------------------===//

#include "mav/IR/Verifier.h"
#include "mav/Import/ExportArchive.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

using namespace mav;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  IRContext ctx;
  DiagnosticEngine diags;
  unsigned errors = 0;
  diags.setHandler([&errors](const Diagnostic &) { ++errors; });
  ExportImportOptions options;
  options.source = "fuzz.pt2";
  std::optional<Graph> graph =
      importExportedProgramJson(ctx, text, "fuzz.json", options, diags);
  if (!graph) {
    if (errors != 1) {
      std::fprintf(stderr, "import failed with %u diagnostics\n", errors);
      std::abort();
    }
    return 0;
  }
  DiagnosticEngine verifyDiags;
  verifyDiags.setHandler([](const Diagnostic &) {});
  if (failed(verify(*graph, verifyDiags))) {
    std::fprintf(stderr, "the imported graph does not verify\n");
    std::abort();
  }
  return 0;
}
