//===- Color.cpp - Give every node a category and a colour ---------------===//
//
// IDLMAV's colouring (coloring.py, version 1.1.0) with its defects fixed.
// Every node gets a `category` (torch.nn's grouping of layers: Convolution,
// Pooling, ..., or Uncategorized) and a `color` (`#RRGGBB`), so that
// renderers only read attributes. The colour of a node is, first match wins:
//   1. failed node (status "failed")    -> the Error colour;
//   2. network input or output that ran -> the InOut colour (the output
//      of a forward that failed is not-run, rule 3);
//   3. not-run node (status "not-run")  -> the NotRun colour;
//   4. operation the user mapped        -> that colour;
//   5. category mapped (user, then the palette's base map) -> that colour;
//   6. otherwise the operation takes the next free palette colour, the
//      operations being picked alternately by most nodes and by most
//      parameters;
//   7. when the free colours run out -> the fallback (Uncategorized) colour.
// The role colours (Error, InOut, NotRun, Uncategorized) are #FF0000,
// #000000, #D3D3D3 and #A5AA99 unless a map gives them; `large`'s base map
// gives InOut and Uncategorized Dark24 entries 5 and 15. Error is #FF0000
// with every palette (IDLMAV's `large` map has Dark24 entry 3, #FB0D0D;
// mav's figures have always shown failed nodes #FF0000, and now that
// renderers draw exactly the colour this pass wrote, the pass must say it).
// Departures from IDLMAV, all documented in docs/MergeAndColor.md: a user's
// operation mapping wins over its category mapping (IDLMAV let the category
// win), `avoid` works with every palette and is checked, colours are
// validated (IDLMAV's fallback was the invalid `##A5AA99`), the base map's
// Uncategorized entry is only the fallback (in IDLMAV it swallowed every
// operation the free colours were meant for), the two pick lists really
// alternate, and unknown names are errors rather than a silent default.
//
//===----------------------------------------------------------------------===//

#include "mav/Analysis/ParamCountAnalysis.h"
#include "mav/IR/ModelAttributes.h"
#include "mav/Pass/PassRegistry.h"
#include "mav/Support/Debug.h"
#include "mav/Support/FileUtils.h"
#include "mav/Transforms/Palettes.h"
#include "mav/Transforms/Passes.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <numeric>
#include <unordered_map>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#define DEBUG_TYPE "color"

using namespace mav;

