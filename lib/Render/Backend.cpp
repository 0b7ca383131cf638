//===- Backend.cpp - The backend registry ---------------------------------===//
//
// Keeps the registered output formats sorted by name, so that
// `mav-render --help` and `--list-backends` print them in a stable order.
//
//===----------------------------------------------------------------------===//

#include "mav/Render/Backend.h"

#include <cassert>

#include <fmt/format.h>

using namespace mav;

Backend::~Backend() = default;

const PassOptionInfo *
BackendInfo::findOption(std::string_view optionName) const {
  for (const PassOptionInfo &option : options)
    if (option.name == optionName)
      return &option;
  return nullptr;
}

void BackendRegistry::registerBackend(BackendInfo info) {
  assert(!backends.count(info.name) && "backend registered twice");
  std::string name = info.name;
  backends.emplace(std::move(name), std::move(info));
}

const BackendInfo *BackendRegistry::lookup(std::string_view name) const {
  auto it = backends.find(name);
  return it == backends.end() ? nullptr : &it->second;
}

std::vector<const BackendInfo *> BackendRegistry::getBackends() const {
  std::vector<const BackendInfo *> result;
  for (const auto &entry : backends) // std::map: sorted by name
    result.push_back(&entry.second);
  return result;
}

void mav::setDefaultBackendOptions(const BackendInfo &info,
                                   PassOptions &options) {
  for (const PassOptionInfo &option : info.options) {
    OptionValue value;
    std::string message;
    bool parsed = parseOptionValue(option, option.defaultValue, value, message);
    assert(parsed && "invalid default value of a backend option");
    (void)parsed;
    options.set(option.name, std::move(value));
  }
}

std::string mav::printBackendListText(const BackendRegistry &registry) {
  std::string out = "Backends (choose one):\n";
  for (const BackendInfo *info : registry.getBackends()) {
    out += fmt::format("  --{}\n      {}\n", info->name, info->summary);
    for (const PassOptionInfo &option : info->options) {
      std::string flag = option.type == OptionType::Bool
                             ? "--" + option.name
                             : fmt::format("--{}=<{}>", option.name,
                                           describeOptionType(option));
      std::string defaultText = option.type == OptionType::Bool
                                    ? ""
                                    : " (default: " + option.defaultValue + ")";
      if (option.type == OptionType::Enum) {
        flag = fmt::format("--{}=<name>", option.name);
        defaultText += "; one of: " + describeAllowedValues(option);
      }
      out += fmt::format("      {}  {}{}\n", flag, option.help, defaultText);
    }
  }
  return out;
}

void mav::registerAllBackends(BackendRegistry &registry) {
  registerPlotlyJsonBackend(registry);
  registerWidgetBackend(registry);
  registerHtmlBackend(registry);
  registerSvgBackend(registry);
}
