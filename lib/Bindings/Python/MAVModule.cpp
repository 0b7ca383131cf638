//===- MAVModule.cpp - The `mav._mav` extension module --------------------===//
//
// The C++ core as the notebook package sees it: a model graph with its own
// IRContext, built from a torch.export program (the `.pt2` reader, in
// memory) or from IR text, on which passes run and backends render. No
// libtorch: the Python side captures the model with torch and hands over
// the serialized program.
//
// Every diagnostic the core reports is collected; an error becomes a
// `mav.MavError` carrying the same `file:line:col: error: ...` text the
// tools print, warnings are returned to Python, and nothing is printed.
//
//===----------------------------------------------------------------------===//

#include "mav/IR/IRContext.h"
#include "mav/IR/ModelAttributes.h"
#include "mav/IR/Parser.h"
#include "mav/IR/Printer.h"
#include "mav/IR/Verifier.h"
#include "mav/Import/ExportArchive.h"
#include "mav/Pass/PassManager.h"
#include "mav/Render/Backend.h"
#include "mav/Render/Figure.h"
#include "mav/Render/RenderMain.h"
#include "mav/Render/WebAssets.h"
#include "mav/Transforms/Passes.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace py = pybind11;
using namespace mav;

namespace {

/// The registered passes and backends, filled once.
struct Registries {
  PassRegistry passes;
  BackendRegistry backends;
  Registries() {
    registerAllPasses(passes);
    registerAllBackends(backends);
  }
};

const Registries &getRegistries() {
  static const Registries registries;
  return registries;
}
const PassRegistry &getPasses() { return getRegistries().passes; }
const BackendRegistry &getBackends() { return getRegistries().backends; }

/// The exception every core error becomes (registered as mav.MavError).
struct MavError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A DiagnosticEngine that keeps what it is told: errors become the text
/// of a MavError, warnings are handed to Python.
class Collector {
public:
  Collector() {
    diags.setHandler([this](const Diagnostic &diag) {
      std::string text = formatDiagnostic(diag);
      while (!text.empty() && text.back() == '\n')
        text.pop_back();
      (diag.severity == Severity::Error ? errors : warnings).push_back(text);
    });
  }
  DiagnosticEngine &get() { return diags; }
  std::vector<std::string> takeWarnings() { return std::move(warnings); }
  /// Throws the collected errors, or `fallback` when none was reported.
  [[noreturn]] void fail(const std::string &fallback) {
    std::string message;
    for (const std::string &error : errors)
      message += (message.empty() ? "" : "\n") + error;
    throw MavError(message.empty() ? fallback : message);
  }

private:
  DiagnosticEngine diags;
  std::vector<std::string> errors, warnings;
};

/// A graph and the context that owns its types and attributes; destroying
/// it frees both.
class PyGraph {
public:
  PyGraph(std::unique_ptr<IRContext> context, std::unique_ptr<Graph> graph,
          std::vector<std::string> warnings)
      : context(std::move(context)), graph(std::move(graph)),
        warnings(std::move(warnings)) {}

  static std::unique_ptr<PyGraph> parse(const std::string &text,
                                        const std::string &name) {
    auto context = std::make_unique<IRContext>();
    Collector collector;
    auto buffer = std::make_shared<SourceBuffer>(name, text);
    std::unique_ptr<Graph> graph =
        parseGraph(*context, buffer, collector.get());
    if (!graph || failed(verify(*graph, collector.get())))
      collector.fail(name + ": error: the IR could not be read");
    return std::make_unique<PyGraph>(std::move(context), std::move(graph),
                                     collector.takeWarnings());
  }

  static std::unique_ptr<PyGraph> fromExportJson(
      const py::bytes &json, const std::string &name,
      const std::string &granularity,
      std::vector<std::vector<std::string>> tiedParameters,
      std::map<std::string, std::vector<std::string>> moduleClasses) {
    ExportImportOptions options;
    if (granularity == "op")
      options.granularity = ExportGranularity::Op;
    else if (granularity != "module")
      throw py::value_error("granularity must be 'module' or 'op', not '" +
                            granularity + "'");
    options.source = name;
    options.tiedParameters = std::move(tiedParameters);
    options.moduleClasses = std::move(moduleClasses);
    std::string_view bytes = json;
    return import(
        name, "exported program", [&](IRContext &ctx, DiagnosticEngine &diags) {
          return importExportedProgramJson(ctx, bytes, name, options, diags);
        });
  }

  static std::unique_ptr<PyGraph> fromExportArchive(const py::bytes &data,
                                                    const std::string &name) {
    ExportImportOptions options;
    options.source = name;
    std::string_view bytes = data;
    return import(
        name, "archive", [&](IRContext &ctx, DiagnosticEngine &diags) {
          return importExportArchive(ctx, bytes, name, options, diags);
        });
  }

  /// Runs an importer into a new context, without the GIL; raises its
  /// errors as a MavError.
  template <typename Importer>
  static std::unique_ptr<PyGraph>
  import(const std::string &name, const std::string &what, Importer importer) {
    auto context = std::make_unique<IRContext>();
    Collector collector;
    std::optional<Graph> graph;
    {
      py::gil_scoped_release release;
      graph = importer(*context, collector.get());
    }
    if (!graph || failed(verify(*graph, collector.get())))
      collector.fail(name + ": error: the " + what + " could not be read");
    return std::make_unique<PyGraph>(std::move(context),
                                     std::make_unique<Graph>(std::move(*graph)),
                                     collector.takeWarnings());
  }