namespace {

//===----------------------------------------------------------------------===//
// Categories
//===----------------------------------------------------------------------===//

/// The default colours of the non-palette roles.
constexpr std::string_view kDefaultErrorColor = "#FF0000";
constexpr std::string_view kDefaultInOutColor = "#000000";
constexpr std::string_view kDefaultNotRunColor = "#D3D3D3";
constexpr std::string_view kDefaultFallbackColor = "#A5AA99";

constexpr std::string_view kUncategorized = "Uncategorized";

/// An operation's category by exact name (torch.nn classes as `nn.X`,
/// torch.nn.functional names as `f()`), then by suffix, tried in this order
/// (a space-separated list each). The lists follow the sections of
/// https://pytorch.org/docs/stable/nn.html and IDLMAV's tables.
struct CategoryRule {
  std::string_view category;
  std::string_view exactNames;
  std::string_view suffixes;
};

constexpr CategoryRule kCategoryRules[] = {
    {"InOut", "input output", ""},
    {"Convolution",
     "nn.Conv1d nn.Conv2d nn.Conv3d nn.ConvTranspose1d nn.ConvTranspose2d "
     "nn.ConvTranspose3d nn.LazyConv1d nn.LazyConv2d nn.LazyConv3d "
     "nn.LazyConvTranspose1d nn.LazyConvTranspose2d nn.LazyConvTranspose3d "
     "nn.Unfold nn.Fold conv1d() conv2d() conv3d() conv_transpose1d() "
     "conv_transpose2d() conv_transpose3d() unfold() fold()",
     "Conv Conv1d Conv2d Conv3d ConvTranspose ConvTranspose1d ConvTranspose2d "
     "ConvTranspose3d conv() conv1d() conv2d() conv3d() conv_transpose1d() "
     "conv_transpose2d() conv_transpose3d()"},
    {"Pooling",
     "nn.MaxPool1d nn.MaxPool2d nn.MaxPool3d nn.MaxUnpool1d nn.MaxUnpool2d "
     "nn.MaxUnpool3d nn.AvgPool1d nn.AvgPool2d nn.AvgPool3d "
     "nn.FractionalMaxPool2d nn.FractionalMaxPool3d nn.LPPool1d nn.LPPool2d "
     "nn.LPPool3d nn.AdaptiveMaxPool1d nn.AdaptiveMaxPool2d "
     "nn.AdaptiveMaxPool3d nn.AdaptiveAvgPool1d nn.AdaptiveAvgPool2d "
     "nn.AdaptiveAvgPool3d avg_pool1d() avg_pool2d() avg_pool3d() "
     "max_pool1d() max_pool2d() max_pool3d() max_unpool1d() max_unpool2d() "
     "max_unpool3d() lp_pool1d() lp_pool2d() lp_pool3d() "
     "adaptive_max_pool1d() adaptive_max_pool2d() adaptive_max_pool3d() "
     "adaptive_avg_pool1d() adaptive_avg_pool2d() adaptive_avg_pool3d() "
     "fractional_max_pool2d() fractional_max_pool3d()",
     "Pool Pool1d Pool2d Pool3d Unpool Unpool1d Unpool2d Unpool3d pool() "
     "pool1d() pool2d() pool3d()"},
    {"Padding",
     "nn.ReflectionPad1d nn.ReflectionPad2d nn.ReflectionPad3d "
     "nn.ReplicationPad1d nn.ReplicationPad2d nn.ReplicationPad3d "
     "nn.ZeroPad1d nn.ZeroPad2d nn.ZeroPad3d nn.ConstantPad1d "
     "nn.ConstantPad2d nn.ConstantPad3d nn.CircularPad1d nn.CircularPad2d "
     "nn.CircularPad3d pad()",
     "Pad Pad1d Pad2d Pad3d pad()"},
    {"Activation",
     "nn.ELU nn.Hardshrink nn.Hardsigmoid nn.Hardtanh nn.Hardswish "
     "nn.LeakyReLU nn.LogSigmoid nn.MultiheadAttention nn.PReLU nn.ReLU "
     "nn.ReLU6 nn.RReLU nn.SELU nn.CELU nn.GELU nn.Sigmoid nn.SiLU nn.Mish "
     "nn.Softplus nn.Softshrink nn.Softsign nn.Tanh nn.Tanhshrink "
     "nn.Threshold nn.GLU nn.Softmin nn.Softmax nn.Softmax2d nn.LogSoftmax "
     "nn.AdaptiveLogSoftmaxWithLoss threshold() threshold_() relu() relu_() "
     "hardtanh() hardtanh_() hardswish() relu6() elu() elu_() selu() celu() "
     "leaky_relu() leaky_relu_() prelu() rrelu() rrelu_() glu() gelu() "
     "logsigmoid() hardshrink() tanhshrink() softsign() softplus() softmin() "
     "softmax() softshrink() gumbel_softmax() log_softmax() tanh() sigmoid() "
     "hardsigmoid() silu() mish()",
     ""},
    {"Normalization",
     "nn.BatchNorm1d nn.BatchNorm2d nn.BatchNorm3d nn.LazyBatchNorm1d "
     "nn.LazyBatchNorm2d nn.LazyBatchNorm3d nn.GroupNorm nn.SyncBatchNorm "
     "nn.InstanceNorm1d nn.InstanceNorm2d nn.InstanceNorm3d "
     "nn.LazyInstanceNorm1d nn.LazyInstanceNorm2d nn.LazyInstanceNorm3d "
     "nn.LayerNorm nn.LocalResponseNorm nn.RMSNorm batch_norm() group_norm() "
     "instance_norm() layer_norm() local_response_norm() rms_norm() "
     "normalize()",
     "Norm Norm1d Norm2d Norm3d norm()"},
    {"Recurrent",
     "nn.RNNBase nn.RNN nn.LSTM nn.GRU nn.RNNCell nn.LSTMCell nn.GRUCell",
     "Cell"},
    {"Transformer",
     "nn.Transformer nn.TransformerEncoder nn.TransformerDecoder "
     "nn.TransformerEncoderLayer nn.TransformerDecoderLayer "
     "scaled_dot_product_attention()",
     "Transformer TransformerEncoder TransformerDecoder attention()"},
    {"Linear",
     "nn.Identity nn.Linear nn.Bilinear nn.LazyLinear linear() "
     "bilinear()",
     "Linear linear()"},
    {"Dropout",
     "nn.Dropout nn.Dropout1d nn.Dropout2d nn.Dropout3d nn.AlphaDropout "
     "nn.FeatureAlphaDropout dropout() alpha_dropout() "
     "feature_alpha_dropout() dropout1d() dropout2d() dropout3d()",
     "Dropout Dropout1d Dropout2d Dropout3d dropout() dropout1d() dropout2d() "
     "dropout3d()"},
    {"Sparse",
     "nn.Embedding nn.EmbeddingBag embedding() embedding_bag() "
     "one_hot()",
     "Embedding embedding()"},
    {"Distance",
     "nn.CosineSimilarity nn.PairwiseDistance pairwise_distance() "
     "cosine_similarity() pdist()",
     "Similarity Distance distance() similarity()"},
    {"Loss",
     "nn.L1Loss nn.MSELoss nn.CrossEntropyLoss nn.CTCLoss nn.NLLLoss "
     "nn.PoissonNLLLoss nn.GaussianNLLLoss nn.KLDivLoss nn.BCELoss "
     "nn.BCEWithLogitsLoss nn.MarginRankingLoss nn.HingeEmbeddingLoss "
     "nn.MultiLabelMarginLoss nn.HuberLoss nn.SmoothL1Loss nn.SoftMarginLoss "
     "nn.MultiLabelSoftMarginLoss nn.CosineEmbeddingLoss nn.MultiMarginLoss "
     "nn.TripletMarginLoss nn.TripletMarginWithDistanceLoss "
     "binary_cross_entropy() binary_cross_entropy_with_logits() "
     "poisson_nll_loss() cosine_embedding_loss() cross_entropy() ctc_loss() "
     "gaussian_nll_loss() hinge_embedding_loss() kl_div() l1_loss() "
     "mse_loss() margin_ranking_loss() multilabel_margin_loss() "
     "multilabel_soft_margin_loss() multi_margin_loss() nll_loss() "
     "huber_loss() smooth_l1_loss() soft_margin_loss() triplet_margin_loss() "
     "triplet_margin_with_distance_loss()",
     "Loss entropy() logits() loss()"},
    {"Vision",
     "nn.PixelShuffle nn.PixelUnshuffle nn.Upsample nn.UpsamplingNearest2d "
     "nn.UpsamplingBilinear2d nn.ChannelShuffle pixel_shuffle() "
     "pixel_unshuffle() interpolate() upsample() upsample_nearest() "
     "upsample_bilinear() grid_sample() affine_grid() channel_shuffle()",
     ""},
};

/// Keys of a colour map that name a role rather than a category or an
/// operation.
constexpr std::string_view kRoleKeys[] = {"Error", "NotRun"};

bool isCategoryName(std::string_view name) {
  if (name == kUncategorized)
    return true;
  for (const CategoryRule &rule : kCategoryRules)
    if (rule.category == name)
      return true;
  return false;
}

bool isRoleKey(std::string_view name) {
  return std::find(std::begin(kRoleKeys), std::end(kRoleKeys), name) !=
         std::end(kRoleKeys);
}

std::vector<std::string_view> splitWords(std::string_view text) {
  std::vector<std::string_view> words;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos)
      end = text.size();
    if (end > pos)
      words.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return words;
}

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

