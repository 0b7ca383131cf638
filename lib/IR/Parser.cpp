//===- Parser.cpp - Parse the textual IR into a Graph ---------------------===//
//
// A recursive-descent parser over the tokens of Lexer.h. Errors are collected,
// and after one the parser skips to the next line that starts a node, so a
// file with several mistakes reports them all (up to a limit) in source order.
// Uses of names that are not yet defined are resolved at the end, to tell a
// forward reference (out of topological order, perhaps a cycle) from a name
// that is not defined anywhere.
//
// Parsing is on the path of every tool, so it avoids work per token: token
// text is a view into the buffer, the name table is keyed by views into the
// buffer, and lists and shapes are collected in reused scratch vectors and
// copied once at their final size.
//
// Model IR repeats itself: every 3x3 convolution of a stage has the same
// `ops` list and `args` dictionary, spelled the same. Since attributes are
// uniqued values, the same spelling always parses to the same Attribute, so
// the parser keeps a small cache from the text of a list or dictionary to
// the value it parsed to, and skips the text on a hit (on a 10k-node model
// parsing then takes 40% fewer instructions). The cache is found by a hash of
// the next few dozen bytes, whatever they are, and an entry hits if its whole
// text comes next in the buffer: parsing depends only on the bytes it consumes,
// so where the same bytes start, the same value ends after them. Only
// values that parsed without an error are cached, with the nesting depth
// they need, so a hit behaves exactly like parsing the text again.
//
//===----------------------------------------------------------------------===//

#include "mav/IR/Parser.h"

#include "Lexer.h"
#include "mav/Support/Text.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <limits>
#include <unordered_set>

#include <fmt/format.h>

using namespace mav;
using namespace mav::detail;

namespace {

class Parser {
public:
  Parser(IRContext &context, std::shared_ptr<const SourceBuffer> buffer,
         DiagnosticEngine &diags, const ParserLimits &limits)
      : context(context), buffer(std::move(buffer)), lexer(*this->buffer),
        diags(diags), limits(limits) {}

  std::unique_ptr<Graph> parse();

private:
  //===--- Tokens and errors ----------------------------------------------===//
  void consume() {
    prevTokenEnd = tok.offset + tok.length;
    lexer.lex(tok);
  }
  bool isIdent(std::string_view word) const {
    return tok.kind == TokenKind::Identifier && tok.text == word;
  }
  SourceLoc locAt(size_t offset) const { return {buffer.get(), offset}; }

  /// Records an error; always returns false so callers can `return error()`.
  bool error(size_t offset, std::string message) {
    errors.push_back(
        makeDiagnostic(Severity::Error, locAt(offset), std::move(message)));
    return false;
  }
  /// Reports that something else was expected at the current token; a lexer
  /// error token reports its own message instead.
  bool errorExpected(std::string_view what) {
    if (tok.kind == TokenKind::Error)
      return error(tok.errorOffset, std::string(tok.text));
    // Something missing at the end of a line is reported where it is
    // missing, not at the start of the next line.
    size_t at = tok.startsLine || tok.kind == TokenKind::Eof ? prevTokenEnd
                                                             : tok.offset;
    return error(at,
                 fmt::format("expected {}, found {}", what, describeToken()));
  }
  std::string describeToken() const;
  bool expect(TokenKind kind, std::string_view what) {
    if (tok.kind != kind)
      return errorExpected(what);
    consume();
    return true;
  }
  bool tooManyErrors() const { return errors.size() > limits.maxErrors; }

  /// Enters one level of nesting; false (with an error) past the limit.
  bool enterNesting() {
    maxDepthReached = std::max(maxDepthReached, depth + 1);
    if (++depth > limits.maxNestingDepth)
      return error(tok.offset,
                   fmt::format("nesting is deeper than the limit of {} levels",
                               limits.maxNestingDepth));
    return true;
  }
  struct NestingGuard {
    Parser &p;
    ~NestingGuard() { --p.depth; }
  };

