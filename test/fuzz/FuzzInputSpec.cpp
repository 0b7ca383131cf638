//===- FuzzInputSpec.cpp - libFuzzer harness for mav-trace --input --------===//
//
// Feeds arbitrary strings to mav::InputSpec::parse (lib/Trace/InputSpec.cpp,
// which does not include torch, so this harness builds without libtorch).
// Every failure must set an error message; every success must satisfy the
// documented invariants: non-negative dimensions, a supported dtype, and
// either no range or a finite LOW < HIGH.
//
//===----------------------------------------------------------------------===//

#include "mav/Trace/Trace.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace mav;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  std::string error;
  std::optional<InputSpec> spec = InputSpec::parse(text, error);
  if (!spec) {
    if (error.empty()) {
      std::fprintf(stderr, "InputSpec::parse failed without a message\n");
      std::abort();
    }
    return 0;
  }
  bool ok =
      !spec->dims.empty() && spec->low.has_value() == spec->high.has_value();
  for (int64_t dim : spec->dims)
    ok = ok && dim >= 0;
  if (spec->low)
    ok = ok && std::isfinite(*spec->low) && std::isfinite(*spec->high) &&
         *spec->low < *spec->high;
  if (!ok) {
    std::fprintf(stderr, "InputSpec::parse accepted an invalid spec\n");
    std::abort();
  }
  return 0;
}