/// Maps operation strings to categories: exact name first, then the
/// function name of a method or qualified call (`.relu()`, `torch.relu()`
/// as `relu()`), then the first matching suffix in rule order.
class OperationClassifier {
public:
  OperationClassifier() {
    for (const CategoryRule &rule : kCategoryRules) {
      for (std::string_view name : splitWords(rule.exactNames))
        exactNames.emplace(name, rule.category);
      for (std::string_view suffix : splitWords(rule.suffixes))
        suffixes.emplace_back(suffix, rule.category);
    }
  }

  std::string_view classify(std::string_view op) const {
    if (auto it = exactNames.find(op); it != exactNames.end())
      return it->second;
    if (endsWith(op, "()")) {
      size_t dot = op.rfind('.');
      if (dot != std::string_view::npos) {
        auto it = exactNames.find(op.substr(dot + 1));
        if (it != exactNames.end())
          return it->second;
      }
    }
    for (const auto &[suffix, category] : suffixes)
      if (endsWith(op, suffix))
        return category;
    return kUncategorized;
  }

private:
  /// Only looked up, never iterated.
  std::unordered_map<std::string_view, std::string_view> exactNames;
  std::vector<std::pair<std::string_view, std::string_view>> suffixes;
};

/// Base maps, category -> palette index, of the two palettes IDLMAV
/// designed. `Uncategorized` here only sets the fallback colour. IDLMAV's
/// `Error: 3` for `large` is left out: the Error colour is #FF0000 unless
/// the user maps it (entry 3 is among `large`'s avoided indices anyway).
struct BaseMapEntry {
  std::string_view key;
  int64_t index;
};
constexpr BaseMapEntry kLargeBaseMap[] = {
    {"InOut", 5},       {"Uncategorized", 15}, {"Convolution", 10},
    {"Linear", 0},      {"Transformer", 17},   {"Recurrent", 6},
    {"Activation", 19}, {"Normalization", 8},  {"Pooling", 20},
    {"Padding", 14},    {"Dropout", 2},        {"Sparse", 13},
    {"Vision", 12},     {"Distance", 4},       {"Loss", 9},
};
constexpr BaseMapEntry kSmallBaseMap[] = {
    {"Convolution", 7},
    {"Activation", 2},
    {"Normalization", 6},
    {"Pooling", 4},
};

