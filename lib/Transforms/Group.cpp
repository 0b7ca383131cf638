//===- Group.cpp - The module hierarchy as groups, repeated blocks folded -===//
//
// Builds the module tree from each node's `module` path and `class` list. A
// group is a module with more than one node under it: a leaf-module node
// (`nn.Conv2d` at `layer1.0.conv1`) is under the modules above its path, a
// function or method node (`add()` at `layer1.0`) is also under the module
// its path names. Each group records its nodes (each node's `group` names
// its innermost one), its parameter, MAC and FLOP totals, and the nodes that
// feed it and that it feeds.
//
// Runs of consecutive sibling groups with the same structure fold into one:
// the same class, the same node sequence (operation, module path below the
// group, parameter and result types, and operands by position inside the
// group), and each instance's nodes contiguous and right after the last
// one's. The first instance records the count and the instances; the
// others name the first.
//
// Finally every group gets its initial state, expanded or collapsed: groups
// at a depth below `depth` start expanded. `depth=auto` picks the deepest
// depth whose visible graph (top-level nodes outside collapsed groups, one
// item per collapsed group, folded instances hidden behind the first) has
// at most `max-items` items.
//
// Everything is one pass over the nodes and their operands times the depth
// of the module tree, and a sort of each group's children: linear in the
// graph for a bounded depth (utils/bench-group.sh measures it to 100k nodes;
// docs/Layout.md describes the pass).
//
//===----------------------------------------------------------------------===//

#include "mav/IR/ModelAttributes.h"
#include "mav/Pass/PassRegistry.h"
#include "mav/Support/Debug.h"
#include "mav/Transforms/Passes.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#define DEBUG_TYPE "group"

using namespace mav;

namespace {

constexpr uint32_t kNoGroup = UINT32_MAX;

struct Group {
  std::string path;
  std::string className;
  uint32_t depth = 0; ///< Components in `path`.
  uint32_t parent = kNoGroup;
  std::vector<uint32_t> children;
  std::vector<uint32_t> nodes; ///< Every node under it, in graph order.
  int64_t params = 0, macs = 0, flops = 0;
  std::vector<uint32_t> inputs, outputs; ///< Node indices, sorted.
  uint32_t foldCount = 0;                ///< On a run's first instance.
  uint32_t foldOf = kNoGroup;            ///< On the run's other instances.
  std::vector<uint32_t> foldInstances;
  bool expanded = false;
};

struct GroupPass : Pass {
  explicit GroupPass(const PassOptions &options)
      : depth(options.getString("depth")),
        minRepeat(options.getInt("min-repeat")), fold(options.getBool("fold")),
        maxItems(options.getInt("max-items")) {}

  LogicalResult run(Graph &graph, PassContext &context) override;

