//===- WidgetBackend.cpp - `mav-render --widget` --------------------------===//
//
// The widget spec: one JSON document with everything the interactive view
// needs (node and edge columns, table columns, slider range, dropdown
// states); front ends compose hover text and table cells from the node
// columns. The HTML page embeds it; other front ends (a notebook widget) can
// read it too. Its format is docs/Widget.md.
//
//===----------------------------------------------------------------------===//

#include "mav/Render/Backend.h"
#include "mav/Render/Figure.h"

using namespace mav;

namespace {

class WidgetBackend : public Backend {
public:
  explicit WidgetBackend(const PassOptions &options) : options(options) {}

  LogicalResult render(const Graph &graph, std::string &output,
                       DiagnosticEngine &diags) override {
    ViewOptions view;
    view.overview = view.slider = view.interactive = true;
    view.levelsShown = 0;
    RenderModel model;
    if (failed(readViewOptions(options, view, diags)) ||
        failed(buildRenderModel(graph, model, diags)))
      return failure();
    output = dumpJson(buildWidgetSpec(model, view));
    output += '\n';
    return success();
  }

private:
  PassOptions options;
};

} // namespace

void mav::registerWidgetBackend(BackendRegistry &registry) {
  BackendInfo info;
  info.name = "widget";
  info.summary = "The widget spec: JSON with everything the interactive view "
                 "needs (docs/Widget.md)";
  info.options = getViewOptionInfos(/*interactive=*/true);
  info.factory = [](const PassOptions &options) {
    return std::make_unique<WidgetBackend>(options);
  };
  registry.registerBackend(std::move(info));
}