//===----------------------------------------------------------------------===//
// Configuration: palette, avoided indices, colour maps
//===----------------------------------------------------------------------===//

/// One user colour-map entry before resolution against the palette.
struct MapEntry {
  std::string key;
  std::string value;
  /// Where it came from, for messages: `map entry 'k:v'` or a YAML position.
  SourceLoc loc;
  std::string origin;
};

/// Everything the colouring needs, resolved to `#RRGGBB` strings.
struct ColorScheme {
  Palette palette;
  std::string paletteLabel;
  std::vector<bool> isFree;
  /// Category and role keys -> colour (user entries over the base map).
  std::map<std::string, std::string, std::less<>> categoryColors;
  /// Operation keys the user gave -> colour.
  std::map<std::string, std::string, std::less<>> operationColors;
  std::string errorColor, inOutColor, notRunColor, fallbackColor;
};

std::string describePaletteNames() {
  std::vector<std::string_view> names = getPaletteNames();
  return fmt::format("{} (each Plotly palette also reversed with '_r'), or a "
                     "list of #RRGGBB colours",
                     fmt::join(names, ", "));
}

class ColorPass : public Pass {
public:
  explicit ColorPass(const PassOptions &options)
      : paletteOption(options.getStringList("palette")),
        avoidOption(options.getIntList("avoid")),
        mapOption(options.getStringList("map")),
        mapFile(options.getString("map-file")) {}

  LogicalResult run(Graph &graph, PassContext &context) override;

private:
  LogicalResult buildScheme(const Graph &graph, DiagnosticEngine &diags,
                            ColorScheme &scheme);
  LogicalResult resolvePalette(SourceLoc loc, DiagnosticEngine &diags,
                               ColorScheme &scheme);
  LogicalResult readMapFile(DiagnosticEngine &diags,
                            std::shared_ptr<SourceBuffer> &buffer,
                            std::vector<MapEntry> &entries);
  LogicalResult parseMapOption(SourceLoc loc, DiagnosticEngine &diags,
                               std::vector<MapEntry> &entries);
  /// Resolves a palette index or `#RRGGBB`; reports and fails otherwise.
  LogicalResult resolveColor(const MapEntry &entry, const Palette &palette,
                             DiagnosticEngine &diags, std::string &color);

  std::vector<std::string> paletteOption;
  std::vector<int64_t> avoidOption;
  std::vector<std::string> mapOption;
  std::string mapFile;
  OperationClassifier classifier;
};

LogicalResult ColorPass::resolvePalette(SourceLoc loc, DiagnosticEngine &diags,
                                        ColorScheme &scheme) {
  if (paletteOption.empty()) {
    diags.error(loc, "color: the palette is empty; expected one of: " +
                         describePaletteNames());
    return failure();
  }
  // A single entry not starting with '#' is a palette name; anything else
  // is a list of colours.
  if (paletteOption.size() == 1 && paletteOption[0].rfind('#', 0) != 0) {
    std::optional<Palette> palette = lookupPalette(paletteOption[0]);
    if (!palette) {
      diags.error(loc, fmt::format("color: unknown palette '{}'; expected "
                                   "one of: {}",
                                   paletteOption[0], describePaletteNames()));
      return failure();
    }
    scheme.palette = std::move(*palette);
    scheme.paletteLabel = scheme.palette.name;
    return success();
  }
  for (const std::string &text : paletteOption) {
    std::optional<std::string> color = parseHexColor(text);
    if (!color) {
      diags.error(loc, fmt::format("color: invalid colour '{}' in the "
                                   "palette list; expected #RRGGBB (or a "
                                   "single palette name: {})",
                                   text, describePaletteNames()));
      return failure();
    }
    scheme.palette.colors.push_back(std::move(*color));
  }
  scheme.paletteLabel =
      fmt::format("[{}]", fmt::join(scheme.palette.colors, ","));
  scheme.palette.name = scheme.paletteLabel;
  return success();
}