  std::string depth;
  int64_t minRepeat;
  bool fold;
  int64_t maxItems;
};

bool isCallNode(std::string_view op) {
  return op.size() >= 2 && op.substr(op.size() - 2) == "()";
}

/// The module paths a node is under, outermost first: the strict prefixes
/// of its `module` at component boundaries, and `module` itself for a
/// function or method call made in that module's forward.
std::vector<std::string_view> getEnclosingPaths(const Node &node) {
  std::vector<std::string_view> paths;
  if (node.isInput() || node.isOutput())
    return paths;
  std::string_view module = node.attrs.getString(attrs::kModule);
  if (module.empty())
    return paths;
  for (size_t dot = module.find('.'); dot != std::string_view::npos;
       dot = module.find('.', dot + 1))
    paths.push_back(module.substr(0, dot));
  if (isCallNode(node.op))
    paths.push_back(module);
  return paths;
}

int64_t addSaturating(int64_t a, int64_t b) {
  int64_t sum;
  return __builtin_add_overflow(a, b, &sum) ? INT64_MAX : sum;
}

/// Whether contiguous groups `a` and `b` have the same structure: class,
/// and node by node the operation, the module path below the group,
/// parameter and result types, and operands (inside the group by position,
/// outside it by whether they are).
bool haveSameStructure(const Graph &graph, const Group &a, const Group &b) {
  if (a.className != b.className || a.nodes.size() != b.nodes.size())
    return false;
  auto inside = [](const Group &g, uint32_t node) {
    return node >= g.nodes.front() && node <= g.nodes.back();
  };
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const Node &x = graph.getNode(a.nodes[i]);
    const Node &y = graph.getNode(b.nodes[i]);
    if (x.op != y.op || x.resultTypes != y.resultTypes ||
        x.operands.size() != y.operands.size())
      return false;
    std::string_view xModule = x.attrs.getString(attrs::kModule);
    std::string_view yModule = y.attrs.getString(attrs::kModule);
    if (xModule.substr(a.path.size()) != yModule.substr(b.path.size()))
      return false;
    const Attribute *xParams = x.attrs.get(attrs::kParams);
    const Attribute *yParams = y.attrs.get(attrs::kParams);
    if ((xParams == nullptr) != (yParams == nullptr))
      return false;
    if (xParams) {
      // Same shapes, different names (`layers.0.fc.weight`, `layers.1...`).
      const DictAttr &xDict = xParams->getDict(), &yDict = yParams->getDict();
      if (xDict.size() != yDict.size())
        return false;
      for (auto xi = xDict.begin(), yi = yDict.begin(); xi != xDict.end();
           ++xi, ++yi)
        if (xi->value != yi->value)
          return false;
    }
    for (size_t k = 0; k < x.operands.size(); ++k) {
      const ValueRef &xo = x.operands[k], &yo = y.operands[k];
      bool xIn = inside(a, xo.node), yIn = inside(b, yo.node);
      if (xIn != yIn || xo.result != yo.result)
        return false;
      // Both groups are contiguous: a node's position is its offset.
      if (xIn && xo.node - a.nodes.front() != yo.node - b.nodes.front())
        return false;
    }
  }
  return true;
}

/// Whether a group's nodes are contiguous in graph order.
bool isContiguous(const Group &g) {
  return g.nodes.back() - g.nodes.front() + 1 == g.nodes.size();
}

Attribute makeNameList(IRContext &ctx, const Graph &graph,
                       const std::vector<uint32_t> &indices) {
  std::vector<std::string> names;
  names.reserve(indices.size());
  for (uint32_t index : indices)
    names.push_back(graph.getNode(index).name);
  return Attribute::stringList(ctx, names);
}