  //===--- Grammar --------------------------------------------------------===//
  bool parseGraphBody(Graph &graph);
  bool parseNode(Graph &graph);
  void skipToNextNode(size_t failedNodeStart);
  bool parseOperand(Graph &graph, std::vector<ValueRef> &operands,
                    bool &nodeIsValid);
  bool parseResultTypes(std::vector<Type> &types);
  bool parseType(Type &type);
  bool parseTensorShape(DType dtype, Type &type);
  bool parseAttribute(Attribute &attr);
  bool parseAttributeUncached(Attribute &attr);
  bool parseDict(DictAttr &dict);
  bool parseLocation(Location &loc);

  /// A view of `name` that lives as long as the parser: the token's own text
  /// when it points into the buffer, else a copy.
  std::string_view stableName(std::string_view name) {
    if (lexer.isInBuffer(name))
      return name;
    return nameStorage.emplace_back(name);
  }
  /// Scratch container for the elements of a list (or shape, or
  /// dictionary) at the current depth, emptied.
  template <typename Stack> auto &scratchAt(Stack &stack) {
    if (stack.size() <= depth)
      stack.resize(depth + 1);
    auto &v = stack[depth];
    v.clear();
    return v;
  }

  IRContext &context;
  std::shared_ptr<const SourceBuffer> buffer;
  Lexer lexer;
  DiagnosticEngine &diags;
  ParserLimits limits;
  Token tok;
  size_t prevTokenEnd = 0;
  unsigned depth = 0;
  /// The deepest nesting reached so far (for the aggregate cache).
  unsigned maxDepthReached = 0;
  std::vector<Diagnostic> errors;

  /// One entry of the cache of parsed lists and dictionaries: their text
  /// (a view into the buffer), the hash of the bytes it starts with (see
  /// kMemoKeyBytes), the value, and how many levels of nesting parsing it
  /// took.
  struct AggregateMemo {
    std::string_view text;
    size_t hash = 0;
    Attribute value;
    unsigned depth = 0;
  };
  /// How many bytes from the start of a list or dictionary the cache is
  /// keyed by: enough to tell most distinct lists of a model apart (the
  /// `ops` of two convolutions differ in the first operand shapes), few
  /// enough to hash quickly. They may run past the end of a short list.
  static constexpr size_t kMemoKeyBytes = 64;
  /// Direct-mapped by the hash; 4096 entries cover the distinct lists of
  /// the largest real models.
  static constexpr size_t kMemoSlots = 4096;
  std::vector<AggregateMemo> aggregateMemo =
      std::vector<AggregateMemo>(kMemoSlots);

  /// Names of nodes that had errors; their uses are not reported again.
  std::unordered_set<std::string_view> brokenNodes;
  /// Names that were not spelled as is in the buffer (escapes).
  std::deque<std::string> nameStorage;
  std::vector<ValueRef> operandScratch;
  std::vector<std::vector<Attribute>> listScratch;
  std::vector<std::vector<int64_t>> dimScratch;
  /// A deque: parsing a nested dictionary grows it while a shallower one
  /// is being filled, which must not move that one.
  std::deque<DictAttr> dictScratch;
  struct PendingUse {
    std::string name;
    size_t offset;
  };
  /// Uses of names not defined at the point of use.
  std::vector<PendingUse> pendingUses;
};

} // namespace

std::string Parser::describeToken() const {
  switch (tok.kind) {
  case TokenKind::Identifier:
    return fmt::format("'{}{}'", tok.text.substr(0, 40),
                       tok.text.size() > 40 ? "..." : "");
  case TokenKind::ValueId:
  case TokenKind::GraphId:
  case TokenKind::String:
  case TokenKind::Integer:
  case TokenKind::Float: {
    std::string_view text(buffer->getText().data() + tok.offset,
                          std::min<size_t>(tok.length, 40));
    return fmt::format("{} '{}{}'", getTokenKindName(tok.kind), text,
                       tok.length > 40 ? "..." : "");
  }
  default:
    return getTokenKindName(tok.kind);
  }
}