LogicalResult ColorPass::parseMapOption(SourceLoc loc, DiagnosticEngine &diags,
                                        std::vector<MapEntry> &entries) {
  for (const std::string &item : mapOption) {
    // Operation strings may contain ':' (`aten::add`), colours never do.
    size_t colon = item.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == item.size()) {
      diags.error(loc, fmt::format("color: invalid map entry '{}'; expected "
                                   "KEY:VALUE, e.g. 'Convolution:7' or "
                                   "'nn.MaxPool2d:#FF00FF'",
                                   item));
      return failure();
    }
    entries.push_back({item.substr(0, colon), item.substr(colon + 1), loc,
                       fmt::format("map entry '{}'", item)});
  }
  return success();
}

LogicalResult ColorPass::readMapFile(DiagnosticEngine &diags,
                                     std::shared_ptr<SourceBuffer> &buffer,
                                     std::vector<MapEntry> &entries) {
  buffer = readInputFile(mapFile, diags);
  if (!buffer)
    return failure();
  auto locOf = [&](const YAML::Mark &mark) {
    return mark.is_null()
               ? SourceLoc{buffer.get(), 0}
               : SourceLoc{buffer.get(), static_cast<size_t>(mark.pos)};
  };
  YAML::Node root;
  // yaml-cpp reports syntax errors by exception; turn them into diagnostics
  // at this boundary.
  try {
    root = YAML::Load(buffer->getText());
  } catch (const YAML::Exception &error) {
    diags.error(locOf(error.mark),
                fmt::format("color: invalid YAML in map-file: {}", error.msg));
    return failure();
  }
  if (root.IsNull())
    return success(); // an empty file (or only comments): no entries
  if (!root.IsMap()) {
    diags.error(locOf(root.Mark()),
                "color: map-file must be a YAML mapping of category or "
                "operation to a palette index or \"#RRGGBB\"");
    return failure();
  }
  for (const auto &pair : root) {
    const YAML::Node &key = pair.first;
    const YAML::Node &value = pair.second;
    if (!key.IsScalar()) {
      diags.error(locOf(key.Mark()),
                  "color: map-file keys must be category or operation names");
      return failure();
    }
    if (value.IsNull()) {
      diags.error(locOf(key.Mark()),
                  fmt::format("color: map-file entry '{}' has no value; "
                              "quote colours (\"#RRGGBB\"), as '#' starts a "
                              "YAML comment",
                              key.Scalar()));
      return failure();
    }
    if (!value.IsScalar()) {
      diags.error(locOf(value.Mark()),
                  fmt::format("color: map-file entry '{}' must be a palette "
                              "index or \"#RRGGBB\"",
                              key.Scalar()));
      return failure();
    }
    entries.push_back({key.Scalar(), value.Scalar(), locOf(value.Mark()),
                       fmt::format("map-file entry '{}'", key.Scalar())});
  }
  return success();
}

LogicalResult ColorPass::resolveColor(const MapEntry &entry,
                                      const Palette &palette,
                                      DiagnosticEngine &diags,
                                      std::string &color) {
  if (std::optional<std::string> hex = parseHexColor(entry.value)) {
    color = std::move(*hex);
    return success();
  }
  int64_t index = -1;
  const char *end = entry.value.data() + entry.value.size();
  auto res = std::from_chars(entry.value.data(), end, index);
  if (res.ec != std::errc() || res.ptr != end) {
    diags.error(entry.loc,
                fmt::format("color: {}: invalid colour '{}'; expected a "
                            "palette index or #RRGGBB",
                            entry.origin, entry.value));
    return failure();
  }
  if (index < 0 || index >= static_cast<int64_t>(palette.colors.size())) {
    diags.error(entry.loc,
                fmt::format("color: {}: palette index {} is out of range; "
                            "palette '{}' has {} colours (0-{})",
                            entry.origin, index, palette.name,
                            palette.colors.size(), palette.colors.size() - 1));
    return failure();
  }
  color = palette.colors[static_cast<size_t>(index)];
  return success();
}

