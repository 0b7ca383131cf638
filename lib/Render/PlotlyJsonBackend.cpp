//===- PlotlyJsonBackend.cpp - `mav-render --plotly-json` -----------------===//
//
// IDLMAV's portable figure as Plotly figure JSON: a document that plotly.js
// (`Plotly.newPlot(div, fig)`) and plotly.py (`plotly.io.from_json`) load as
// is, and that Jupyter shows through the `application/vnd.plotly.v1+json`
// MIME bundle (docs/Jupyter.md).
//
//===----------------------------------------------------------------------===//

#include "mav/Render/Backend.h"
#include "mav/Render/Figure.h"

using namespace mav;

namespace {

class PlotlyJsonBackend : public Backend {
public:
  explicit PlotlyJsonBackend(const PassOptions &options) : options(options) {}

  LogicalResult render(const Graph &graph, std::string &output,
                       DiagnosticEngine &diags) override {
    ViewOptions view;
    RenderModel model;
    if (failed(readViewOptions(options, view, diags)) ||
        failed(buildRenderModel(graph, model, diags)))
      return failure();
    output = dumpJson(buildPlotlyFigure(model, view));
    output += '\n';
    return success();
  }

private:
  PassOptions options;
};

} // namespace

void mav::registerPlotlyJsonBackend(BackendRegistry &registry) {
  BackendInfo info;
  info.name = "plotly-json";
  info.summary = "IDLMAV's portable figure as Plotly figure JSON (data + "
                 "layout)";
  info.description =
      "Main graph (one marker trace for the nodes, one line trace for the "
      "edges), an optional overview and slider, the table of nodes and the "
      "size/colour dropdown, in one figure that plotly.js and plotly.py load "
      "as is.";
  info.options = getViewOptionInfos(/*interactive=*/false);
  info.factory = [](const PassOptions &options) {
    return std::make_unique<PlotlyJsonBackend>(options);
  };
  registry.registerBackend(std::move(info));
}
