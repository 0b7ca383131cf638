//===- Palettes.cpp - Discrete colour palettes and colour strings --------===//
//
// The colour tables of Plotly's qualitative palettes (the values of
// `plotly.colors.qualitative`, with Plotly's `rgb(r, g, b)` entries written
// as `#RRGGBB`), plus IDLMAV's `large` and `small`. Kept as constant tables
// so that lookups allocate only the returned palette.
//
//===----------------------------------------------------------------------===//

#include "mav/Transforms/Palettes.h"

#include <algorithm>
#include <cctype>
#include <iterator>

using namespace mav;

namespace {

static constexpr std::string_view kPlotlyColors[] = {
    "#636EFA", "#EF553B", "#00CC96", "#AB63FA", "#FFA15A",
    "#19D3F3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52"};
static constexpr std::string_view kD3Colors[] = {
    "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD",
    "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22", "#17BECF"};
static constexpr std::string_view kG10Colors[] = {
    "#3366CC", "#DC3912", "#FF9900", "#109618", "#990099",
    "#0099C6", "#DD4477", "#66AA00", "#B82E2E", "#316395"};
static constexpr std::string_view kT10Colors[] = {
    "#4C78A8", "#F58518", "#E45756", "#72B7B2", "#54A24B",
    "#EECA3B", "#B279A2", "#FF9DA6", "#9D755D", "#BAB0AC"};
static constexpr std::string_view kAlphabetColors[] = {
    "#AA0DFE", "#3283FE", "#85660D", "#782AB6", "#565656", "#1C8356", "#16FF32",
    "#F7E1A0", "#E2E2E2", "#1CBE4F", "#C4451C", "#DEA0FD", "#FE00FA", "#325A9B",
    "#FEAF16", "#F8A19F", "#90AD1C", "#F6222E", "#1CFFCE", "#2ED9FF", "#B10DA1",
    "#C075A6", "#FC1CBF", "#B00068", "#FBE426", "#FA0087"};
static constexpr std::string_view kDark24Colors[] = {
    "#2E91E5", "#E15F99", "#1CA71C", "#FB0D0D", "#DA16FF", "#222A2A",
    "#B68100", "#750D86", "#EB663B", "#511CFB", "#00A08B", "#FB00D1",
    "#FC0080", "#B2828D", "#6C7C32", "#778AAE", "#862A16", "#A777F1",
    "#620042", "#1616A7", "#DA60CA", "#6C4516", "#0D2A63", "#AF0038"};
static constexpr std::string_view kLight24Colors[] = {
    "#FD3216", "#00FE35", "#6A76FC", "#FED4C4", "#FE00CE", "#0DF9FF",
    "#F6F926", "#FF9616", "#479B55", "#EEA6FB", "#DC587D", "#D626FF",
    "#6E899C", "#00B5F7", "#B68E00", "#C9FBE5", "#FF0092", "#22FFA7",
    "#E3EE9E", "#86CE00", "#BC7196", "#7E7DCD", "#FC6955", "#E48F72"};
static constexpr std::string_view kSet1Colors[] = {
    "#E41A1C", "#377EB8", "#4DAF4A", "#984EA3", "#FF7F00",
    "#FFFF33", "#A65628", "#F781BF", "#999999"};
static constexpr std::string_view kPastel1Colors[] = {
    "#FBB4AE", "#B3CDE3", "#CCEBC5", "#DECBE4", "#FED9A6",
    "#FFFFCC", "#E5D8BD", "#FDDAEC", "#F2F2F2"};
static constexpr std::string_view kDark2Colors[] = {
    "#1B9E77", "#D95F02", "#7570B3", "#E7298A",
    "#66A61E", "#E6AB02", "#A6761D", "#666666"};
static constexpr std::string_view kSet2Colors[] = {
    "#66C2A5", "#FC8D62", "#8DA0CB", "#E78AC3",
    "#A6D854", "#FFD92F", "#E5C494", "#B3B3B3"};
static constexpr std::string_view kPastel2Colors[] = {
    "#B3E2CD", "#FDCDAC", "#CBD5E8", "#F4CAE4",
    "#E6F5C9", "#FFF2AE", "#F1E2CC", "#CCCCCC"};
static constexpr std::string_view kSet3Colors[] = {
    "#8DD3C7", "#FFFFB3", "#BEBADA", "#FB8072", "#80B1D3", "#FDB462",
    "#B3DE69", "#FCCDE5", "#D9D9D9", "#BC80BD", "#CCEBC5", "#FFED6F"};
static constexpr std::string_view kAntiqueColors[] = {
    "#855C75", "#D9AF6B", "#AF6458", "#736F4C", "#526A83", "#625377",
    "#68855C", "#9C9C5E", "#A06177", "#8C785D", "#7C7C7C"};
static constexpr std::string_view kBoldColors[] = {
    "#7F3C8D", "#11A579", "#3969AC", "#F2B701", "#E73F74", "#80BA5A",
    "#E68310", "#008695", "#CF1C90", "#F97B72", "#A5AA99"};
static constexpr std::string_view kPastelColors[] = {
    "#66C5CC", "#F6CF71", "#F89C74", "#DCB0F2", "#87C55F", "#9EB9F3",
    "#FE88B1", "#C9DB74", "#8BE0A4", "#B497E7", "#B3B3B3"};
static constexpr std::string_view kPrismColors[] = {
    "#5F4690", "#1D6996", "#38A6A5", "#0F8554", "#73AF48", "#EDAD08",
    "#E17C05", "#CC503E", "#94346E", "#6F4070", "#666666"};
static constexpr std::string_view kSafeColors[] = {
    "#88CCEE", "#CC6677", "#DDCC77", "#117733", "#332288", "#AA4499",
    "#44AA99", "#999933", "#882255", "#661100", "#888888"};
static constexpr std::string_view kVividColors[] = {
    "#E58606", "#5D69B1", "#52BCA3", "#99C945", "#CC61B0", "#24796C",
    "#DAA51B", "#2F8AC4", "#764E9F", "#ED645A", "#A5AA99"};

struct PaletteTable {
  std::string_view name;
  const std::string_view *colors;
  size_t size;
};

template <size_t N>
constexpr PaletteTable makeTable(std::string_view name,
                                 const std::string_view (&colors)[N]) {
  return {name, colors, N};
}

/// Plotly's qualitative palettes, in the order of Plotly's documentation
/// (https://plotly.com/python/discrete-color/#color-sequences-in-plotly-express).
constexpr PaletteTable kPlotlyPalettes[] = {
    makeTable("Plotly", kPlotlyColors),
    makeTable("D3", kD3Colors),
    makeTable("G10", kG10Colors),
    makeTable("T10", kT10Colors),
    makeTable("Alphabet", kAlphabetColors),
    makeTable("Dark24", kDark24Colors),
    makeTable("Light24", kLight24Colors),
    makeTable("Set1", kSet1Colors),
    makeTable("Pastel1", kPastel1Colors),
    makeTable("Dark2", kDark2Colors),
    makeTable("Set2", kSet2Colors),
    makeTable("Pastel2", kPastel2Colors),
    makeTable("Set3", kSet3Colors),
    makeTable("Antique", kAntiqueColors),
    makeTable("Bold", kBoldColors),
    makeTable("Pastel", kPastelColors),
    makeTable("Prism", kPrismColors),
    makeTable("Safe", kSafeColors),
    makeTable("Vivid", kVividColors),
};

const PaletteTable *findPlotlyPalette(std::string_view name) {
  for (const PaletteTable &table : kPlotlyPalettes)
    if (table.name == name)
      return &table;
  return nullptr;
}

Palette makePalette(std::string_view name, const PaletteTable &table,
                    size_t count) {
  Palette palette;
  palette.name = std::string(name);
  for (size_t i = 0; i < count; ++i)
    palette.colors.emplace_back(table.colors[i]);
  return palette;
}

} // namespace

