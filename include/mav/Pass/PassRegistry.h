//===- PassRegistry.h - Registered passes and pipelines ---------*- C++ -*-===//
//
// The registry is the single source of truth about passes: `mav-opt` flags,
// the `--pass-pipeline` parser, `--list-passes`, `--help` and docs/Passes.md
// are all generated from its entries. An entry carries the pass name, a
// summary, typed options (default, help, allowed values), the option a
// `--name=value` flag sets, the statistics the pass reports, and a factory.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_PASS_PASSREGISTRY_H
#define MAV_PASS_PASSREGISTRY_H

#include "mav/Pass/Pass.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mav {

struct PassOptionInfo {
  std::string name;
  OptionType type = OptionType::String;
  /// Default in pipeline syntax (`0.01`, `down`, `[1,3]`).
  std::string defaultValue;
  std::string help;
  /// For OptionType::Enum: the accepted values.
  std::vector<std::string> allowedValues;
};

struct PassStatisticInfo {
  std::string name;
  std::string description;
};

struct PassInfo {
  std::string name;
  std::string summary;
  /// Longer text for docs/Passes.md (may be empty).
  std::string description;
  std::vector<PassOptionInfo> options;
  /// The option that `--NAME=VALUE` sets; empty if the flag takes no value.
  std::string mainOption;
  std::vector<PassStatisticInfo> statistics;
  /// Test-only passes are usable but left out of listings and docs.
  bool isTestPass = false;
  std::function<std::unique_ptr<Pass>(const PassOptions &)> factory;

  const PassOptionInfo *findOption(std::string_view optionName) const;
};

class PassRegistry {
public:
  /// Adds a pass; registering a name twice is a programming error.
  void registerPass(PassInfo info);
  const PassInfo *lookup(std::string_view name) const;
  /// Registered passes sorted by name.
  std::vector<const PassInfo *> getPasses(bool includeTestPasses) const;

private:
  std::map<std::string, PassInfo, std::less<>> passes;
};

/// Parses and validates one option value given in pipeline syntax; on error
/// returns false and sets `message`.
bool parseOptionValue(const PassOptionInfo &option, std::string_view text,
                      OptionValue &value, std::string &message);
/// Prints an option value in pipeline syntax.
std::string formatOptionValue(const OptionValue &value);
/// "one of: a, b, c" for messages and help.
std::string describeAllowedValues(const PassOptionInfo &option);
/// Name of an option type for help text ("float", "down|right|up|left").
std::string describeOptionType(const PassOptionInfo &option);

/// One pass of a pipeline: which pass, with which options.
struct PipelineElement {
  const PassInfo *info = nullptr;
  PassOptions options;
  /// The options given explicitly, in the order given (for printing).
  std::vector<std::string> givenOptions;

  /// `merge{threshold=0.01}`: the pass with the options that were given.
  std::string str() const;
};

/// Fills `element.options` with the defaults of `info`.
void setDefaultOptions(const PassInfo &info, PipelineElement &element);

/// Parses a pipeline string such as `cost,merge{threshold=0.01},layout`.
/// Errors point into the string (`<pass-pipeline>:1:7: error: ...`) and list
/// the valid passes or options.
LogicalResult parsePassPipeline(std::string_view pipeline,
                                const PassRegistry &registry,
                                std::vector<PipelineElement> &elements,
                                DiagnosticEngine &diags);

/// Renders the registry as markdown (docs/Passes.md) or as the text of
/// `--list-passes`.
std::string printPassListMarkdown(const PassRegistry &registry);
std::string printPassListText(const PassRegistry &registry);

} // namespace mav

#endif // MAV_PASS_PASSREGISTRY_H