std::unique_ptr<Graph> Parser::parse() {
  if (std::optional<size_t> bad = findInvalidUtf8(buffer->getText())) {
    unsigned char byte = static_cast<unsigned char>(buffer->getText()[*bad]);
    diags.error(locAt(*bad),
                fmt::format("input is not valid UTF-8 (byte 0x{:02X})", byte));
    return nullptr;
  }
  auto graph = std::make_unique<Graph>(context);
  graph->setSource(buffer);
  // About one node per line.
  const std::string &text = buffer->getText();
  graph->reserve(std::count(text.begin(), text.end(), '\n'));
  consume();
  if (tok.kind == TokenKind::Eof) {
    error(0, "input is empty (nothing but white space and comments); "
             "expected a graph ('graph @name { ... }')");
  } else {
    parseGraphBody(*graph);
  }

  // Resolve uses of names that were not defined at the point of use.
  for (const PendingUse &use : pendingUses) {
    if (graph->lookup(use.name) || brokenNodes.count(use.name))
      error(use.offset,
            fmt::format("use of '%{}' before its definition; nodes must be in "
                        "topological order (is there a cycle?)",
                        use.name));
    else
      error(use.offset, fmt::format("use of undefined value '%{}'", use.name));
  }

  if (errors.empty())
    return graph;
  std::stable_sort(errors.begin(), errors.end(),
                   [](const Diagnostic &a, const Diagnostic &b) {
                     return std::tie(a.line, a.column) <
                            std::tie(b.line, b.column);
                   });
  size_t shown = std::min<size_t>(errors.size(), limits.maxErrors);
  for (size_t i = 0; i < shown; ++i)
    diags.emit(std::move(errors[i]));
  if (errors.size() > shown)
    diags.emit(makeDiagnostic(
        Severity::Note, SourceLoc{},
        fmt::format("too many errors; stopped after {}", limits.maxErrors)));
  return nullptr;
}

bool Parser::parseGraphBody(Graph &graph) {
  if (!isIdent("graph"))
    return errorExpected("'graph'");
  graph.sourceOffset = tok.offset;
  consume();
  if (tok.kind != TokenKind::GraphId)
    return errorExpected("a graph name ('@name')");
  graph.setName(std::string(tok.text));
  consume();
  if (isIdent("attributes")) {
    consume();
    if (tok.kind != TokenKind::LBrace)
      return errorExpected("'{' to start the graph attributes");
    if (!parseDict(graph.getAttrs()))
      return false;
  }
  if (!expect(TokenKind::LBrace, "'{' to start the graph body"))
    return false;
  while (tok.kind != TokenKind::RBrace && tok.kind != TokenKind::Eof &&
         !tooManyErrors()) {
    size_t nodeStart = tok.offset;
    if (!parseNode(graph))
      skipToNextNode(nodeStart);
  }
  if (tooManyErrors())
    return false;
  if (tok.kind == TokenKind::Eof) {
    error(tok.offset, "unexpected end of input: expected '}' to close the "
                      "graph (is the input truncated?)");
    errors.back().attachNote(locAt(graph.sourceOffset), "graph starts here");
    return false;
  }
  consume();
  if (tok.kind != TokenKind::Eof)
    return error(tok.offset, fmt::format("expected end of file after the "
                                         "graph (a file holds one graph), "
                                         "found {}",
                                         describeToken()));
  return true;
}

void Parser::skipToNextNode(size_t failedNodeStart) {
  while (tok.kind != TokenKind::Eof) {
    if (tok.startsLine && tok.offset != failedNodeStart &&
        (tok.kind == TokenKind::ValueId || tok.kind == TokenKind::RBrace))
      return;
    consume();
  }
}

