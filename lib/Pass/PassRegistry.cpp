//===- PassRegistry.cpp - Registered passes and pipelines -----------------===//
//
// Option parsing and the pipeline-string parser. The pipeline grammar is
//   pipeline ::= element (',' element)*
//   element  ::= pass-name ('{' option ((',' | ' ') option)* '}')?
//   option   ::= key '=' value | key            (a bare key sets a bool)
//   value    ::= '[' ... ']' | '"' ... '"' | bare characters up to , } or space
//
//===----------------------------------------------------------------------===//

#include "mav/Pass/PassRegistry.h"

#include "mav/IR/Printer.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

using namespace mav;

const PassOptionInfo *PassInfo::findOption(std::string_view optionName) const {
  for (const PassOptionInfo &option : options)
    if (option.name == optionName)
      return &option;
  return nullptr;
}

void PassRegistry::registerPass(PassInfo info) {
  assert(!passes.count(info.name) && "pass registered twice");
  assert((info.mainOption.empty() || info.findOption(info.mainOption)) &&
         "main option must be declared");
  std::string name = info.name;
  passes.emplace(std::move(name), std::move(info));
}

const PassInfo *PassRegistry::lookup(std::string_view name) const {
  auto it = passes.find(name);
  return it == passes.end() ? nullptr : &it->second;
}

std::vector<const PassInfo *>
PassRegistry::getPasses(bool includeTestPasses) const {
  std::vector<const PassInfo *> result;
  for (const auto &entry : passes) // std::map: sorted by name
    if (includeTestPasses || !entry.second.isTestPass)
      result.push_back(&entry.second);
  return result;
}

//===----------------------------------------------------------------------===//
// Option values
//===----------------------------------------------------------------------===//

static std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos)
    return {};
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

/// Removes the quotes of a `"..."` value and decodes the escapes that
/// printStringLiteral writes (`\"`, `\\`, `\n`, `\t`, `\r`, `\xHH`), so
/// that every value formatOptionValue prints parses back to itself.
static std::string unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"')
    return std::string(s);
  s = s.substr(1, s.size() - 2);
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    unsigned byte = 0;
    if (c == 'n')
      out += '\n';
    else if (c == 't')
      out += '\t';
    else if (c == 'r')
      out += '\r';
    else if (c == 'x' && i + 2 < s.size() &&
             std::from_chars(s.data() + i + 1, s.data() + i + 3, byte, 16)
                     .ptr == s.data() + i + 3) {
      out += static_cast<char>(byte);
      i += 2;
    } else
      out += c; // `\"`, `\\`, and any other escaped character as itself
  }
  return out;
}

/// The end of the quoted string starting at `text[pos]` (one past its closing
/// quote), skipping backslash escapes; npos if it is not closed.
static size_t skipQuoted(std::string_view text, size_t pos) {
  for (size_t i = pos + 1; i < text.size(); ++i) {
    if (text[i] == '\\')
      ++i;
    else if (text[i] == '"')
      return i + 1;
  }
  return std::string_view::npos;
}

static bool parseInt(std::string_view text, int64_t &value) {
  auto res = std::from_chars(text.data(), text.data() + text.size(), value);
  return res.ec == std::errc() && res.ptr == text.data() + text.size() &&
         !text.empty();
}

