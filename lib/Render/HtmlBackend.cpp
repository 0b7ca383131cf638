//===- HtmlBackend.cpp - `mav-render --html` ------------------------------===//
//
// One standalone page: the front end of lib/Render/web/ (embedded at build
// time), the widget spec in a `<script type="application/json">` element,
// and plotly.js from a pinned CDN URL, or inlined with `--offline` so the
// page works with no network at all.
//
// Everything placed in the page is escaped for where it lands: the title as
// HTML text, the spec as JSON with `<`, `>`, `&`, U+2028/2029 as \u escapes
// (escapeJsonForScript), inlined scripts with `</script` and `<!--` broken
// up. The template is expanded in one pass, so text inserted for one
// placeholder is never scanned for another.
//
//===----------------------------------------------------------------------===//

#include "mav/Render/Backend.h"
#include "mav/Render/Figure.h"
#include "mav/Render/WebAssets.h"

#include <fmt/format.h>

using namespace mav;

/// Appends `script` to `out`, made safe inside an inline `<script>`
/// element: `</script` (any case) and `<!--` cannot end or confuse the
/// element. Both only occur in strings, regular expressions or comments of
/// well-formed code, where `<\/` and `<\!--` mean the same. The text between
/// two `<` is copied in one piece: this runs over all of plotly.js.
static void appendInlineScript(std::string &out, std::string_view script) {
  size_t pos = 0;
  while (true) {
    size_t lt = script.find('<', pos);
    if (lt == std::string_view::npos || lt + 1 >= script.size())
      break;
    std::string_view rest = script.substr(lt + 1);
    bool closesScript = false;
    if (rest.size() >= 7 && rest[0] == '/') {
      static constexpr std::string_view kScript = "script";
      closesScript = true;
      for (size_t k = 0; k < kScript.size(); ++k)
        if (std::tolower(static_cast<unsigned char>(rest[k + 1])) != kScript[k])
          closesScript = false;
    }
    if (closesScript) {
      out.append(script.data() + pos, lt - pos);
      out += "<\\/";
      pos = lt + 2;
    } else if (rest.substr(0, 3) == "!--") {
      out.append(script.data() + pos, lt - pos);
      out += "<\\!--";
      pos = lt + 4;
    } else {
      out.append(script.data() + pos, lt + 1 - pos);
      pos = lt + 1;
    }
  }
  out.append(script.data() + pos, script.size() - pos);
}

/// Appends `page` to `out` with each `@NAME@` replaced by the text
/// `appendValue(NAME, out)` appends, in a single pass (the inserted text is
/// never scanned for placeholders). Returns false for an unknown name,
/// which is then copied as it is.
template <typename AppendValue>
static void expandTemplate(std::string &out, std::string_view page,
                           AppendValue appendValue) {
  size_t pos = 0;
  while (pos < page.size()) {
    size_t start = page.find('@', pos);
    if (start == std::string_view::npos)
      break;
    size_t end = page.find('@', start + 1);
    if (end == std::string_view::npos)
      break;
    out.append(page.data() + pos, start - pos);
    if (!appendValue(page.substr(start + 1, end - start - 1))) {
      out.append(page.data() + start, end - start);
      pos = end;
      continue;
    }
    pos = end + 1;
  }
  out.append(page.data() + pos, page.size() - pos);
}

namespace {

class HtmlBackend : public Backend {
public:
  explicit HtmlBackend(const PassOptions &options) : options(options) {}

  LogicalResult render(const Graph &graph, std::string &output,
                       DiagnosticEngine &diags) override {
    bool offline = options.getBool("offline");
    if (offline && web::getPlotlyJs().empty()) {
      diags.error(SourceLoc{},
                  fmt::format("--offline needs plotly.js, but this mav-render "
                              "was built without it (looked for '{}'); run "
                              "utils/plotly-bundle/build.sh and re-configure, "
                              "or set MAV_PLOTLY_BUNDLE",
                              web::getPlotlyJsPath()));
      return failure();
    }
    ViewOptions view;
    view.overview = view.slider = view.interactive = true;
    view.levelsShown = 0;
    RenderModel model;
    if (failed(readViewOptions(options, view, diags)) ||
        failed(buildRenderModel(graph, model, diags)))
      return failure();

    std::string title = escapeHtml(model.title);
    std::string spec = dumpJson(buildWidgetSpec(model, view));
    std::string_view plotlyJs = offline ? web::getPlotlyJs() : "";
    output.clear();
    output.reserve(web::getPageTemplate().size() + web::getStyleSheet().size() +
                   web::getAppScript().size() + plotlyJs.size() + spec.size() +
                   spec.size() / 16 + 4096);
    expandTemplate(output, web::getPageTemplate(), [&](std::string_view name) {
      if (name == "MAV_TITLE") {
        output += title;
      } else if (name == "MAV_STYLE") {
        output += web::getStyleSheet();
      } else if (name == "MAV_PLOTLY") {
        if (offline) {
          output += "<script>";
          appendInlineScript(output, plotlyJs);
          output += "</script>";
        } else {
          output += fmt::format(
              "<script src=\"{}\" charset=\"utf-8\"></script>", kPlotlyCdnUrl);
        }
      } else if (name == "MAV_SPEC") {
        appendJsonForScript(output, spec);
      } else if (name == "MAV_APP") {
        appendInlineScript(output, web::getAppScript());
      } else {
        return false;
      }
      return true;
    });
    return success();
  }

private:
  PassOptions options;
};

} // namespace

void mav::registerHtmlBackend(BackendRegistry &registry) {
  BackendInfo info;
  info.name = "html";
  info.summary = "A standalone interactive page: synchronised graph, "
                 "overview, slider, table, dropdown and search";
  info.options = getViewOptionInfos(/*interactive=*/true);
  info.options.push_back(
      {"offline",
       OptionType::Bool,
       "false",
       fmt::format("Inline plotly.js {} (scatter and scattergl only, ~1.2 MB) "
                   "instead of loading it from the CDN",
                   kPlotlyJsVersion),
       {}});
  info.factory = [](const PassOptions &options) {
    return std::make_unique<HtmlBackend>(options);
  };
  registry.registerBackend(std::move(info));
}