bool Parser::parseNode(Graph &graph) {
  if (tok.kind != TokenKind::ValueId)
    return errorExpected("a node ('%name = node ...') or '}'");
  Node node;
  node.name = tok.text;
  node.sourceOffset = tok.offset;
  size_t nameOffset = tok.offset;
  // Once the name is known, a failure anywhere in the node silences errors
  // about its later uses.
  std::string_view stableNodeName = stableName(tok.text);
  struct BrokenOnFailure {
    Parser &p;
    std::string_view name;
    bool ok = false;
    ~BrokenOnFailure() {
      if (!ok)
        p.brokenNodes.insert(name);
    }
  } brokenGuard{*this, stableNodeName};

  if (tok.resultIndex >= 0)
    return error(tok.offset, "a node definition names the node, not one of "
                             "its results; remove '#N'");
  consume();
  if (!expect(TokenKind::Equal, "'=' after the node name"))
    return false;
  if (!isIdent("node"))
    return errorExpected("'node'");
  consume();
  if (tok.kind != TokenKind::String)
    return errorExpected("the operation name as a string (\"nn.Conv2d\")");
  node.op = tok.text;
  consume();
  if (!expect(TokenKind::LParen, "'(' to start the operand list"))
    return false;
  bool operandsValid = true;
  // Collected in a scratch vector, then copied at their final number.
  operandScratch.clear();
  if (tok.kind != TokenKind::RParen) {
    while (true) {
      if (!parseOperand(graph, operandScratch, operandsValid))
        return false;
      if (tok.kind != TokenKind::Comma)
        break;
      consume();
    }
  }
  if (!expect(TokenKind::RParen, "',' or ')' in the operand list"))
    return false;
  node.operands.assign(operandScratch.begin(), operandScratch.end());
  if (tok.kind == TokenKind::LBrace) {
    // Collected in a scratch dictionary, then copied at its final size.
    DictAttr &attrs = scratchAt(dictScratch);
    if (!parseDict(attrs))
      return false;
    node.attrs = attrs;
  }
  if (!expect(TokenKind::Colon, "':' and the result types"))
    return false;
  if (!parseResultTypes(node.resultTypes))
    return false;
  if (isIdent("loc") && !parseLocation(node.loc))
    return false;

  // Defined names are the graph's (its name index, built as nodes are
  // added); a node with a bad operand is not added.
  if (std::optional<uint32_t> previous = graph.lookup(node.name)) {
    error(nameOffset, fmt::format("redefinition of node '%{}'", node.name));
    errors.back().attachNote(locAt(graph.getNode(*previous).sourceOffset),
                             "previous definition is here");
    return true; // the syntax was fine: no need to resynchronise
  }
  if (!operandsValid)
    return true;
  graph.addNode(std::move(node));
  brokenGuard.ok = true;
  return true;
}

bool Parser::parseOperand(Graph &graph, std::vector<ValueRef> &operands,
                          bool &nodeIsValid) {
  if (tok.kind != TokenKind::ValueId)
    return errorExpected("an operand ('%name')");
  size_t offset = tok.offset;
  std::optional<uint32_t> producerIndex = graph.lookup(tok.text);
  if (!producerIndex) {
    if (!brokenNodes.count(tok.text))
      pendingUses.push_back({std::string(tok.text), offset});
    nodeIsValid = false;
    consume();
    return true;
  }
  const Node &producer = graph.getNode(*producerIndex);
  size_t numResults = producer.resultTypes.size();
  int64_t index = tok.resultIndex;
  if (numResults == 0) {
    error(offset, fmt::format("'%{}' has no results and cannot be used",
                              producer.name));
    nodeIsValid = false;
  } else if (index < 0 && numResults > 1) {
    error(offset, fmt::format("'%{}' has {} results; use '%{}#0' to '%{}#{}'",
                              producer.name, numResults, producer.name,
                              producer.name, numResults - 1));
    nodeIsValid = false;
  } else if (index >= static_cast<int64_t>(numResults)) {
    error(offset, fmt::format("result #{} is out of range: '%{}' has {} "
                              "result{}",
                              index, producer.name, numResults,
                              numResults == 1 ? "" : "s"));
    nodeIsValid = false;
  }
  operands.push_back(ValueRef{
      *producerIndex, static_cast<uint32_t>(std::max<int64_t>(index, 0))});
  consume();
  return true;
}