  std::string print(bool locations) const {
    PrintOptions options;
    options.printLocations = locations;
    return printGraphToString(*graph, options);
  }

  /// Runs a pass pipeline (`merge{threshold=0.05},layout`) in place.
  std::vector<std::string> run(const std::string &pipeline) {
    Collector collector;
    std::vector<PipelineElement> elements;
    if (failed(parsePassPipeline(pipeline, getPasses(), elements,
                                 collector.get())))
      collector.fail("invalid pass pipeline '" + pipeline + "'");
    std::vector<std::string> dumps;
    PassManager pm(collector.get(), PassManagerOptions(),
                   [&](const std::string &text) { dumps.push_back(text); });
    for (PipelineElement &element : elements)
      pm.addPass(std::move(element));
    LogicalResult result = success();
    {
      py::gil_scoped_release release;
      result = pm.run(*graph);
    }
    if (failed(result))
      collector.fail("the pass pipeline '" + pipeline + "' failed");
    return collector.takeWarnings();
  }

  /// Renders with `backend` (`html`, `plotly-json`, `widget`); `options`
  /// are the backend's options by name, as mav-render takes them. Runs the
  /// default cost/layout/color passes the graph still lacks, as mav-render
  /// does.
  std::string render(const std::string &backendName,
                     const std::map<std::string, std::string> &given) {
    const BackendInfo *info = getBackends().lookup(backendName);
    if (!info)
      throw py::value_error("unknown backend '" + backendName + "'");
    PassOptions options;
    setDefaultBackendOptions(*info, options);
    for (const auto &[name, text] : given) {
      const PassOptionInfo *option = info->findOption(name);
      if (!option)
        throw py::value_error("'" + name + "' is not an option of the '" +
                              backendName + "' backend");
      OptionValue value;
      std::string message;
      if (!parseOptionValue(*option, text, value, message))
        throw py::value_error("invalid value '" + text + "' for '" + name +
                              "': " + message);
      options.set(name, std::move(value));
    }
    Collector collector;
    std::string output;
    {
      py::gil_scoped_release release;
      if (succeeded(runDefaultPasses(*graph, getPasses(), collector.get()))) {
        std::unique_ptr<Backend> backend = info->factory(options);
        if (failed(backend->render(*graph, output, collector.get())))
          output.clear();
      }
    }
    if (collector.get().getNumErrors())
      collector.fail("rendering failed");
    return output;
  }

  /// The graph's cost totals (cost.total_*), after running the cost pass
  /// if it has not run.
  std::map<std::string, int64_t> totals() {
    if (!graph->getAttrs().contains(attrs::kCostTotalParams))
      run("cost");
    std::map<std::string, int64_t> result;
    const DictAttr &graphAttrs = graph->getAttrs();
    std::string_view prefix = "cost.total_";
    for (const NamedAttribute &entry : graphAttrs)
      if (entry.name.substr(0, prefix.size()) == prefix && entry.value.isInt())
        result[std::string(entry.name.substr(prefix.size()))] =
            entry.value.getInt();
    return result;
  }

  size_t size() const { return graph->size(); }
  std::vector<std::string> takeWarnings() { return std::move(warnings); }

private:
  std::unique_ptr<IRContext> context;
  std::unique_ptr<Graph> graph;
  std::vector<std::string> warnings;
};

} // namespace

PYBIND11_MODULE(_mav, m) {
  m.doc() = "mav's C++ core: the .pt2 reader, the passes and the renderers";
  static py::exception<MavError> mavError(m, "MavError", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr error) {
    try {
      if (error)
        std::rethrow_exception(error);
    } catch (const MavError &e) {
      mavError(e.what());
    }
  });

  py::class_<PyGraph>(m, "Graph")
      .def_static("parse", &PyGraph::parse, py::arg("text"),
                  py::arg("name") = "<ir>",
                  "Reads model-graph IR text; raises MavError on bad IR")
      .def_static("from_export_json", &PyGraph::fromExportJson, py::arg("json"),
                  py::arg("name"), py::arg("granularity") = "module",
                  py::arg("tied_parameters") =
                      std::vector<std::vector<std::string>>(),
                  py::arg("module_classes") =
                      std::map<std::string, std::vector<std::string>>(),
                  "Imports a serialized ExportedProgram (the JSON of a .pt2)")
      .def_static("from_export_archive", &PyGraph::fromExportArchive,
                  py::arg("data"), py::arg("name"),
                  "Imports a torch.export archive (.pt2) held in memory")
      .def("print", &PyGraph::print, py::arg("locations") = true)
      .def("run", &PyGraph::run, py::arg("pipeline"),
           "Runs a pass pipeline in place; returns the warnings")
      .def("render", &PyGraph::render, py::arg("backend"),
           py::arg("options") = std::map<std::string, std::string>())
      .def("totals", &PyGraph::totals)
      .def("take_warnings", &PyGraph::takeWarnings)
      .def("__len__", &PyGraph::size);

  m.def(
      "plotly_js",
      [] {
        return py::bytes(web::getPlotlyJs().data(), web::getPlotlyJs().size());
      },
      "The partial plotly.js bundle the offline page inlines (empty when "
      "the build had none)");
  m.attr("plotly_cdn_url") = kPlotlyCdnUrl;
  m.attr("export_schema_major_version") = kExportSchemaMajorVersion;
}