/// Splits the inside of `[a, b, c]` (or a lone `a`) at top-level commas,
/// keeping commas inside quotes.
static std::vector<std::string_view> splitList(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  std::vector<std::string_view> items;
  if (trim(text).empty())
    return items;
  bool inQuotes = false;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (inQuotes && i + 1 < text.size() && text[i] == '\\') {
      ++i; // an escaped character, possibly a quote or the last one
      continue;
    }
    if (i < text.size() && text[i] == '"')
      inQuotes = !inQuotes;
    if (i == text.size() || (text[i] == ',' && !inQuotes)) {
      items.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  return items;
}

std::string mav::describeAllowedValues(const PassOptionInfo &option) {
  std::string out;
  for (size_t i = 0; i < option.allowedValues.size(); ++i)
    out += (i ? ", " : "") + option.allowedValues[i];
  return out;
}

std::string mav::describeOptionType(const PassOptionInfo &option) {
  switch (option.type) {
  case OptionType::Int:
    return "int";
  case OptionType::Float:
    return "float";
  case OptionType::Bool:
    return "bool";
  case OptionType::String:
    return "string";
  case OptionType::Enum: {
    std::string out;
    for (size_t i = 0; i < option.allowedValues.size(); ++i)
      out += (i ? "|" : "") + option.allowedValues[i];
    return out;
  }
  case OptionType::IntList:
    return "list of int";
  case OptionType::StringList:
    return "list of string";
  }
  return "value";
}

bool mav::parseOptionValue(const PassOptionInfo &option, std::string_view text,
                           OptionValue &value, std::string &message) {
  text = trim(text);
  switch (option.type) {
  case OptionType::Int: {
    int64_t v;
    if (!parseInt(text, v)) {
      message = "expected an integer";
      return false;
    }
    value = v;
    return true;
  }
  case OptionType::Float: {
    double v;
    auto res = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || res.ec != std::errc() ||
        res.ptr != text.data() + text.size() || !std::isfinite(v)) {
      message = "expected a finite number";
      return false;
    }
    value = v;
    return true;
  }
  case OptionType::Bool:
    if (text == "true" || text == "1" || text.empty()) {
      value = true;
      return true;
    }
    if (text == "false" || text == "0") {
      value = false;
      return true;
    }
    message = "expected true or false";
    return false;
  case OptionType::String:
    value = unquote(text);
    return true;
  case OptionType::Enum: {
    std::string s = unquote(text);
    if (std::find(option.allowedValues.begin(), option.allowedValues.end(),
                  s) == option.allowedValues.end()) {
      message = "expected one of: " + describeAllowedValues(option);
      return false;
    }
    value = s;
    return true;
  }
  case OptionType::IntList: {
    std::vector<int64_t> list;
    for (std::string_view item : splitList(text)) {
      int64_t v;
      if (!parseInt(item, v)) {
        message = fmt::format("expected a list of integers ('[1,2]'), but "
                              "'{}' is not an integer",
                              item);
        return false;
      }
      list.push_back(v);
    }
    value = std::move(list);
    return true;
  }
  case OptionType::StringList: {
    std::vector<std::string> list;
    for (std::string_view item : splitList(text))
      list.push_back(unquote(item));
    value = std::move(list);
    return true;
  }
  }
  return false;
}

static std::string formatStringValue(const std::string &s) {
  if (!s.empty() && s.find_first_of(",{}[] \t\"=\\") == std::string::npos)
    return s;
  std::string out;
  printStringLiteral(s, out);
  return out;
}

std::string mav::formatOptionValue(const OptionValue &value) {
  struct Visitor {
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const {
      std::string out;
      printFloat(v, out);
      return out;
    }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const std::string &v) const {
      return formatStringValue(v);
    }
    std::string operator()(const std::vector<int64_t> &v) const {
      return fmt::format("[{}]", fmt::join(v, ","));
    }
    std::string operator()(const std::vector<std::string> &v) const {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i)
        out += (i ? "," : "") + formatStringValue(v[i]);
      return out + "]";
    }
  };
  return std::visit(Visitor{}, value);
}

void mav::setDefaultOptions(const PassInfo &info, PipelineElement &element) {
  element.info = &info;
  for (const PassOptionInfo &option : info.options) {
    OptionValue value;
    std::string message;
    [[maybe_unused]] bool ok =
        parseOptionValue(option, option.defaultValue, value, message);
    assert(ok && "invalid default value in a pass registration");
    element.options.set(option.name, std::move(value));
  }
}

std::string PipelineElement::str() const {
  std::string out = info->name;
  if (givenOptions.empty())
    return out;
  out += '{';
  for (size_t i = 0; i < givenOptions.size(); ++i) {
    if (i)
      out += ',';
    out += givenOptions[i] + "=" +
           formatOptionValue(options.getValues().at(givenOptions[i]));
  }
  return out + '}';
}

//===----------------------------------------------------------------------===//
// Pipeline parser
//===----------------------------------------------------------------------===//

namespace {
class PipelineParser {
public:
  PipelineParser(std::string_view text, const PassRegistry &registry,
                 DiagnosticEngine &diags)
      : buffer("<pass-pipeline>", std::string(text)), text(buffer.getText()),
        registry(registry), diags(diags) {}

