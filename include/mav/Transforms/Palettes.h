//===- Palettes.h - Discrete colour palettes and colour strings -*- C++ -*-===//
//
// The discrete palettes mav colours operations with: every qualitative
// palette of Plotly (`plotly.colors.qualitative`: Plotly, D3, G10, T10,
// Alphabet, Dark24, Light24, Set1..3, Pastel, Pastel1/2, Dark2, Antique,
// Bold, Safe, Vivid, Prism), each also reversed with a `_r` suffix, and
// IDLMAV's two own choices: `large` (Dark24, with five indices kept out of
// the free set) and `small` (Bold without its final grey). The `color` pass
// and the renderers share these tables so that a palette name means the same
// colours everywhere.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_TRANSFORMS_PALETTES_H
#define MAV_TRANSFORMS_PALETTES_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mav {

/// A palette resolved from a name: its colours as upper-case `#RRGGBB` and
/// the indices that are never handed out as free colours (only `large` has
/// any: Dark24's 1, 3, 5, 11 and 15 resemble other entries, the error red,
/// the input/output black or the uncategorised grey).
struct Palette {
  std::string name;
  std::vector<std::string> colors;
  std::vector<int64_t> avoidedIndices;
};

/// The palette called `name` (`large`, `small`, a Plotly name such as `Bold`,
/// or a Plotly name with `_r` for its reverse); case-sensitive like Plotly.
std::optional<Palette> lookupPalette(std::string_view name);

/// Every accepted palette name without the `_r` variants, in the order they
/// are listed in diagnostics and docs (`large`, `small`, then Plotly's).
std::vector<std::string_view> getPaletteNames();

/// Normalises a colour written `#RRGGBB` (either case) to upper case; returns
/// nothing for anything else (`#RGB`, names, `rgb(...)` are not accepted).
std::optional<std::string> parseHexColor(std::string_view text);

} // namespace mav

#endif // MAV_TRANSFORMS_PALETTES_H