bool Parser::parseResultTypes(std::vector<Type> &types) {
  if (tok.kind != TokenKind::LParen) {
    types.emplace_back();
    return parseType(types.back());
  }
  consume();
  if (tok.kind == TokenKind::RParen) {
    consume();
    return true;
  }
  while (true) {
    types.emplace_back();
    if (!parseType(types.back()))
      return false;
    if (tok.kind != TokenKind::Comma)
      break;
    consume();
  }
  return expect(TokenKind::RParen, "',' or ')' in the result types");
}

bool Parser::parseType(Type &type) {
  if (!enterNesting())
    return false;
  NestingGuard guard{*this};
  if (tok.kind == TokenKind::Question) {
    consume();
    if (tok.kind == TokenKind::LSquare)
      return parseTensorShape(DType::Unknown, type);
    type = Type::unknown();
    return true;
  }
  if (tok.kind != TokenKind::Identifier)
    return errorExpected("a type");
  // Identifiers are always views into the buffer, so `word` outlives the
  // token.
  std::string_view word = tok.text;
  size_t wordOffset = tok.offset;
  consume();
  if (word == "int" || word == "float" || word == "str" || word == "none") {
    type = Type::scalar(context, word == "int"     ? Type::Kind::Int
                                 : word == "float" ? Type::Kind::Float
                                 : word == "str"   ? Type::Kind::Str
                                                   : Type::Kind::None);
    return true;
  }
  if (word == "bool" && tok.kind != TokenKind::LSquare) {
    type = Type::scalar(context, Type::Kind::Bool);
    return true;
  }
  if (word == "tuple" || word == "list") {
    if (tok.kind != TokenKind::Less)
      return errorExpected(fmt::format("'<' after '{}'", word));
    consume();
    std::vector<Type> elements;
    if (tok.kind != TokenKind::Greater) {
      while (true) {
        elements.emplace_back();
        if (!parseType(elements.back()))
          return false;
        if (tok.kind != TokenKind::Comma)
          break;
        consume();
      }
    }
    if (!expect(TokenKind::Greater, "',' or '>'"))
      return false;
    if (word == "list") {
      if (elements.size() != 1)
        return error(wordOffset, "a list type has exactly one element type");
      type = Type::list(context, std::move(elements[0]));
    } else {
      type = Type::tuple(context, std::move(elements));
    }
    return true;
  }
  std::optional<DType> dtype = parseDTypeName(word);
  if (!dtype)
    return error(wordOffset,
                 fmt::format("unknown type '{}'; expected a tensor type like "
                             "'f32[1,3,224,224]', 'int', 'float', 'bool', "
                             "'str', 'none', 'tuple<...>', 'list<...>' or '?'",
                             word.size() > 40
                                 ? std::string(word.substr(0, 40)) + "..."
                                 : std::string(word)));
  if (tok.kind != TokenKind::LSquare)
    return errorExpected(fmt::format("'[' and the shape after '{}'", word));
  return parseTensorShape(*dtype, type);
}