std::optional<Palette> mav::lookupPalette(std::string_view name) {
  if (name == "large") {
    // IDLMAV's default: Dark24, keeping out of the free set 1 (close to 20),
    // 11 (close to 4, 12 and 20), 3 (close to the error red), 5 (close to
    // the input/output black) and 15 (close to the uncategorised grey).
    Palette palette = makePalette(name, *findPlotlyPalette("Dark24"), 24);
    palette.avoidedIndices = {1, 3, 5, 11, 15};
    return palette;
  }
  if (name == "small") {
    // Bold without its last entry, a grey that reads as "uncategorised".
    return makePalette(name, *findPlotlyPalette("Bold"), 10);
  }
  std::string_view base = name;
  bool reversed = false;
  if (base.size() > 2 && base.substr(base.size() - 2) == "_r") {
    base.remove_suffix(2);
    reversed = true;
  }
  const PaletteTable *table = findPlotlyPalette(base);
  if (!table)
    return std::nullopt;
  Palette palette = makePalette(name, *table, table->size);
  if (reversed)
    std::reverse(palette.colors.begin(), palette.colors.end());
  return palette;
}

std::vector<std::string_view> mav::getPaletteNames() {
  std::vector<std::string_view> names = {"large", "small"};
  for (const PaletteTable &table : kPlotlyPalettes)
    names.push_back(table.name);
  return names;
}

std::optional<std::string> mav::parseHexColor(std::string_view text) {
  if (text.size() != 7 || text[0] != '#')
    return std::nullopt;
  std::string color = "#";
  for (char c : text.substr(1)) {
    if (!std::isxdigit(static_cast<unsigned char>(c)))
      return std::nullopt;
    color += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return color;
}