LogicalResult ColorPass::buildScheme(const Graph &graph,
                                     DiagnosticEngine &diags,
                                     ColorScheme &scheme) {
  SourceLoc graphLoc = graph.getSourceLoc();
  if (failed(resolvePalette(graphLoc, diags, scheme)))
    return failure();
  const Palette &palette = scheme.palette;
  const int64_t size = static_cast<int64_t>(palette.colors.size());

  // Free palette indices: all but the palette's own avoided ones and the
  // user's `avoid`.
  scheme.isFree.assign(palette.colors.size(), true);
  for (int64_t index : palette.avoidedIndices)
    scheme.isFree[static_cast<size_t>(index)] = false;
  for (int64_t index : avoidOption) {
    if (index < 0 || index >= size) {
      diags.error(graphLoc,
                  fmt::format("color: avoid index {} is out of range; palette "
                              "'{}' has {} colours (0-{})",
                              index, palette.name, size, size - 1));
      return failure();
    }
    scheme.isFree[static_cast<size_t>(index)] = false;
  }

  // The palette's base map (only `large` and `small` have one).
  std::string baseFallback;
  auto applyBaseMap = [&](const auto &baseMap) {
    for (const BaseMapEntry &entry : baseMap) {
      const std::string &color = palette.colors[entry.index];
      if (entry.key == kUncategorized)
        baseFallback = color;
      else
        scheme.categoryColors[std::string(entry.key)] = color;
    }
  };
  if (paletteOption.size() == 1 && paletteOption[0] == "large")
    applyBaseMap(kLargeBaseMap);
  else if (paletteOption.size() == 1 && paletteOption[0] == "small")
    applyBaseMap(kSmallBaseMap);

  // User entries: the map file first, then the `map` option over it.
  std::vector<MapEntry> fileEntries, optionEntries;
  std::shared_ptr<SourceBuffer> mapBuffer; // keeps file locations valid
  if (!mapFile.empty() && failed(readMapFile(diags, mapBuffer, fileEntries)))
    return failure();
  if (failed(parseMapOption(graphLoc, diags, optionEntries)))
    return failure();
  std::map<std::string, std::string, std::less<>> userCategories, userOps;
  for (const std::vector<MapEntry> *entries : {&fileEntries, &optionEntries}) {
    std::map<std::string, const MapEntry *, std::less<>> seen;
    for (const MapEntry &entry : *entries) {
      if (!seen.emplace(entry.key, &entry).second) {
        diags.error(entry.loc, fmt::format("color: {}: '{}' is mapped twice",
                                           entry.origin, entry.key));
        return failure();
      }
      // A key that differs from a category only in case is a typo.
      if (!isCategoryName(entry.key) && !isRoleKey(entry.key)) {
        auto sameLetters = [&](std::string_view name) {
          return std::equal(
              name.begin(), name.end(), entry.key.begin(), entry.key.end(),
              [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
              });
        };
        for (std::string_view name :
             {std::string_view("Uncategorized"), std::string_view("Error"),
              std::string_view("NotRun")})
          if (sameLetters(name)) {
            diags.error(entry.loc,
                        fmt::format("color: {}: unknown key '{}'; did you "
                                    "mean '{}'?",
                                    entry.origin, entry.key, name));
            return failure();
          }
        for (const CategoryRule &rule : kCategoryRules)
          if (sameLetters(rule.category)) {
            diags.error(entry.loc,
                        fmt::format("color: {}: unknown key '{}'; did you "
                                    "mean '{}'?",
                                    entry.origin, entry.key, rule.category));
            return failure();
          }
      }
      std::string color;
      if (failed(resolveColor(entry, palette, diags, color)))
        return failure();
      bool isCategory = isCategoryName(entry.key) || isRoleKey(entry.key);
      (isCategory ? userCategories : userOps)[entry.key] = std::move(color);
    }
  }
  for (auto &[key, color] : userCategories)
    scheme.categoryColors[key] = color;
  scheme.operationColors = std::move(userOps);

  auto lookupRole = [&](std::string_view key, std::string_view fallback) {
    auto it = scheme.categoryColors.find(key);
    return it != scheme.categoryColors.end() ? it->second
                                             : std::string(fallback);
  };
  scheme.errorColor = lookupRole("Error", kDefaultErrorColor);
  scheme.inOutColor = lookupRole("InOut", kDefaultInOutColor);
  scheme.notRunColor = lookupRole("NotRun", kDefaultNotRunColor);
  scheme.fallbackColor =
      lookupRole(kUncategorized,
                 baseFallback.empty() ? kDefaultFallbackColor : baseFallback);

  // The role colours are never handed out as free colours.
  for (size_t i = 0; i < palette.colors.size(); ++i) {
    const std::string &color = palette.colors[i];
    if (color == scheme.errorColor || color == scheme.inOutColor ||
        color == scheme.notRunColor || color == scheme.fallbackColor)
      scheme.isFree[i] = false;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Colouring
//===----------------------------------------------------------------------===//

/// The nodes of one operation that are waiting for a free colour.
struct PendingOperation {
  std::string_view op;
  std::vector<uint32_t> nodes;
  int64_t params = 0;
  bool assigned = false;
};

LogicalResult ColorPass::run(Graph &graph, PassContext &context) {
  IRContext &ctx = graph.getContext();
  ColorScheme scheme;
  if (failed(buildScheme(graph, context.diags, scheme)))
    return failure();
  const Palette &palette = scheme.palette;

  auto markUsed = [&](const std::string &color) {
    for (size_t i = 0; i < palette.colors.size(); ++i)
      if (palette.colors[i] == color)
        scheme.isFree[i] = false;
  };

  // Steps 1-5, and the operations left for step 6 in order of first
  // appearance (the tie-break of both pick lists).
  const uint32_t numNodes = static_cast<uint32_t>(graph.size());
  std::vector<std::string> colors(numNodes);
  std::vector<PendingOperation> pending;
  std::map<std::string_view, size_t> pendingIndex;
  // Classify each distinct operation once; only looked up, never iterated.
  std::unordered_map<std::string_view, std::string_view> categoryOf;
  const ParamCountAnalysis &paramCounts =
      context.analyses.getAnalysis<ParamCountAnalysis>();
  for (uint32_t i = 0; i < numNodes; ++i) {
    Node &node = graph.getNode(i);
    auto [known, isNew] = categoryOf.emplace(node.op, std::string_view());
    if (isNew)
      known->second = node.isInput() || node.isOutput()
                          ? std::string_view("InOut")
                          : classifier.classify(node.op);
    std::string_view category = known->second;
    node.attrs.set(ctx, attrs::kCategory,
                   Attribute::string(ctx, std::string(category)));
    std::string_view status = attrs::getStatus(node);
    if (status == attrs::kStatusFailed) {
      colors[i] = scheme.errorColor;
    } else if ((node.isInput() || node.isOutput()) &&
               status != attrs::kStatusNotRun) {
      colors[i] = scheme.inOutColor;
    } else if (status == attrs::kStatusNotRun) {
      colors[i] = scheme.notRunColor;
    } else if (auto op = scheme.operationColors.find(node.op);
               op != scheme.operationColors.end()) {
      colors[i] = op->second;
      markUsed(colors[i]);
    } else if (auto cat = scheme.categoryColors.find(category);
               cat != scheme.categoryColors.end()) {
      colors[i] = cat->second;
      markUsed(colors[i]);
    } else {
      auto [it, inserted] = pendingIndex.emplace(node.op, pending.size());
      if (inserted)
        pending.push_back({node.op, {}, 0, false});
      PendingOperation &group = pending[it->second];
      group.nodes.push_back(i);
      group.params += paramCounts.getParamCount(i);
    }
  }

  // Step 6: free colours in ascending index order, to operations picked
  // alternately from the most-nodes and the most-parameters lists (stable
  // sorts: ties keep first appearance).
  std::vector<size_t> byCount(pending.size()), byParams(pending.size());
  std::iota(byCount.begin(), byCount.end(), 0);
  std::iota(byParams.begin(), byParams.end(), 0);
  std::stable_sort(byCount.begin(), byCount.end(), [&](size_t a, size_t b) {
    return pending[a].nodes.size() > pending[b].nodes.size();
  });
  std::stable_sort(byParams.begin(), byParams.end(), [&](size_t a, size_t b) {
    return pending[a].params > pending[b].params;
  });
  size_t nextFree = 0, countPos = 0, paramsPos = 0, assignedOps = 0;
  bool pickByCount = true;
  while (assignedOps < pending.size()) {
    while (nextFree < scheme.isFree.size() && !scheme.isFree[nextFree])
      ++nextFree;
    if (nextFree == scheme.isFree.size())
      break;
    std::vector<size_t> &list = pickByCount ? byCount : byParams;
    size_t &pos = pickByCount ? countPos : paramsPos;
    while (pending[list[pos]].assigned)
      ++pos;
    PendingOperation &group = pending[list[pos]];
    group.assigned = true;
    for (uint32_t node : group.nodes)
      colors[node] = palette.colors[nextFree];
    MAV_DEBUG(fmt::print(dbgs(),
                         "[color] {} ({} nodes, {} parameters, by {}): free "
                         "colour {} {}\n",
                         group.op, group.nodes.size(), group.params,
                         pickByCount ? "nodes" : "parameters", nextFree,
                         palette.colors[nextFree]));
    ++nextFree;
    ++assignedOps;
    pickByCount = !pickByCount;
  }

  // Step 7: the palette ran out.
  int64_t fallbackNodes = 0;
  for (const PendingOperation &group : pending) {
    if (group.assigned)
      continue;
    for (uint32_t node : group.nodes)
      colors[node] = scheme.fallbackColor;
    fallbackNodes += static_cast<int64_t>(group.nodes.size());
  }

  for (uint32_t i = 0; i < numNodes; ++i)
    graph.getNode(i).attrs.set(ctx, attrs::kColor,
                               Attribute::string(ctx, std::move(colors[i])));
  graph.getAttrs().set(ctx, attrs::kColorPalette,
                       Attribute::string(ctx, scheme.paletteLabel));
  MAV_DEBUG(fmt::print(dbgs(),
                       "[color] palette {}: {} operations given free "
                       "colours, {} nodes given the fallback {}\n",
                       scheme.paletteLabel, assignedOps, fallbackNodes,
                       scheme.fallbackColor));
  context.statistics.add("free-colors", static_cast<int64_t>(assignedOps));
  context.statistics.add("fallback", fallbackNodes);
  // Only `category`, `color` and `color.palette` changed.
  context.preserved = PreservedAnalyses::all();
  return success();
}

} // namespace

void mav::registerColorPass(PassRegistry &registry) {
  PassInfo info;
  info.name = "color";
  info.summary = "Give every node a category and a colour (IDLMAV's "
                 "palettes and precedence)";
  info.description =
      "Writes `category` (torch.nn's grouping: InOut, Convolution, Pooling, "
      "Padding, Activation, Normalization, Recurrent, Transformer, Linear, "
      "Dropout, Sparse, Distance, Loss, Vision or Uncategorized) and `color` "
      "(`#RRGGBB`) on every node, and the graph attribute `color.palette`. "
      "First match wins: failed node (role Error: #FF0000, every palette), "
      "input/output that ran (InOut: #000000; `large`: entry 5; a failed "
      "forward's not-run output is NotRun), "
      "not-run node (NotRun: #D3D3D3), an operation in the user map, a "
      "category in the user or base map, the next free palette colour "
      "(operations picked alternately by most nodes and most parameters), "
      "then the fallback colour (Uncategorized: #A5AA99; `large`: entry "
      "15). "
      "`map` entries are `KEY:VALUE` with KEY a category, a role (Error, "
      "InOut, NotRun, Uncategorized) or an operation string and VALUE a "
      "palette index or #RRGGBB, e.g. "
      "`color{map=[Convolution:7,add():0,nn.MaxPool2d:#FF00FF]}`; "
      "`map-file` is a YAML mapping of the same. See docs/MergeAndColor.md.";
  info.options = {
      {"palette",
       OptionType::StringList,
       "large",
       "palette name (large, small, any Plotly qualitative palette, '_r' "
       "for reversed) or a list of #RRGGBB colours",
       {}},
      {"avoid",
       OptionType::IntList,
       "[]",
       "palette indices never handed out as free colours",
       {}},
      {"map",
       OptionType::StringList,
       "[]",
       "KEY:VALUE colour assignments (KEY: category, role or operation; "
       "VALUE: palette index or #RRGGBB)",
       {}},
      {"map-file",
       OptionType::String,
       "",
       "YAML file mapping categories or operations to a palette index or "
       "\"#RRGGBB\" (the map option wins over it)",
       {}},
  };
  info.mainOption = "palette";
  info.statistics = {
      {"free-colors", "Operations given a free palette colour"},
      {"fallback", "Nodes given the fallback colour (palette ran out)"}};
  info.factory = [](const PassOptions &options) {
    return std::make_unique<ColorPass>(options);
  };
  registry.registerPass(std::move(info));
}