LogicalResult GroupPass::run(Graph &graph, PassContext &context) {
  const uint32_t numNodes = static_cast<uint32_t>(graph.size());
  IRContext &ctx = graph.getContext();
  if (depth != "auto" &&
      (depth.empty() || depth.size() > 6 ||
       depth.find_first_not_of("0123456789") != std::string::npos)) {
    context.diags.error(SourceLoc(),
                        fmt::format("group: depth must be a non-negative "
                                    "integer or 'auto', not '{}'",
                                    depth));
    return failure();
  }
  if (maxItems < 1) {
    context.diags.error(SourceLoc(), "group: max-items must be at least 1");
    return failure();
  }

  // The module tree: one group per path that any node is under, in the
  // order their first nodes come. `chain[i]` is node i's groups, outermost
  // first.
  std::vector<Group> groups;
  std::map<std::string_view, uint32_t> byPath;
  std::vector<std::vector<uint32_t>> chain(numNodes);
  for (uint32_t i = 0; i < numNodes; ++i) {
    Node &node = graph.getNode(i);
    node.attrs.erase(attrs::kGroup); // from an earlier run
    std::vector<std::string_view> paths = getEnclosingPaths(node);
    const Attribute *classes = node.attrs.get(attrs::kClass);
    uint32_t parent = kNoGroup;
    for (size_t d = 0; d < paths.size(); ++d) {
      // The paths view the context's uniqued `module` strings: they live
      // as long as the graph.
      auto [it, inserted] =
          byPath.try_emplace(paths[d], static_cast<uint32_t>(groups.size()));
      if (inserted) {
        Group group;
        group.path = std::string(paths[d]);
        group.depth = static_cast<uint32_t>(d + 1);
        group.parent = parent;
        // `class` lists the classes from the root down: the group at depth
        // d is the (d+1)-th.
        if (classes && classes->isList() && classes->getList().size() > d + 1 &&
            classes->getList()[d + 1].isString())
          group.className = std::string(classes->getList()[d + 1].getString());
        if (parent != kNoGroup)
          groups[parent].children.push_back(it->second);
        groups.push_back(std::move(group));
      }
      parent = it->second;
      chain[i].push_back(parent);
      groups[parent].nodes.push_back(i);
    }
  }

  // A group is a module with more than one node under it: drop the others
  // (a module called once as a leaf, or whose forward made one call), and
  // renumber, keeping the parent of a dropped group's children.
  std::vector<uint32_t> newIndex(groups.size(), kNoGroup);
  std::vector<Group> kept;
  for (uint32_t g = 0; g < groups.size(); ++g) {
    if (groups[g].nodes.size() < 2)
      continue;
    newIndex[g] = static_cast<uint32_t>(kept.size());
    kept.push_back(std::move(groups[g]));
  }
  for (Group &group : kept) {
    uint32_t parent = group.parent;
    // A dropped group has one node, so its descendants do too: a kept
    // group's parent is always kept.
    group.parent = parent == kNoGroup ? kNoGroup : newIndex[parent];
    std::vector<uint32_t> children;
    for (uint32_t child : group.children)
      if (newIndex[child] != kNoGroup)
        children.push_back(newIndex[child]);
    group.children = std::move(children);
  }
  groups = std::move(kept);
  for (std::vector<uint32_t> &groupsOfNode : chain) {
    std::vector<uint32_t> renumbered;
    for (uint32_t g : groupsOfNode)
      if (newIndex[g] != kNoGroup)
        renumbered.push_back(newIndex[g]);
    groupsOfNode = std::move(renumbered);
  }

  // Totals, and the edges that cross each group's boundary: for an edge
  // p -> c, the groups c is in and p is not get p as an input; those p is
  // in and c is not get p as an output.
  for (uint32_t i = 0; i < numNodes; ++i) {
    const Node &node = graph.getNode(i);
    int64_t params = attrs::getParamCount(node);
    int64_t macs = node.attrs.getInt(attrs::kCostMacs);
    int64_t flops = attrs::getFlops(node);
    for (uint32_t g : chain[i]) {
      groups[g].params = addSaturating(groups[g].params, params);
      groups[g].macs = addSaturating(groups[g].macs, macs);
      groups[g].flops = addSaturating(groups[g].flops, flops);
    }
    for (const ValueRef &operand : node.operands) {
      const std::vector<uint32_t> &from = chain[operand.node];
      const std::vector<uint32_t> &to = chain[i];
      size_t common = 0;
      while (common < from.size() && common < to.size() &&
             from[common] == to[common])
        ++common;
      for (size_t d = common; d < to.size(); ++d)
        groups[to[d]].inputs.push_back(operand.node);
      for (size_t d = common; d < from.size(); ++d)
        groups[from[d]].outputs.push_back(operand.node);
    }
  }
  for (Group &group : groups)
    for (std::vector<uint32_t> *list : {&group.inputs, &group.outputs}) {
      std::sort(list->begin(), list->end());
      list->erase(std::unique(list->begin(), list->end()), list->end());
    }

  // Folding: runs of siblings (top-level groups are siblings too) with the
  // same structure, each contiguous and right after the previous one.
  int64_t folds = 0, foldedAway = 0;
  if (fold) {
    std::vector<uint32_t> topLevel;
    for (uint32_t g = 0; g < groups.size(); ++g)
      if (groups[g].parent == kNoGroup)
        topLevel.push_back(g);
    auto foldSiblings = [&](const std::vector<uint32_t> &siblings) {
      for (size_t start = 0; start < siblings.size();) {
        const Group &first = groups[siblings[start]];
        size_t end = start + 1;
        if (isContiguous(first))
          while (end < siblings.size()) {
            const Group &next = groups[siblings[end]];
            const Group &prev = groups[siblings[end - 1]];
            if (!isContiguous(next) ||
                next.nodes.front() != prev.nodes.back() + 1 ||
                !haveSameStructure(graph, first, next))
              break;
            ++end;
          }
        if (end - start >=
            static_cast<size_t>(std::max<int64_t>(2, minRepeat))) {
          Group &head = groups[siblings[start]];
          head.foldCount = static_cast<uint32_t>(end - start);
          for (size_t k = start; k < end; ++k) {
            head.foldInstances.push_back(siblings[k]);
            if (k > start)
              groups[siblings[k]].foldOf = siblings[start];
          }
          ++folds;
          foldedAway += static_cast<int64_t>(end - start - 1);
        }
        start = end;
      }
    };
    foldSiblings(topLevel);
    for (const Group &group : groups)
      foldSiblings(group.children);
  }

  // The initial state: groups at depth <= d expanded, deeper ones
  // collapsed. Group depths along a node's chain are 1, 2, 3... (a module
  // with one node has no descendant with two), so at depth d a node is
  // drawn on its own when its chain is at most d long, and a group is one
  // item when it is at depth d + 1. Nothing inside a fold's instances but
  // the first is drawn.
  uint32_t maxDepth = 0;
  for (const Group &group : groups)
    maxDepth = std::max(maxDepth, group.depth);
  // hidden[g]: g is, or is inside, a fold instance other than the first.
  std::vector<bool> hidden(groups.size(), false);
  for (uint32_t g = 0; g < groups.size(); ++g)
    hidden[g] = groups[g].foldOf != kNoGroup ||
                (groups[g].parent != kNoGroup && hidden[groups[g].parent]);
  auto countItems = [&](uint32_t d) {
    int64_t items = 0;
    for (uint32_t i = 0; i < numNodes; ++i) {
      const std::vector<uint32_t> &groupsOfNode = chain[i];
      if (groupsOfNode.size() <= d &&
          (groupsOfNode.empty() || !hidden[groupsOfNode.back()]))
        ++items;
    }
    for (uint32_t g = 0; g < groups.size(); ++g)
      if (groups[g].depth == d + 1 && !hidden[g])
        ++items;
    return items;
  };
  uint32_t chosen = 0;
  if (depth == "auto") {
    // The deepest depth within the limit; the top level if none is.
    for (uint32_t d = 0; d <= maxDepth; ++d)
      if (countItems(d) <= maxItems)
        chosen = d;
      else
        break;
  } else {
    chosen = static_cast<uint32_t>(std::stoul(depth));
  }
  for (Group &group : groups)
    group.expanded = group.depth <= chosen;

  // Write the results: `group` on each node in a group, and the groups in
  // order of their first node (parents before children) as a graph
  // attribute.
  for (uint32_t i = 0; i < numNodes; ++i)
    if (!chain[i].empty())
      graph.getNode(i).attrs.set(
          ctx, attrs::kGroup,
          Attribute::string(ctx, groups[chain[i].back()].path));
  ListAttr records;
  records.reserve(groups.size());
  for (const Group &group : groups) {
    DictAttr record;
    record.set(ctx, "path", Attribute::string(ctx, group.path));
    record.set(ctx, "class", Attribute::string(ctx, group.className));
    record.set(ctx, "depth", Attribute::integer(group.depth));
    if (group.parent != kNoGroup)
      record.set(ctx, "parent",
                 Attribute::string(ctx, groups[group.parent].path));
    record.set(ctx, "nodes",
               Attribute::integer(static_cast<int64_t>(group.nodes.size())));
    record.set(ctx, "params", Attribute::integer(group.params));
    record.set(ctx, "macs", Attribute::integer(group.macs));
    record.set(ctx, "flops", Attribute::integer(group.flops));
    record.set(ctx, "inputs", makeNameList(ctx, graph, group.inputs));
    record.set(ctx, "outputs", makeNameList(ctx, graph, group.outputs));
    record.set(ctx, "expanded", Attribute::boolean(group.expanded));
    if (group.foldCount) {
      record.set(ctx, "fold", Attribute::integer(group.foldCount));
      std::vector<std::string> instances;
      for (uint32_t g : group.foldInstances)
        instances.push_back(groups[g].path);
      record.set(ctx, "fold_instances", Attribute::stringList(ctx, instances));
    }
    if (group.foldOf != kNoGroup)
      record.set(ctx, "fold_of",
                 Attribute::string(ctx, groups[group.foldOf].path));
    records.push_back(Attribute::dict(ctx, record));
  }
  graph.getAttrs().set(ctx, attrs::kGroupGroups, Attribute::list(ctx, records));
  graph.getAttrs().set(ctx, attrs::kGroupDepth,
                       Attribute::integer(static_cast<int64_t>(chosen)));

  MAV_DEBUG(fmt::print(dbgs(), "[group] @{}: {} groups, {} folds, depth {}\n",
                       graph.getName(), groups.size(), folds, chosen));
  context.statistics.add("groups", static_cast<int64_t>(groups.size()));
  context.statistics.add("folds", folds);
  context.statistics.add("folded-away", foldedAway);
  // Only attributes the analyses do not read changed.
  context.preserved = PreservedAnalyses::all();
  return success();
}

} // namespace