  LogicalResult parse(std::vector<PipelineElement> &elements);

private:
  bool error(size_t offset, std::string message) {
    diags.error(SourceLoc{&buffer, offset}, std::move(message));
    return false;
  }
  void skipSpaces() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t'))
      ++pos;
  }
  static bool isNameChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  }
  bool parseElement(PipelineElement &element);
  bool parseOption(PipelineElement &element);
  std::string validPassNames(std::string_view typed) const;

  SourceBuffer buffer;
  const std::string &text;
  const PassRegistry &registry;
  DiagnosticEngine &diags;
  size_t pos = 0;
};
} // namespace

std::string PipelineParser::validPassNames(std::string_view typed) const {
  bool wantTest = typed.substr(0, 5) == "test-";
  std::string out;
  for (const PassInfo *info : registry.getPasses(wantTest))
    if (!wantTest || info->isTestPass)
      out += (out.empty() ? "" : ", ") + info->name;
  return out.empty() ? "(none registered)" : out;
}

LogicalResult PipelineParser::parse(std::vector<PipelineElement> &elements) {
  skipSpaces();
  if (pos == text.size()) {
    error(0, "the pass pipeline is empty");
    return failure();
  }
  while (true) {
    PipelineElement element;
    if (!parseElement(element))
      return failure();
    elements.push_back(std::move(element));
    skipSpaces();
    if (pos == text.size())
      return success();
    if (text[pos] != ',') {
      error(pos,
            fmt::format("expected ',' between passes, found '{}'", text[pos]));
      return failure();
    }
    ++pos;
    skipSpaces();
  }
}

bool PipelineParser::parseElement(PipelineElement &element) {
  size_t start = pos;
  while (pos < text.size() && isNameChar(text[pos]))
    ++pos;
  std::string_view name = std::string_view(text).substr(start, pos - start);
  if (name.empty())
    return error(start, "expected a pass name");
  const PassInfo *info = registry.lookup(name);
  if (!info)
    return error(start, fmt::format("unknown pass '{}'; valid passes are: {}",
                                    name, validPassNames(name)));

  setDefaultOptions(*info, element);
  skipSpaces();
  if (pos >= text.size() || text[pos] != '{')
    return true;
  size_t brace = pos++;
  skipSpaces();
  while (pos < text.size() && text[pos] != '}') {
    if (!parseOption(element))
      return false;
    skipSpaces();
    if (pos < text.size() && text[pos] == ',') {
      ++pos;
      skipSpaces();
    }
  }
  if (pos >= text.size())
    return error(brace, fmt::format("unterminated option list of pass '{}'; "
                                    "expected '}}'",
                                    name));
  ++pos; // '}'
  return true;
}

bool PipelineParser::parseOption(PipelineElement &element) {
  const PassInfo &info = *element.info;
  size_t keyStart = pos;
  while (pos < text.size() && isNameChar(text[pos]))
    ++pos;
  std::string key = text.substr(keyStart, pos - keyStart);
  if (key.empty())
    return error(keyStart, "expected an option name");
  const PassOptionInfo *option = info.findOption(key);
  if (!option) {
    if (info.options.empty())
      return error(keyStart,
                   fmt::format("pass '{}' takes no options", info.name));
    std::string names;
    for (const PassOptionInfo &o : info.options)
      names += (names.empty() ? "" : ", ") + o.name;
    return error(
        keyStart,
        fmt::format("pass '{}' has no option '{}'; its options are: {}",
                    info.name, key, names));
  }
  if (std::find(element.givenOptions.begin(), element.givenOptions.end(),
                key) != element.givenOptions.end())
    return error(keyStart, fmt::format("option '{}' is given twice", key));
  skipSpaces();
  std::string_view valueText;
  size_t valueStart = pos;
  if (pos < text.size() && text[pos] == '=') {
    ++pos;
    skipSpaces();
    valueStart = pos;
    if (pos < text.size() && (text[pos] == '[' || text[pos] == '"')) {
      // A list ends at its matching ']' and a string at its closing quote;
      // brackets and escaped quotes inside quoted strings do not count.
      char close = text[pos] == '[' ? ']' : '"';
      size_t end = std::string_view::npos;
      if (close == '"') {
        end = skipQuoted(text, pos);
      } else {
        int depth = 0;
        for (size_t i = pos; i < text.size(); ++i) {
          if (text[i] == '"') {
            i = skipQuoted(text, i);
            if (i == std::string_view::npos)
              break;
            --i;
          } else if (text[i] == '[') {
            ++depth;
          } else if (text[i] == ']' && --depth == 0) {
            end = i + 1;
            break;
          }
        }
      }
      if (end == std::string_view::npos)
        return error(valueStart,
                     fmt::format("expected '{}' to end the value", close));
      pos = end;
    } else {
      while (pos < text.size() && text[pos] != ',' && text[pos] != '}' &&
             text[pos] != ' ')
        ++pos;
    }
    valueText = std::string_view(text).substr(valueStart, pos - valueStart);
    if (valueText.empty())
      return error(valueStart,
                   fmt::format("expected a value for option '{}'", key));
  } else if (option->type != OptionType::Bool) {
    return error(pos, fmt::format("expected '=' and a value after option "
                                  "'{}'",
                                  key));
  }
  OptionValue value;
  std::string message;
  if (!parseOptionValue(*option, valueText, value, message))
    return error(valueStart,
                 fmt::format("invalid value '{}' for option '{}' of pass "
                             "'{}': {}",
                             valueText, key, info.name, message));
  element.options.set(key, std::move(value));
  element.givenOptions.push_back(key);
  return true;
}

