//===- InputSpec.cpp - The --input syntax of mav-trace --------------------===//
//
// `DIMS[:DTYPE[:LOW..HIGH]]`, e.g. `1x3x224x224`, `1x128:i64:0..30522`.
// Parsed without torch so that the driver can report a bad flag before the
// (slow) model load.
//
//===----------------------------------------------------------------------===//

#include "mav/Support/Text.h"
#include "mav/Trace/Trace.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

using namespace mav;

namespace {

std::optional<int64_t> parseInteger(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return std::nullopt;
  return value;
}

std::optional<double> parseNumber(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  // std::from_chars for double is missing from older libstdc++; strtod on a
  // null-terminated copy is exact enough for a range bound.
  std::string copy(text);
  char *end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

bool isIntegerDType(DType dtype) {
  switch (dtype) {
  case DType::Bool:
  case DType::U8:
  case DType::I8:
  case DType::I16:
  case DType::I32:
  case DType::I64:
    return true;
  default:
    return false;
  }
}

bool isSupportedInputDType(DType dtype) {
  switch (dtype) {
  case DType::Unknown:
  case DType::QI8:
  case DType::QU8:
  case DType::QI32:
    return false;
  default:
    return true;
  }
}

} // namespace

std::optional<InputSpec> InputSpec::parse(std::string_view text,
                                          std::string &error) {
  // A list or tuple of tensors: their specs between brackets, by commas.
  bool list = text.size() >= 2 && text.front() == '[' && text.back() == ']';
  bool tuple = text.size() >= 2 && text.front() == '(' && text.back() == ')';
  if (list || tuple) {
    InputSpec spec;
    spec.kind = list ? Kind::List : Kind::Tuple;
    std::string_view inner = text.substr(1, text.size() - 2);
    if (!inner.empty()) {
      for (std::string_view element : splitString(inner, ",")) {
        std::optional<InputSpec> parsed = parse(element, error);
        if (!parsed)
          return std::nullopt;
        if (parsed->kind != Kind::Tensor) {
          error = fmt::format("invalid input '{}': a list or tuple holds "
                              "tensors, not lists or tuples",
                              text);
          return std::nullopt;
        }
        spec.elements.push_back(std::move(*parsed));
      }
    }
    if (tuple && spec.elements.empty()) {
      error = fmt::format("invalid input '{}': an empty tuple", text);
      return std::nullopt;
    }
    return spec;
  }
  std::vector<std::string_view> fields = splitString(text, ":");
  if (fields.size() > 3) {
    error = fmt::format("invalid input '{}': expected DIMS[:DTYPE[:LOW..HIGH]]",
                        text);
    return std::nullopt;
  }

  InputSpec spec;
  if (fields[0].empty()) {
    error = fmt::format("invalid input '{}': missing dimensions", text);
    return std::nullopt;
  }
  for (std::string_view dim : splitString(fields[0], "x")) {
    std::optional<int64_t> value = parseInteger(dim);
    if (!value || *value < 0) {
      error = fmt::format("invalid dimension '{}' in input '{}'", dim, text);
      return std::nullopt;
    }
    spec.dims.push_back(*value);
  }

  if (fields.size() > 1) {
    std::optional<DType> dtype = parseDTypeName(fields[1]);
    if (!dtype || !isSupportedInputDType(*dtype)) {
      error = fmt::format("invalid dtype '{}' in input '{}'", fields[1], text);
      return std::nullopt;
    }
    spec.dtype = *dtype;
  }

  if (fields.size() > 2) {
    std::vector<std::string_view> bounds = splitString(fields[2], "..");
    std::optional<double> low, high;
    if (bounds.size() == 2) {
      low = parseNumber(bounds[0]);
      high = parseNumber(bounds[1]);
    }
    if (!low || !high || !(*low < *high)) {
      error = fmt::format("invalid range '{}' in input '{}': expected "
                          "LOW..HIGH with LOW < HIGH",
                          fields[2], text);
      return std::nullopt;
    }
    if (isIntegerDType(spec.dtype) &&
        (std::trunc(*low) != *low || std::trunc(*high) != *high)) {
      error = fmt::format("range '{}' of integer input '{}' must be integers",
                          fields[2], text);
      return std::nullopt;
    }
    spec.low = low;
    spec.high = high;
  }
  return spec;
}
