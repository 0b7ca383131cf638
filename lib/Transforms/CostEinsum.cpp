//===- CostEinsum.cpp - MACs of an einsum contraction ---------------------===//
//
// `einsumCost` parses an einsum equation into per-operand and output
// subscripts (as integer codes; `...` dimensions get codes >= 1000 aligned
// from the right) and counts the MACs of contracting the operands pairwise,
// left to right, keeping only the subscripts still needed later or in the
// output; a single operand is a reduction (docs/Costs.md, "Matmul-like").
//
//===----------------------------------------------------------------------===//

#include "CostFormulas.h"

#include "mav/Support/Text.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>

using namespace mav;
using namespace mav::cost;
using namespace mav::cost::detail;

std::optional<OpCost>
cost::detail::einsumCost(std::string_view equation,
                         const std::vector<const Type *> &tensors) {
  std::string eq;
  for (char c : equation)
    if (c != ' ')
      eq += c;
  std::string lhs = eq, rhs;
  bool explicitOutput = false;
  if (size_t arrow = eq.find("->"); arrow != std::string::npos) {
    lhs = eq.substr(0, arrow);
    rhs = eq.substr(arrow + 2);
    explicitOutput = true;
  }
  std::vector<std::string_view> terms = splitString(lhs, ",");
  if (terms.size() != tensors.size() || tensors.empty())
    return std::nullopt;

  std::map<int, int64_t> sizes;
  std::vector<std::vector<int>> subscripts(terms.size());
  size_t maxEllipsis = 0;
  std::map<int, int> letterCount;
  for (size_t t = 0; t < terms.size(); ++t) {
    std::string_view term = terms[t];
    const std::vector<int64_t> &dims = tensors[t]->getDims();
    size_t letters = 0;
    for (char c : term)
      if (std::isalpha(static_cast<unsigned char>(c)))
        ++letters;
    bool hasEllipsis = term.find("...") != std::string::npos;
    if (letters > dims.size() || (!hasEllipsis && letters != dims.size()))
      return std::nullopt;
    size_t ellipsisDims = dims.size() - letters;
    maxEllipsis = std::max(maxEllipsis, ellipsisDims);
    for (size_t i = 0; i < term.size(); ++i) {
      if (term.compare(i, 3, "...") == 0) {
        // Code 1000 + k for the k-th dimension counted from the right end
        // of the ellipsis, so that broadcasting aligns them.
        for (size_t k = ellipsisDims; k-- > 0;)
          subscripts[t].push_back(1000 + static_cast<int>(k));
        i += 2;
        continue;
      }
      if (!std::isalpha(static_cast<unsigned char>(term[i])))
        return std::nullopt;
      int code = static_cast<unsigned char>(term[i]);
      subscripts[t].push_back(code);
      ++letterCount[code];
    }
    if (subscripts[t].size() != dims.size())
      return std::nullopt; // e.g. two ellipses
    for (size_t d = 0; d < dims.size(); ++d) {
      if (dims[d] < 0)
        return std::nullopt;
      int64_t &size = sizes[subscripts[t][d]];
      size = std::max(size, dims[d]);
    }
  }
  std::set<int> output;
  for (size_t k = 0; k < maxEllipsis; ++k)
    output.insert(1000 + static_cast<int>(k));
  if (explicitOutput) {
    for (size_t i = 0; i < rhs.size(); ++i) {
      if (rhs.compare(i, 3, "...") == 0) {
        i += 2;
        continue;
      }
      output.insert(static_cast<unsigned char>(rhs[i]));
    }
  } else {
    // Implicit output: every letter that appears exactly once.
    for (const auto &[code, count] : letterCount)
      if (count == 1)
        output.insert(code);
  }

  OpCost cost;
  std::set<int> current(subscripts[0].begin(), subscripts[0].end());
  if (subscripts.size() == 1) {
    if (current != output)
      cost.otherFlops = *numel(tensors[0]);
    return cost;
  }
  for (size_t t = 1; t < subscripts.size(); ++t) {
    std::set<int> joined = current;
    joined.insert(subscripts[t].begin(), subscripts[t].end());
    Count product = 1;
    for (int code : joined)
      product *= Count(sizes[code]);
    cost.macs += product;
    std::set<int> needed = output;
    for (size_t later = t + 1; later < subscripts.size(); ++later)
      needed.insert(subscripts[later].begin(), subscripts[later].end());
    current.clear();
    for (int code : joined)
      if (needed.count(code))
        current.insert(code);
  }
  return cost;
}