void mav::registerGroupPass(PassRegistry &registry) {
  PassInfo info;
  info.name = "group";
  info.summary = "Group nodes by module and fold runs of identical blocks";
  info.description =
      "Builds the module tree from each node's `module` and `class`: a group "
      "is a module with more than one node under it (a function or method "
      "node is under the module that called it, a leaf-module node under "
      "the modules above it). Each node in a group gets `group`, its "
      "innermost group's path; the graph gets `group.groups`, one record per "
      "group in the order of its first node (path, class, depth, parent, "
      "node count, parameter, MAC and FLOP totals, the nodes that feed it "
      "and that it feeds, and whether it starts expanded), and "
      "`group.depth`. Runs of at least `min-repeat` consecutive sibling "
      "groups with the same structure (class, and node by node the "
      "operation, module path below the group, parameter and result types "
      "and operands) whose nodes follow each other fold: the first instance "
      "records `fold` (the count) and `fold_instances`, the others `fold_of`. "
      "Groups up to `depth` start expanded; `auto` picks the deepest depth "
      "whose visible graph has at most `max-items` items (a collapsed group "
      "or fold is one). Totals use the cost pass's results when present. "
      "See docs/Layout.md.";
  info.options = {
      {"depth",
       OptionType::String,
       "auto",
       "groups at this depth or above start expanded (0: all collapsed), or "
       "auto",
       {}},
      {"min-repeat",
       OptionType::Int,
       "2",
       "shortest run of identical sibling groups that folds",
       {}},
      {"fold", OptionType::Bool, "true", "fold runs of identical groups", {}},
      {"max-items",
       OptionType::Int,
       "60",
       "with depth=auto, the most items the first view may show",
       {}},
  };
  info.mainOption = "depth";
  info.statistics = {{"groups", "Groups (modules with more than one node)"},
                     {"folds", "Runs of identical groups folded"},
                     {"folded-away", "Groups hidden behind a fold's first"}};
  info.factory = [](const PassOptions &options) {
    return std::make_unique<GroupPass>(options);
  };
  registry.registerPass(std::move(info));
}
