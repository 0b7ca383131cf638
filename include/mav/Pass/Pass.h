//===- Pass.h - The pass interface, options and statistics ------*- C++ -*-===//
//
// A pass transforms one Graph in place. It is created by its registry entry
// (PassRegistry.h) from typed, validated options, reports problems through
// the DiagnosticEngine and returns failure instead of exiting, counts what it
// did in named statistics, and says which cached analyses it preserved.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_PASS_PASS_H
#define MAV_PASS_PASS_H

#include "mav/IR/Graph.h"
#include "mav/Pass/AnalysisManager.h"
#include "mav/Support/Diagnostics.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mav {

enum class OptionType { Int, Float, Bool, String, Enum, IntList, StringList };

/// The value of one pass option after parsing and validation.
using OptionValue =
    std::variant<int64_t, double, bool, std::string, std::vector<int64_t>,
                 std::vector<std::string>>;

/// Option values of one pass instance; every declared option is present
/// (defaults filled in), so getters never fail for declared names.
class PassOptions {
public:
  int64_t getInt(std::string_view name) const;
  double getFloat(std::string_view name) const;
  bool getBool(std::string_view name) const;
  /// String and enum options.
  const std::string &getString(std::string_view name) const;
  const std::vector<int64_t> &getIntList(std::string_view name) const;
  const std::vector<std::string> &getStringList(std::string_view name) const;

  void set(std::string name, OptionValue value);
  const std::map<std::string, OptionValue, std::less<>> &getValues() const {
    return values;
  }

private:
  const OptionValue &get(std::string_view name) const;
  std::map<std::string, OptionValue, std::less<>> values;
};

/// Counters a pass run fills in: the declared statistics start at 0, and a
/// pass may add counters with names only known at run time (e.g. one per
/// operation it could not cost). Kept in a sorted map so reports are
/// deterministic.
class PassStatistics {
public:
  void add(std::string_view name, int64_t delta = 1);
  void set(std::string_view name, int64_t value);
  int64_t get(std::string_view name) const;
  const std::map<std::string, int64_t, std::less<>> &getCounters() const {
    return counters;
  }

private:
  std::map<std::string, int64_t, std::less<>> counters;
};

/// What a running pass can use besides the graph.
struct PassContext {
  DiagnosticEngine &diags;
  PassStatistics &statistics;
  AnalysisManager &analyses;
  /// What the pass leaves valid; by default nothing is preserved.
  PreservedAnalyses preserved = PreservedAnalyses::none();
};

class Pass {
public:
  virtual ~Pass();
  /// Transforms `graph`; on failure a diagnostic has been reported.
  virtual LogicalResult run(Graph &graph, PassContext &context) = 0;
};

} // namespace mav

#endif // MAV_PASS_PASS_H