LogicalResult mav::parsePassPipeline(std::string_view pipeline,
                                     const PassRegistry &registry,
                                     std::vector<PipelineElement> &elements,
                                     DiagnosticEngine &diags) {
  return PipelineParser(pipeline, registry, diags).parse(elements);
}

//===----------------------------------------------------------------------===//
// Listings
//===----------------------------------------------------------------------===//

static std::string flagSyntax(const PassInfo &info) {
  if (info.mainOption.empty())
    return "--" + info.name;
  return fmt::format("--{}[=<{}>]", info.name, info.mainOption);
}

std::string mav::printPassListText(const PassRegistry &registry) {
  std::string out = "Passes (run in the order given; see docs/Passes.md):\n";
  for (const PassInfo *info : registry.getPasses(false)) {
    out += fmt::format("  {}\n      {}\n", flagSyntax(*info), info->summary);
    for (const PassOptionInfo &option : info->options)
      out += fmt::format("      {}{}=<{}> (default: {}): {}\n",
                         option.name == info->mainOption ? "*" : " ",
                         option.name, describeOptionType(option),
                         option.defaultValue.empty() ? "\"\""
                                                     : option.defaultValue,
                         option.help);
  }
  return out;
}

/// A `|` inside a markdown table cell must be escaped.
static std::string escapeTableCell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += '\\';
    out += c;
  }
  return out;
}

std::string mav::printPassListMarkdown(const PassRegistry &registry) {
  std::string out =
      "# Passes\n\n"
      "<!-- Generated by `mav-opt --list-passes=markdown`; do not edit. "
      "A test checks that this file is current. -->\n\n"
      "Every pass can be run with its flag (`mav-opt --NAME`, or "
      "`--NAME=VALUE` to set the option marked *main*) or in a pipeline "
      "(`mav-opt --pass-pipeline='NAME{option=value,...}'`). Passes run in "
      "the order given.\n";
  for (const PassInfo *info : registry.getPasses(false)) {
    out += fmt::format("\n## `{}`\n\n{}\n", info->name, info->summary);
    if (!info->description.empty())
      out += fmt::format("\n{}\n", info->description);
    out += fmt::format("\nFlag: `{}`\n", flagSyntax(*info));
    if (!info->options.empty()) {
      out += "\n| option | type | default | description |\n"
             "|---|---|---|---|\n";
      for (const PassOptionInfo &option : info->options)
        out += fmt::format("| `{}`{} | {} | `{}` | {} |\n", option.name,
                           option.name == info->mainOption ? " (main)" : "",
                           escapeTableCell(describeOptionType(option)),
                           option.defaultValue, option.help);
    }
    if (!info->statistics.empty()) {
      out += "\n| statistic | description |\n|---|---|\n";
      for (const PassStatisticInfo &stat : info->statistics)
        out += fmt::format("| `{}` | {} |\n", stat.name, stat.description);
    }
  }
  return out;
}
