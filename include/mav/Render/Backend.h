//===- Backend.h - Renderer interface and the backend registry --*- C++ -*-===//
//
// A backend lowers a laid-out, coloured and costed Graph to one output format
// (Plotly figure JSON, the widget spec, a standalone HTML page). Backends are
// registered like passes: a name (which is also the `mav-render --NAME` flag),
// a summary, typed options with defaults and help, and a factory. The options
// reuse the pass option machinery (PassOptionInfo, PassOptions,
// parseOptionValue), so `mav-render` validates `--levels-shown=x` exactly as
// `mav-opt` validates a pass option. Backends only read the graph.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_RENDER_BACKEND_H
#define MAV_RENDER_BACKEND_H

#include "mav/IR/Graph.h"
#include "mav/Pass/PassRegistry.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mav {

class Backend {
public:
  virtual ~Backend();
  /// Renders `graph` into `output`. The graph must already carry positions
  /// (`layout.x`, `layout.y`); a missing or malformed attribute is reported
  /// as a diagnostic at the node and the backend fails.
  virtual LogicalResult render(const Graph &graph, std::string &output,
                               DiagnosticEngine &diags) = 0;
};

struct BackendInfo {
  /// The output format's name and command-line flag (`plotly-json`).
  std::string name;
  std::string summary;
  /// Longer text for `--list-backends` and docs (may be empty).
  std::string description;
  /// Options the backend takes; a Bool option is a flag without a value
  /// (`--no-table`), the others take one (`--levels-shown=10`).
  std::vector<PassOptionInfo> options;
  std::function<std::unique_ptr<Backend>(const PassOptions &)> factory;

  const PassOptionInfo *findOption(std::string_view optionName) const;
};

class BackendRegistry {
public:
  /// Adds a backend; registering a name twice is a programming error.
  void registerBackend(BackendInfo info);
  const BackendInfo *lookup(std::string_view name) const;
  /// Registered backends sorted by name.
  std::vector<const BackendInfo *> getBackends() const;

private:
  std::map<std::string, BackendInfo, std::less<>> backends;
};

/// Fills `options` with the defaults of every option of `info`.
void setDefaultBackendOptions(const BackendInfo &info, PassOptions &options);

/// The text of `mav-render --list-backends`.
std::string printBackendListText(const BackendRegistry &registry);

/// Registers `plotly-json`, `widget` and `html`.
void registerAllBackends(BackendRegistry &registry);

/// One registration function per backend file (lib/Render/*Backend.cpp).
void registerPlotlyJsonBackend(BackendRegistry &registry);
void registerWidgetBackend(BackendRegistry &registry);
void registerHtmlBackend(BackendRegistry &registry);
void registerSvgBackend(BackendRegistry &registry);

} // namespace mav

#endif // MAV_RENDER_BACKEND_H