bool Parser::parseTensorShape(DType dtype, Type &type) {
  // Fast path for the common spelling, digits, '?' and commas with no
  // spaces (`[1,64,56,56]`): read straight from the buffer instead of
  // lexing every number. Anything else, including every error, takes the
  // token path below.
  {
    const std::string &text = buffer->getText();
    std::vector<int64_t> &dims = scratchAt(dimScratch);
    size_t i = tok.offset + 1;
    bool ok = i < text.size();
    if (ok && text[i] == ']') {
      ++i;
    } else {
      while (ok) {
        if (text[i] == '?') {
          dims.push_back(kUnknownDim);
          ++i;
        } else {
          size_t first = i;
          int64_t value = 0;
          // 18 digits always fit in int64; longer numbers take the slow
          // path, which diagnoses overflow.
          while (i < text.size() && text[i] >= '0' && text[i] <= '9' &&
                 i - first < 18)
            value = value * 10 + (text[i++] - '0');
          if (i == first) {
            ok = false;
            break;
          }
          dims.push_back(value);
        }
        if (i >= text.size() || (text[i] != ',' && text[i] != ']')) {
          ok = false;
          break;
        }
        if (text[i++] == ']')
          break;
        ok = i < text.size();
      }
    }
    if (ok) {
      type = Type::tensor(context, dtype, dims.data(), dims.size());
      prevTokenEnd = i;
      lexer.seek(i);
      lexer.lex(tok);
      return true;
    }
  }
  consume(); // '['
  if (tok.kind == TokenKind::Star) {
    consume();
    type = Type::unrankedTensor(context, dtype);
    return expect(TokenKind::RSquare, "']' after '*'");
  }
  std::vector<int64_t> &dims = scratchAt(dimScratch);
  if (tok.kind != TokenKind::RSquare) {
    while (true) {
      if (tok.kind == TokenKind::Question) {
        dims.push_back(kUnknownDim);
      } else if (tok.kind == TokenKind::Integer) {
        if (tok.intValue < 0)
          return error(tok.offset, "a dimension cannot be negative; use '?' "
                                   "for an unknown size");
        dims.push_back(tok.intValue);
      } else {
        return errorExpected("a dimension (a size or '?')");
      }
      consume();
      if (tok.kind != TokenKind::Comma)
        break;
      consume();
    }
  }
  if (!expect(TokenKind::RSquare, "',' or ']' in the shape"))
    return false;
  type = Type::tensor(context, dtype, dims.data(), dims.size());
  return true;
}

bool Parser::parseAttribute(Attribute &attr) {
  if (tok.kind != TokenKind::LSquare && tok.kind != TokenKind::LBrace)
    return parseAttributeUncached(attr);
  const std::string &text = buffer->getText();
  size_t start = tok.offset;
  std::string_view rest(text.data() + start, text.size() - start);
  size_t hash = std::hash<std::string_view>()(rest.substr(0, kMemoKeyBytes));
  AggregateMemo &memo = aggregateMemo[hash % kMemoSlots];
  if (memo.hash == hash && rest.substr(0, memo.text.size()) == memo.text &&
      depth + memo.depth <= limits.maxNestingDepth) {
    attr = memo.value;
    // As deep as parsing it would have gone (an enclosing list that is
    // being cached needs to know).
    maxDepthReached = std::max(maxDepthReached, depth + memo.depth);
    size_t end = start + memo.text.size();
    prevTokenEnd = end;
    lexer.seek(end);
    lexer.lex(tok);
    return true;
  }
  unsigned outerMax = maxDepthReached;
  maxDepthReached = depth;
  bool ok = parseAttributeUncached(attr);
  unsigned needed = maxDepthReached - depth;
  maxDepthReached = std::max(outerMax, maxDepthReached);
  // The value ends with its closing bracket, the last token consumed.
  if (ok)
    memo =
        AggregateMemo{rest.substr(0, prevTokenEnd - start), hash, attr, needed};
  return ok;
}

