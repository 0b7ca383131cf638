//===- ExportJson.cpp - Checked JSON and names for the .pt2 reader -------===//
//
// What the importer of a serialized ExportedProgram (ExportedProgram.cpp)
// needs besides its own logic: type-checked access to untrusted JSON that
// fails with a message naming where, the spelling of ops, classes and
// module paths as the TorchScript frontend writes them, and symbolic sizes
// made readable.
//
//===----------------------------------------------------------------------===//

#include "ExportJson.h"

#include "mav/Support/Text.h"

#include <algorithm>
#include <cctype>
#include <unordered_set>

#include <fmt/format.h>

using namespace mav;

namespace mav::import {

void fail(std::string message) { throw ImportError{std::move(message)}; }

//===----------------------------------------------------------------------===//
// Checked JSON access
//===----------------------------------------------------------------------===//

const char *kindName(const json &value) { return value.type_name(); }

const json &member(const json &object, const char *key,
                   std::string_view where) {
  if (!object.is_object())
    fail(fmt::format("{}: expected an object, found {}", where,
                     kindName(object)));
  auto it = object.find(key);
  if (it == object.end())
    fail(fmt::format("{}: missing '{}'", where, key));
  return *it;
}

const json *optionalMember(const json &object, const char *key) {
  if (!object.is_object())
    return nullptr;
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

const std::string &asString(const json &value, std::string_view where) {
  if (!value.is_string())
    fail(
        fmt::format("{}: expected a string, found {}", where, kindName(value)));
  return value.get_ref<const std::string &>();
}

int64_t asInt(const json &value, std::string_view where) {
  if (value.is_number_integer())
    return value.get<int64_t>();
  if (value.is_number_unsigned() && value.get<uint64_t>() <= INT64_MAX)
    return static_cast<int64_t>(value.get<uint64_t>());
  fail(
      fmt::format("{}: expected an integer, found {}", where, kindName(value)));
}

const json &asArray(const json &value, std::string_view where) {
  if (!value.is_array())
    fail(
        fmt::format("{}: expected an array, found {}", where, kindName(value)));
  return value;
}

const json &asObject(const json &value, std::string_view where) {
  if (!value.is_object())
    fail(fmt::format("{}: expected an object, found {}", where,
                     kindName(value)));
  return value;
}

/// A schema union is an object with exactly one member, its case.
std::pair<const std::string *, const json *> unionCase(const json &value,
                                                       std::string_view where) {
  if (!value.is_object() || value.size() != 1)
    fail(
        fmt::format("{}: expected a union (an object with one member)", where));
  auto it = value.begin();
  return {&it.key(), &it.value()};
}

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

/// `torch.ops.aten.conv2d.default` -> (`aten::conv2d`, `conv2d`); other
/// targets (`_operator.getitem`, higher-order ops) keep their full name.
std::pair<std::string, std::string> splitTarget(std::string_view target) {
  constexpr std::string_view prefix = "torch.ops.";
  if (target.substr(0, prefix.size()) == prefix) {
    std::string_view rest = target.substr(prefix.size());
    size_t dot = rest.find('.');
    if (dot != std::string_view::npos) {
      std::string_view ns = rest.substr(0, dot);
      std::string_view name = rest.substr(dot + 1);
      size_t overload = name.find('.');
      if (overload != std::string_view::npos)
        name = name.substr(0, overload);
      return {fmt::format("{}::{}", ns, name), std::string(name)};
    }
  }
  size_t dot = target.rfind('.');
  std::string_view shortName =
      dot == std::string_view::npos ? target : target.substr(dot + 1);
  return {std::string(target), std::string(shortName)};
}

/// `__main__.Block` -> `Block`; other qualified names stay.
std::string cleanClassName(std::string_view cls) {
  constexpr std::string_view main = "__main__.";
  if (cls.substr(0, main.size()) == main)
    cls.remove_prefix(main.size());
  return std::string(cls);
}

std::string_view shortClassName(std::string_view cls) {
  size_t dot = cls.rfind('.');
  return dot == std::string_view::npos ? cls : cls.substr(dot + 1);
}

bool isContainerClass(std::string_view cls) {
  return cls == "torch.nn.modules.container.Sequential" ||
         cls == "torch.nn.modules.container.ModuleList" ||
         cls == "torch.nn.modules.container.ModuleDict";
}

std::string pathToName(std::string_view path) {
  std::string name(path);
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

/// As the TorchScript frontend: `torch.flatten(x)`-style namespaces.
static bool isNamespaceName(std::string_view name) {
  static const std::unordered_set<std::string_view> kNamespaces = {
      "torch", "F",   "functional", "nn",      "_VF",  "_C",    "_nn",
      "math",  "fft", "linalg",     "special", "init", "_refs", "ops"};
  return kNamespaces.count(name) != 0;
}

/// Whether op `name` was called as a tensor method, from the Python source
/// line of the call (`x.view(...)` versus `torch.flatten(x)`, `x + y`), or
/// without one from `torch_fn` (`method_descriptor.view`).
bool isMethodCall(std::string_view name, std::string_view sourceText,
                  std::string_view torchFn) {
  if (!sourceText.empty()) {
    std::string needle = fmt::format(".{}(", name);
    size_t pos = sourceText.find(needle);
    if (pos == std::string_view::npos)
      return false;
    size_t begin = pos;
    while (begin > 0 &&
           (std::isalnum(static_cast<unsigned char>(sourceText[begin - 1])) ||
            sourceText[begin - 1] == '_'))
      --begin;
    return !isNamespaceName(sourceText.substr(begin, pos - begin));
  }
  return torchFn.find("method_descriptor.") != std::string_view::npos;
}

/// The code line of the innermost frame of a `stack_trace` that comes from
/// a real file: frames of code that torch generated (`File
/// "<eval_with_key>.17"`, higher-order ops) are skipped.
std::string_view lastSourceLine(std::string_view trace) {
  std::string_view result;
  bool generatedFrame = false;
  for (std::string_view line : splitString(trace, "\n")) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line[0])))
      line.remove_prefix(1);
    while (!line.empty() &&
           std::isspace(static_cast<unsigned char>(line.back())))
      line.remove_suffix(1);
    if (line.substr(0, 5) == "File ") {
      generatedFrame = line.substr(5, 2) == "\"<";
      continue;
    }
    if (!line.empty() && !generatedFrame)
      result = line;
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Symbolic expressions
//===----------------------------------------------------------------------===//

/// Turns sympy's `srepr` form, in which torch.export writes symbolic sizes
/// (`Mul(Integer(2), Symbol('s77', positive=True, integer=True))`), into
/// the readable `2*s77`. Anything it does not recognise is kept as written.
class SymExprPrinter {
public:
  explicit SymExprPrinter(std::string_view text) : text(text) {}

