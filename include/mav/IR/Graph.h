//===- Graph.h - The model graph: nodes, values, locations ------*- C++ -*-===//
//
// A Graph is one model: a name, graph attributes, and nodes in topological
// order. A node is one module, function or method call (or an `input` or
// `output` of the network). It defines results, referenced by other nodes as
// SSA values (`%name` or `%name#i`); the operands are the graph's edges.
//
// The representation is flat: nodes live in one vector and refer to each
// other by index. Passes add attributes to nodes; they never need pointers.
// A graph's types and attribute values belong to the IRContext it was
// created with, which must outlive it.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_IR_GRAPH_H
#define MAV_IR_GRAPH_H

#include "mav/IR/Attribute.h"
#include "mav/IR/Type.h"
#include "mav/Support/Diagnostics.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mav {

/// Operation names with a meaning to the IR itself.
inline constexpr std::string_view kInputOp = "input";
inline constexpr std::string_view kOutputOp = "output";

/// One result of one node: an edge's source.
struct ValueRef {
  uint32_t node = 0;
  uint32_t result = 0;
  bool operator==(const ValueRef &o) const {
    return node == o.node && result == o.result;
  }
};

/// Where a node came from in the model: a Python source file and line, or a
/// model file. Printed as `loc("file":line:col)`; line and col are optional.
struct Location {
  std::string file;
  uint32_t line = 0;   // 0: no line
  uint32_t column = 0; // 0: no column
  bool isKnown() const { return !file.empty(); }
  bool operator==(const Location &o) const {
    return file == o.file && line == o.line && column == o.column;
  }
};

/// Sentinel for a node that was not parsed from a source buffer.
inline constexpr size_t kNoSourceOffset = static_cast<size_t>(-1);

struct Node {
  /// Unique within the graph; also the SSA name of its results.
  std::string name;
  /// IDLMAV's operation string: `nn.Conv2d`, `add()`, `.view()`, `input`...
  std::string op;
  std::vector<ValueRef> operands;
  std::vector<Type> resultTypes;
  DictAttr attrs;
  Location loc;
  /// Byte offset of the node's definition in the parsed buffer, for
  /// diagnostics; kNoSourceOffset for nodes created in memory.
  size_t sourceOffset = kNoSourceOffset;

  bool isInput() const { return op == kInputOp; }
  bool isOutput() const { return op == kOutputOp; }
};

class Graph {
public:
  explicit Graph(IRContext &context, std::string name = {})
      : context(&context), name(std::move(name)) {}

  /// The context that owns the graph's types and attribute values.
  IRContext &getContext() const { return *context; }

  const std::string &getName() const { return name; }
  void setName(std::string newName) { name = std::move(newName); }

  DictAttr &getAttrs() { return attrs; }
  const DictAttr &getAttrs() const { return attrs; }

  size_t size() const { return nodes.size(); }
  Node &getNode(uint32_t index) { return nodes[index]; }
  const Node &getNode(uint32_t index) const { return nodes[index]; }
  std::vector<Node> &getNodes() { return nodes; }
  const std::vector<Node> &getNodes() const { return nodes; }

  /// Appends a node and returns its index. Operands must refer to nodes
  /// already in the graph (topological order); the verifier checks it.
  uint32_t addNode(Node node);
  /// Makes room for `numNodes` nodes in all.
  void reserve(size_t numNodes) { nodes.reserve(numNodes); }

  /// Index of the (first) node called `nodeName`, if any.
  std::optional<uint32_t> lookup(std::string_view nodeName) const;
  /// Must be called after renaming or removing nodes.
  void invalidateNameIndex() const;

  /// The buffer the graph was parsed from, kept so that diagnostics about
  /// nodes (e.g. from the verifier after a pass) can point at their line.
  const std::shared_ptr<const SourceBuffer> &getSource() const {
    return source;
  }
  void setSource(std::shared_ptr<const SourceBuffer> buffer) {
    source = std::move(buffer);
  }
  /// Source position of a node, unknown if it was created in memory.
  SourceLoc getSourceLoc(uint32_t nodeIndex) const;
  SourceLoc getSourceLoc() const;

  /// Position of the graph header in the source, if parsed.
  size_t sourceOffset = kNoSourceOffset;

private:
  IRContext *context;
  std::string name;
  DictAttr attrs;
  std::vector<Node> nodes;
  std::shared_ptr<const SourceBuffer> source;
  /// Name index, extended on lookup as nodes are added. The first node
  /// with a name wins. Keys are the names uniqued in the context, so that
  /// they stay valid when the node vector grows and a lookup allocates
  /// nothing.
  mutable std::unordered_map<std::string_view, uint32_t> nameIndex;
  mutable size_t indexedNodes = 0;
  /// Indexes the nodes added since the last call.
  void updateNameIndex() const;
};

/// For every node, the nodes that use one of its results, in graph order
/// (compressed sparse rows: users of node i are
/// `targets[offsets[i] .. offsets[i+1])`, one entry per using node).
struct UserLists {
  std::vector<uint32_t> offsets;
  std::vector<uint32_t> targets;

  static UserLists compute(const Graph &graph);
  size_t count(uint32_t node) const {
    return offsets[node + 1] - offsets[node];
  }
  const uint32_t *begin(uint32_t node) const {
    return targets.data() + offsets[node];
  }
  const uint32_t *end(uint32_t node) const {
    return targets.data() + offsets[node + 1];
  }
};

} // namespace mav

#endif // MAV_IR_GRAPH_H
