//===- Pass.cpp - The pass interface, options and statistics --------------===//

#include "mav/Pass/Pass.h"

#include <cassert>

using namespace mav;

Pass::~Pass() = default;

const OptionValue &PassOptions::get(std::string_view name) const {
  auto it = values.find(name);
  assert(it != values.end() && "option not declared by the pass");
  return it->second;
}

int64_t PassOptions::getInt(std::string_view name) const {
  return std::get<int64_t>(get(name));
}
double PassOptions::getFloat(std::string_view name) const {
  return std::get<double>(get(name));
}
bool PassOptions::getBool(std::string_view name) const {
  return std::get<bool>(get(name));
}
const std::string &PassOptions::getString(std::string_view name) const {
  return std::get<std::string>(get(name));
}
const std::vector<int64_t> &
PassOptions::getIntList(std::string_view name) const {
  return std::get<std::vector<int64_t>>(get(name));
}
const std::vector<std::string> &
PassOptions::getStringList(std::string_view name) const {
  return std::get<std::vector<std::string>>(get(name));
}
void PassOptions::set(std::string name, OptionValue value) {
  values[std::move(name)] = std::move(value);
}

void PassStatistics::add(std::string_view name, int64_t delta) {
  auto it = counters.find(name);
  if (it == counters.end())
    counters.emplace(std::string(name), delta);
  else
    it->second += delta;
}

void PassStatistics::set(std::string_view name, int64_t value) {
  auto it = counters.find(name);
  if (it == counters.end())
    counters.emplace(std::string(name), value);
  else
    it->second = value;
}

int64_t PassStatistics::get(std::string_view name) const {
  auto it = counters.find(name);
  return it == counters.end() ? 0 : it->second;
}

void AnalysisManager::invalidate(const PreservedAnalyses &preserved) {
  for (auto it = cache.begin(); it != cache.end();) {
    if (preserved.isPreserved(it->first))
      ++it;
    else
      it = cache.erase(it);
  }
}