bool Parser::parseAttributeUncached(Attribute &attr) {
  if (!enterNesting())
    return false;
  NestingGuard guard{*this};
  switch (tok.kind) {
  case TokenKind::Integer:
    attr = Attribute::integer(tok.intValue);
    consume();
    return true;
  case TokenKind::Float:
    attr = Attribute::real(tok.floatValue);
    consume();
    return true;
  case TokenKind::String:
    attr = Attribute::string(context, tok.text);
    consume();
    return true;
  case TokenKind::LSquare: {
    consume();
    // Elements go to this depth's scratch vector (deeper lists use their
    // own), then into a list of exactly their number.
    scratchAt(listScratch);
    size_t listDepth = depth;
    if (tok.kind != TokenKind::RSquare) {
      while (true) {
        Attribute element;
        if (!parseAttribute(element))
          return false;
        listScratch[listDepth].push_back(std::move(element));
        if (tok.kind != TokenKind::Comma)
          break;
        consume();
      }
    }
    if (!expect(TokenKind::RSquare, "',' or ']' in the list"))
      return false;
    std::vector<Attribute> &collected = listScratch[listDepth];
    attr = Attribute::list(context, collected.data(), collected.size());
    collected.clear();
    return true;
  }
  case TokenKind::LBrace: {
    // Like lists, nested dictionaries are collected in a scratch
    // dictionary per depth; uniquing copies it only if it is new.
    DictAttr &dict = scratchAt(dictScratch);
    if (!parseDict(dict))
      return false;
    attr = Attribute::dict(context, dict);
    return true;
  }
  case TokenKind::Question: {
    Type type;
    if (!parseType(type))
      return false;
    attr = Attribute::type(std::move(type));
    return true;
  }
  case TokenKind::Identifier:
    if (tok.text == "true" || tok.text == "false") {
      attr = Attribute::boolean(tok.text == "true");
      consume();
      return true;
    }
    if (tok.text == "none") {
      attr = Attribute::none();
      consume();
      return true;
    }
    if (tok.text == "inf" || tok.text == "nan") {
      attr = Attribute::real(tok.text == "inf"
                                 ? std::numeric_limits<double>::infinity()
                                 : std::numeric_limits<double>::quiet_NaN());
      consume();
      return true;
    }
    {
      Type type;
      if (!parseType(type))
        return false;
      attr = Attribute::type(std::move(type));
      return true;
    }
  default:
    return errorExpected("an attribute value");
  }
}

bool Parser::parseDict(DictAttr &dict) {
  if (!enterNesting())
    return false;
  NestingGuard guard{*this};
  consume(); // '{'
  if (tok.kind != TokenKind::RBrace) {
    while (true) {
      if (tok.kind != TokenKind::Identifier && tok.kind != TokenKind::String)
        return errorExpected("an attribute name");
      // A quoted key with escapes lives in the lexer and must be copied
      // before the value is lexed.
      std::string keyStorage;
      std::string_view key = tok.text;
      if (!lexer.isInBuffer(key))
        key = keyStorage = std::string(key);
      size_t keyOffset = tok.offset;
      if (key.empty())
        return error(keyOffset, "an attribute name cannot be empty");
      consume();
      // (The message is only formatted when needed: this runs per key.)
      if (tok.kind != TokenKind::Equal)
        return errorExpected(fmt::format("'=' after '{}'", key));
      consume();
      Attribute value;
      if (!parseAttribute(value))
        return false;
      if (dict.contains(key))
        return error(keyOffset,
                     fmt::format("duplicate attribute name '{}'", key));
      dict.set(context, key, std::move(value));
      if (tok.kind != TokenKind::Comma)
        break;
      consume();
    }
  }
  return expect(TokenKind::RBrace, "',' or '}' in the attribute dictionary");
}

bool Parser::parseLocation(Location &loc) {
  consume(); // 'loc'
  if (!expect(TokenKind::LParen, "'(' after 'loc'"))
    return false;
  if (tok.kind != TokenKind::String)
    return errorExpected("a file name string in the location");
  loc.file = std::string(tok.text);
  if (loc.file.empty())
    return error(tok.offset, "a location needs a file name");
  consume();
  uint32_t *fields[] = {&loc.line, &loc.column};
  for (uint32_t *field : fields) {
    if (tok.kind != TokenKind::Colon)
      break;
    consume();
    if (tok.kind != TokenKind::Integer || tok.intValue <= 0 ||
        tok.intValue > std::numeric_limits<uint32_t>::max())
      return errorExpected("a positive line or column number");
    *field = static_cast<uint32_t>(tok.intValue);
    consume();
  }
  return expect(TokenKind::RParen, "')' to close the location");
}

std::unique_ptr<Graph>
mav::parseGraph(IRContext &context, std::shared_ptr<const SourceBuffer> buffer,
                DiagnosticEngine &diags, const ParserLimits &limits) {
  Parser parser(context, std::move(buffer), diags, limits);
  return parser.parse();
}
