//===- AnalysisManager.h - Cached analyses of a graph -----------*- C++ -*-===//
//
// Analyses (levels, users, cost totals...) are not passes: several passes may
// need the same one, so it is computed once on first request and cached until
// a pass that does not preserve it runs. An analysis is any class with a
// constructor taking `const Graph &`.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_PASS_ANALYSISMANAGER_H
#define MAV_PASS_ANALYSISMANAGER_H

#include "mav/IR/Graph.h"

#include <map>
#include <memory>
#include <set>

namespace mav {

/// A unique key per analysis type, without RTTI.
template <typename T> struct AnalysisID {
  static const void *get() {
    static const char id = 0;
    return &id;
  }
};

class PreservedAnalyses {
public:
  static PreservedAnalyses all() {
    PreservedAnalyses p;
    p.preservesAll = true;
    return p;
  }
  static PreservedAnalyses none() { return PreservedAnalyses(); }
  template <typename T> PreservedAnalyses &preserve() {
    ids.insert(AnalysisID<T>::get());
    return *this;
  }
  bool isPreserved(const void *id) const {
    return preservesAll || ids.count(id);
  }

private:
  bool preservesAll = false;
  std::set<const void *> ids;
};

class AnalysisManager {
public:
  explicit AnalysisManager(const Graph &graph) : graph(graph) {}

  /// The cached analysis, computed now if it is not cached.
  template <typename T> const T &getAnalysis() {
    const void *id = AnalysisID<T>::get();
    auto it = cache.find(id);
    if (it == cache.end())
      it = cache.emplace(id, std::make_unique<Model<T>>(graph)).first;
    return static_cast<Model<T> *>(it->second.get())->value;
  }
  template <typename T> bool isCached() const {
    return cache.count(AnalysisID<T>::get());
  }
  /// Drops every cached analysis that `preserved` does not keep.
  void invalidate(const PreservedAnalyses &preserved);

private:
  struct Concept {
    virtual ~Concept() = default;
  };
  template <typename T> struct Model : Concept {
    explicit Model(const Graph &graph) : value(graph) {}
    T value;
  };

  const Graph &graph;
  std::map<const void *, std::unique_ptr<Concept>> cache;
};

} // namespace mav

#endif // MAV_PASS_ANALYSISMANAGER_H