  std::string print() {
    std::optional<std::string> result = parseExpr(0);
    skipSpace();
    if (!result || pos != text.size())
      return std::string(text);
    return *result;
  }

private:
  std::string_view text;
  size_t pos = 0;

  void skipSpace() {
    while (pos < text.size() && text[pos] == ' ')
      ++pos;
  }
  std::string_view identifier() {
    size_t start = pos;
    while (pos < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[pos])) ||
            text[pos] == '_'))
      ++pos;
    return text.substr(start, pos - start);
  }
  /// One expression: a call `Head(args...)`, a quoted string or a
  /// number. Keyword arguments of a call (`positive=True`) are skipped.
  std::optional<std::string> parseExpr(unsigned depth) {
    if (depth > 32)
      return std::nullopt;
    skipSpace();
    if (pos < text.size() && (text[pos] == '\'' || text[pos] == '"')) {
      char quote = text[pos++];
      size_t end = text.find(quote, pos);
      if (end == std::string_view::npos)
        return std::nullopt;
      std::string value(text.substr(pos, end - pos));
      pos = end + 1;
      return value;
    }
    if (pos < text.size() &&
        (text[pos] == '-' ||
         std::isdigit(static_cast<unsigned char>(text[pos])))) {
      size_t start = pos++;
      while (pos < text.size() &&
             std::isdigit(static_cast<unsigned char>(text[pos])))
        ++pos;
      return std::string(text.substr(start, pos - start));
    }
    std::string_view head = identifier();
    if (head.empty())
      return std::nullopt;
    skipSpace();
    if (pos >= text.size() || text[pos] != '(')
      return std::string(head);
    ++pos;
    std::vector<std::string> args;
    while (true) {
      skipSpace();
      if (pos < text.size() && text[pos] == ')') {
        ++pos;
        break;
      }
      size_t save = pos;
      std::string_view key = identifier();
      skipSpace();
      if (!key.empty() && pos < text.size() && text[pos] == '=') {
        ++pos; // A flag such as positive=True: not part of the value.
        if (!parseExpr(depth + 1))
          return std::nullopt;
      } else {
        pos = save;
        std::optional<std::string> arg = parseExpr(depth + 1);
        if (!arg)
          return std::nullopt;
        args.push_back(std::move(*arg));
      }
      skipSpace();
      if (pos < text.size() && text[pos] == ',')
        ++pos;
      else if (pos >= text.size() || text[pos] != ')')
        return std::nullopt;
    }
    auto join = [&](std::string_view separator) {
      std::string out;
      for (size_t i = 0; i < args.size(); ++i) {
        if (i)
          out += separator;
        bool compound = args[i].find_first_of("+-*/ ") != std::string::npos &&
                        args[i][0] != '-';
        out += compound ? fmt::format("({})", args[i]) : args[i];
      }
      return out;
    };
    if ((head == "Symbol" || head == "Integer") && args.size() == 1)
      return args[0];
    if (head == "Add" && !args.empty())
      return join(" + ");
    if (head == "Mul" && !args.empty())
      return join("*");
    if (head == "FloorDiv" && args.size() == 2)
      return join("//");
    if (head == "Mod" && args.size() == 2)
      return join(" % ");
    std::string out(head);
    out += "(";
    for (size_t i = 0; i < args.size(); ++i)
      out += (i ? ", " : "") + args[i];
    out += ")";
    return out;
  }
};

std::optional<DType> scalarTypeToDType(int64_t scalarType) {
  // ScalarType in torch/_export/serde/schema.yaml.
  switch (scalarType) {
  case 1:
    return DType::U8;
  case 2:
    return DType::I8;
  case 3:
    return DType::I16;
  case 4:
    return DType::I32;
  case 5:
    return DType::I64;
  case 6:
    return DType::F16;
  case 7:
    return DType::F32;
  case 8:
    return DType::F64;
  case 9:
    return DType::C32;
  case 10:
    return DType::C64;
  case 11:
    return DType::C128;
  case 12:
    return DType::Bool;
  case 13:
    return DType::BF16;
  default:
    return std::nullopt;
  }
}

std::string printSymExpr(std::string_view text) {
  return SymExprPrinter(text).print();
}

} // namespace mav::import
