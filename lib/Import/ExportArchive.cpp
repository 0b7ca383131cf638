//===- ExportArchive.cpp - The zip side of the .pt2 reader ----------------===//
//
// Opens a torch.export archive with libzip from a byte buffer (a file is
// mapped into memory and read the same way), finds which layout it has and
// decompresses its graph JSON, nothing else: weight payloads stay compressed
// and unread, so importing a model with a gigabyte of weights reads the same
// few kilobytes to megabytes as with a megabyte. The JSON goes to
// importExportedProgramJson (ExportedProgram.cpp).
//
// An archive is hostile until proven otherwise: entry names are checked
// before anything is looked up (no `../`, no absolute paths), the number of
// entries and the size a JSON entry claims are capped before anything is
// allocated, and a read stops at the cap whatever the entry claimed.
//
//===----------------------------------------------------------------------===//

#include "mav/Import/ExportArchive.h"

#include "StateDictPickle.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <memory>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <zip.h>

using namespace mav;

namespace {

/// The legacy layout's graph entry (PyTorch 2.1 to 2.7).
constexpr std::string_view kLegacyProgramEntry =
    "serialized_exported_program.json";
/// The legacy layout's state dict, beside its graph entry: a torch.save
/// archive inside the archive.
constexpr std::string_view kLegacyStateDictEntry = "serialized_state_dict.pt";
/// The PT2 archive's marker entry (PyTorch 2.8 and later).
constexpr std::string_view kArchiveFormatEntry = "archive_format";

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}
bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

/// Whether a zip entry name could escape a directory it were extracted to:
/// absolute, or with a `..` component. mav never extracts, but such a name
/// is a sign of a crafted archive and is refused.
bool isUnsafeEntryName(std::string_view name) {
  if (name.empty() || name[0] == '/' || name[0] == '\\')
    return true;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find_first_of("/\\", start);
    if (end == std::string_view::npos)
      end = name.size();
    if (name.substr(start, end - start) == "..")
      return true;
    start = end + 1;
  }
  return false;
}

/// Owns a zip_t and closes it (discarding, as it is read-only).
struct ZipCloser {
  void operator()(zip_t *archive) const { zip_discard(archive); }
};
using ZipHandle = std::unique_ptr<zip_t, ZipCloser>;

/// An opened archive, or the libzip error message.
struct OpenedZip {
  ZipHandle archive;
  std::string error;
};

OpenedZip openZipBuffer(std::string_view bytes) {
  OpenedZip result;
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t *source =
      zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (!source) {
    result.error = zip_error_strerror(&error);
    zip_error_fini(&error);
    return result;
  }
  zip_t *archive = zip_open_from_source(source, ZIP_RDONLY, &error);
  if (!archive) {
    zip_source_free(source);
    result.error = zip_error_strerror(&error);
    zip_error_fini(&error);
    return result;
  }
  zip_error_fini(&error);
  result.archive.reset(archive);
  return result;
}

/// A file mapped read-only: the archive readers see it as a byte buffer,
/// and only the pages they touch (the central directory, the JSON entries)
/// are ever read from disk, however large the weights are.
class MappedFile {
public:
  /// Maps `path`; on failure isOpen() is false and error() says why.
  explicit MappedFile(const std::string &path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      message = std::strerror(errno);
      return;
    }
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      message = S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file";
      ::close(fd);
      return;
    }
    size = static_cast<size_t>(st.st_size);
    if (size > 0) {
      void *mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (mapped == MAP_FAILED) {
        message = std::strerror(errno);
        ::close(fd);
        return;
      }
      data = static_cast<const char *>(mapped);
    }
    ::close(fd);
    open = true;
  }
  ~MappedFile() {
    if (data)
      ::munmap(const_cast<char *>(data), size);
  }
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;

  bool isOpen() const { return open; }
  const std::string &error() const { return message; }
  std::string_view bytes() const { return {data ? data : "", size}; }

private:
  const char *data = nullptr;
  size_t size = 0;
  bool open = false;
  std::string message;
};

bool hasZipMagic(std::string_view head) {
  // A local file header, or the end of central directory of an empty zip.
  return startsWith(head, std::string_view("PK\x03\x04", 4)) ||
         startsWith(head, std::string_view("PK\x05\x06", 4));
}

/// Where the graph of an export archive is, by layout.
struct ArchiveLayout {
  enum Kind { None, Pt2, Legacy } kind = None;
  /// The entry holding the serialized ExportedProgram.
  std::string programEntry;
  /// PT2: the `archive_format` entry; its folder is the archive's root.
  std::string formatEntry;
};

/// The names of the archive's entries, refused if there are too many or
/// one is unsafe. Returns false with `error` set.
bool readEntryNames(zip_t *archive, std::vector<std::string> &names,
                    std::string &error) {
  zip_int64_t count = zip_get_num_entries(archive, 0);
  if (count < 0) {
    error = "cannot list the entries of the zip archive";
    return false;
  }
  if (static_cast<uint64_t>(count) > kMaxExportArchiveEntries) {
    error = fmt::format("the archive has {} entries, more than the {} mav "
                        "reads",
                        count, kMaxExportArchiveEntries);
    return false;
  }
  names.reserve(static_cast<size_t>(count));
  for (zip_int64_t i = 0; i < count; ++i) {
    const char *name =
        zip_get_name(archive, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
    if (!name) {
      error = fmt::format("cannot read the name of entry {}", i);
      return false;
    }
    if (isUnsafeEntryName(name)) {
      error = fmt::format("entry name '{}' is absolute or contains '..'; "
                          "refusing a crafted archive",
                          escapeForTerminal(name));
      return false;
    }
    names.emplace_back(name);
  }
  return true;
}

/// Finds the layout from the entry names. The graph may sit at the root or
/// in one top-level folder (torch.export.save names it after the file).
ArchiveLayout findLayout(const std::vector<std::string> &names) {
  ArchiveLayout layout;
  // Folder depth of an entry: 0 at the root, 1 in a top-level folder.
  auto folderOf = [](std::string_view name,
                     std::string_view leaf) -> std::optional<std::string_view> {
    if (!endsWith(name, leaf))
      return std::nullopt;
    std::string_view folder = name.substr(0, name.size() - leaf.size());
    if (folder.empty())
      return folder;
    if (folder.back() != '/' ||
        folder.substr(0, folder.size() - 1).find('/') != std::string::npos)
      return std::nullopt;
    return folder;
  };
  for (const std::string &name : names) {
    if (auto folder = folderOf(name, kArchiveFormatEntry)) {
      if (layout.kind != ArchiveLayout::Pt2 || name < layout.formatEntry) {
        layout.kind = ArchiveLayout::Pt2;
        layout.formatEntry = name;
      }
    }
  }
  if (layout.kind == ArchiveLayout::Pt2) {
    std::string modelsFolder =
        layout.formatEntry.substr(0, layout.formatEntry.size() -
                                         kArchiveFormatEntry.size()) +
        "models/";
    // `models/model.json` is what torch.export.save writes; an archive of
    // several models is read by its first in name order otherwise.
    std::vector<std::string> candidates;
    for (const std::string &name : names)
      if (startsWith(name, modelsFolder) && endsWith(name, ".json") &&
          name.find('/', modelsFolder.size()) == std::string::npos)
        candidates.push_back(name);
    std::sort(candidates.begin(), candidates.end());
    auto preferred = std::find(candidates.begin(), candidates.end(),
                               modelsFolder + "model.json");
    if (preferred != candidates.end())
      layout.programEntry = *preferred;
    else if (!candidates.empty())
      layout.programEntry = candidates.front();
    return layout;
  }
  for (const std::string &name : names) {
    if (folderOf(name, kLegacyProgramEntry)) {
      if (layout.kind != ArchiveLayout::Legacy || name < layout.programEntry) {
        layout.kind = ArchiveLayout::Legacy;
        layout.programEntry = name;
      }
    }
  }
  return layout;
}

/// Decompresses entry `name` into `out`, refusing entries that claim or
/// turn out to hold more than `limit` bytes.
bool readEntry(zip_t *archive, const std::string &name, uint64_t limit,
               std::string &out, std::string &error) {
  zip_int64_t index = zip_name_locate(archive, name.c_str(), ZIP_FL_ENC_RAW);
  if (index < 0) {
    error = fmt::format("entry '{}' not found", escapeForTerminal(name));
    return false;
  }
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(archive, static_cast<zip_uint64_t>(index), 0, &stat) !=
      0) {
    error = fmt::format("cannot read entry '{}': {}", escapeForTerminal(name),
                        zip_strerror(archive));
    return false;
  }
  if ((stat.valid & ZIP_STAT_SIZE) && stat.size > limit) {
    error = fmt::format("entry '{}' claims {} bytes, more than the limit of "
                        "{} bytes for a JSON entry",
                        escapeForTerminal(name), stat.size, limit);
    return false;
  }
  zip_file_t *file =
      zip_fopen_index(archive, static_cast<zip_uint64_t>(index), 0);
  if (!file) {
    error = fmt::format("cannot open entry '{}': {}", escapeForTerminal(name),
                        zip_strerror(archive));
    return false;
  }
  out.clear();
  if (stat.valid & ZIP_STAT_SIZE)
    out.reserve(static_cast<size_t>(stat.size));
  char chunk[1 << 16];
  while (true) {
    zip_int64_t got = zip_fread(file, chunk, sizeof(chunk));
    if (got < 0) {
      error = fmt::format("cannot decompress entry '{}': {}",
                          escapeForTerminal(name), zip_file_strerror(file));
      zip_fclose(file);
      return false;
    }
    if (got == 0)
      break;
    if (out.size() + static_cast<uint64_t>(got) > limit) {
      error = fmt::format("entry '{}' holds more than the limit of {} bytes "
                          "for a JSON entry",
                          escapeForTerminal(name), limit);
      zip_fclose(file);
      return false;
    }
    out.append(chunk, static_cast<size_t>(got));
  }
  if (zip_fclose(file) != 0) {
    error = fmt::format("cannot decompress entry '{}': {}",
                        escapeForTerminal(name), zip_strerror(archive));
    return false;
  }
  return true;
}

ModelFileKind classifyOpened(const OpenedZip &opened) {
  std::vector<std::string> names;
  // An archive mav would refuse is still an export archive if it looks like
  // one, so that the refusal comes from the .pt2 reader.
  zip_int64_t count = zip_get_num_entries(opened.archive.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const char *name = zip_get_name(
        opened.archive.get(), static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
    if (name)
      names.emplace_back(name);
  }
  if (findLayout(names).kind != ArchiveLayout::None)
    return ModelFileKind::ExportArchive;
  // TorchScript archives have `<folder>/data.pkl` and `<folder>/code/`.
  return ModelFileKind::OtherZip;
}

/// The tied parameters of a PT2 weights config (`{"config": {"a.weight":
/// {"path_name": "weight_0", ...}, ...}}`): names that share a payload
/// file are one tensor. Returns false with `error` set on malformed JSON.
bool readTiedParameters(const std::string &text,
                        std::vector<std::vector<std::string>> &groups,
                        std::string &error) {
  using json = nlohmann::json;
  json config;
  try {
    config = json::parse(text);
  } catch (const json::exception &e) {
    error = fmt::format("malformed JSON: {}", e.what());
    return false;
  } catch (const std::bad_alloc &) {
    error = "out of memory while parsing the JSON";
    return false;
  }
  const json *entries = config.is_object() && config.contains("config")
                            ? &config["config"]
                            : nullptr;
  if (!entries || !entries->is_object()) {
    error = "expected an object with a 'config' object";
    return false;
  }
  // Sorted by payload file so that the groups come out in a fixed order.
  std::map<std::string, std::vector<std::string>> byPath;
  for (auto it = entries->begin(); it != entries->end(); ++it) {
    const json &entry = it.value();
    if (!entry.is_object() || !entry.contains("path_name") ||
        !entry["path_name"].is_string()) {
      error = fmt::format("entry '{}' has no string 'path_name'",
                          escapeForTerminal(it.key()));
      return false;
    }
    byPath[entry["path_name"].get<std::string>()].push_back(it.key());
  }
  for (auto &[path, names] : byPath)
    if (names.size() > 1)
      groups.push_back(std::move(names));
  return true;
}

/// The tied parameters of a legacy archive. Its state dict entry is a zip
/// of its own (torch.save's), opened in place: libzip reads a stored entry
/// through a seekable window on the outer archive, so only the inner
/// central directory and `<folder>/data.pkl` are read, never the
/// storages. data.pkl, a pickle, names each tensor and its storage
/// (StateDictPickle.cpp). Returns false with `error` set.
bool readLegacyTiedParameters(zip_t *archive, const std::string &entry,
                              std::vector<std::vector<std::string>> &groups,
                              std::string &error) {
  zip_int64_t index = zip_name_locate(archive, entry.c_str(), ZIP_FL_ENC_RAW);
  zip_source_t *source =
      index < 0 ? nullptr
                : zip_source_zip(archive, archive,
                                 static_cast<zip_uint64_t>(index), 0, 0, -1);
  if (!source) {
    error = fmt::format("cannot open it: {}", zip_strerror(archive));
    return false;
  }
  zip_error_t openError;
  zip_error_init(&openError);
  ZipHandle stateDict(zip_open_from_source(source, ZIP_RDONLY, &openError));
  if (!stateDict) {
    // (A compressed entry cannot be opened in place; reading it whole
    // would decompress the weights.)
    zip_source_free(source);
    error = fmt::format("not a zip archive mav can open in place: {}",
                        zip_error_strerror(&openError));
    zip_error_fini(&openError);
    return false;
  }
  zip_error_fini(&openError);
  std::vector<std::string> names;
  if (!readEntryNames(stateDict.get(), names, error))
    return false;
  // torch.save writes `<folder>/data.pkl`, the folder named after the file.
  auto pickleEntry =
      std::find_if(names.begin(), names.end(), [](const std::string &name) {
        size_t slash = name.find('/');
        return slash != std::string::npos &&
               std::string_view(name).substr(slash) == "/data.pkl";
      });
  if (pickleEntry == names.end()) {
    error = "no '<folder>/data.pkl' entry";
    return false;
  }
  std::string pickle;
  if (!readEntry(stateDict.get(), *pickleEntry, kMaxExportJsonBytes, pickle,
                 error))
    return false;
  if (!import::readTiedTensors(pickle, groups, error)) {
    error = fmt::format("{}: {}", escapeForTerminal(*pickleEntry), error);
    return false;
  }
  return true;
}

/// Reads the graph of an opened archive. `name` names the archive in
/// diagnostics.
std::optional<Graph> importOpened(IRContext &ctx, const OpenedZip &opened,
                                  std::string_view name,
                                  const ExportImportOptions &options,
                                  DiagnosticEngine &diags) {
  auto fail = [&](const std::string &message) -> std::optional<Graph> {
    diags.error(SourceLoc(),
                fmt::format("{}: {}", escapeForTerminal(name), message));
    return std::nullopt;
  };
  if (!opened.archive)
    return fail(fmt::format("not a readable zip archive (truncated or "
                            "corrupt?): {}",
                            opened.error));
  zip_t *archive = opened.archive.get();
  std::vector<std::string> names;
  std::string error;
  if (!readEntryNames(archive, names, error))
    return fail(error);
  ArchiveLayout layout = findLayout(names);
  if (layout.kind == ArchiveLayout::None)
    return fail(fmt::format("not a torch.export archive: no '{}' (PyTorch "
                            "2.8 and later) or '{}' (earlier) entry",
                            kArchiveFormatEntry, kLegacyProgramEntry));
  if (layout.kind == ArchiveLayout::Pt2) {
    std::string format;
    if (!readEntry(archive, layout.formatEntry, 4096, format, error))
      return fail(error);
    while (!format.empty() &&
           std::isspace(static_cast<unsigned char>(format.back())))
      format.pop_back();
    if (format != "pt2")
      return fail(fmt::format("'{}' says '{}'; mav reads the 'pt2' archive "
                              "format",
                              escapeForTerminal(layout.formatEntry),
                              escapeForTerminal(format.substr(0, 64))));
    if (layout.programEntry.empty())
      return fail(fmt::format(
          "the archive has no model: no '{}models/<name>.json' entry",
          layout.formatEntry.substr(0, layout.formatEntry.size() -
                                           kArchiveFormatEntry.size())));
  }
  std::string json;
  if (!readEntry(archive, layout.programEntry, kMaxExportJsonBytes, json,
                 error))
    return fail(error);
  ExportImportOptions jsonOptions = options;
  if (layout.kind == ArchiveLayout::Pt2) {
    // `models/<name>.json` keeps its weights' names and files in
    // `data/weights/<name>_weights_config.json`.
    std::string root = layout.formatEntry.substr(
        0, layout.formatEntry.size() - kArchiveFormatEntry.size());
    std::string model = layout.programEntry.substr(
        root.size() + std::string_view("models/").size());
    model.resize(model.size() - std::string_view(".json").size());
    std::string configEntry =
        fmt::format("{}data/weights/{}_weights_config.json", root, model);
    if (zip_name_locate(archive, configEntry.c_str(), ZIP_FL_ENC_RAW) >= 0) {
      std::string config;
      if (!readEntry(archive, configEntry, kMaxExportJsonBytes, config,
                     error) ||
          !readTiedParameters(config, jsonOptions.tiedParameters, error))
        return fail(fmt::format("{}: {}", configEntry, error));
    }
  }
  if (layout.kind == ArchiveLayout::Legacy) {
    // No weights config before 2.8: which names are one tensor is in the
    // pickled state dict beside the graph, if the archive has one.
    std::string stateDictEntry =
        layout.programEntry.substr(0, layout.programEntry.size() -
                                          kLegacyProgramEntry.size()) +
        std::string(kLegacyStateDictEntry);
    if (zip_name_locate(archive, stateDictEntry.c_str(), ZIP_FL_ENC_RAW) >= 0 &&
        !readLegacyTiedParameters(archive, stateDictEntry,
                                  jsonOptions.tiedParameters, error))
      diags.warning(SourceLoc(),
                    fmt::format("{}: {}: {}; tied weights are not recognised "
                                "and count once per name",
                                escapeForTerminal(name),
                                escapeForTerminal(stateDictEntry), error));
  }
  if (jsonOptions.source.empty())
    jsonOptions.source = std::string(name);
  return importExportedProgramJson(
      ctx, json, fmt::format("{}: {}", name, layout.programEntry), jsonOptions,
      diags);
}

/// For a zip that libzip cannot open (truncated: no central directory), the
/// name in its first local file header, which torch.export writes first
/// (`<folder>/data/weights/...`, `<folder>/archive_format`...), is the only
/// hint of what it was meant to be. Used only to pick which reader reports
/// the damage, never to read the archive.
bool firstEntryLooksLikeExport(std::string_view head) {
  constexpr size_t kLocalHeaderSize = 30;
  if (head.size() < kLocalHeaderSize ||
      !startsWith(head, std::string_view("PK\x03\x04", 4)))
    return false;
  size_t nameLength = static_cast<unsigned char>(head[26]) |
                      (static_cast<unsigned char>(head[27]) << 8);
  std::string_view name = head.substr(kLocalHeaderSize, nameLength);
  for (std::string_view marker :
       {std::string_view("/data/weights/"), std::string_view("/models/"),
        kArchiveFormatEntry, kLegacyProgramEntry})
    if (name.find(marker) != std::string_view::npos)
      return true;
  return false;
}

ModelFileKind classifyBroken(std::string_view head) {
  return firstEntryLooksLikeExport(head) ? ModelFileKind::ExportArchive
                                         : ModelFileKind::BrokenZip;
}

} // namespace

ModelFileKind mav::classifyModelBuffer(std::string_view bytes) {
  if (!hasZipMagic(bytes.substr(0, 4)))
    return ModelFileKind::NotZip;
  OpenedZip opened = openZipBuffer(bytes);
  return opened.archive ? classifyOpened(opened)
                        : classifyBroken(bytes.substr(0, 512));
}

ModelFileKind mav::classifyModelFile(const std::string &path) {
  MappedFile file(path);
  return file.isOpen() ? classifyModelBuffer(file.bytes())
                       : ModelFileKind::NotZip;
}

std::optional<Graph> mav::importExportArchive(
    IRContext &ctx, std::string_view bytes, std::string_view name,
    const ExportImportOptions &options, DiagnosticEngine &diags) {
  if (!hasZipMagic(bytes.substr(0, 4))) {
    diags.error(SourceLoc(), fmt::format("{}: not a torch.export archive (not "
                                         "a zip file)",
                                         escapeForTerminal(name)));
    return std::nullopt;
  }
  return importOpened(ctx, openZipBuffer(bytes), name, options, diags);
}

std::optional<Graph>
mav::importExportArchiveFile(IRContext &ctx, const std::string &path,
                             const ExportImportOptions &options,
                             DiagnosticEngine &diags) {
  MappedFile file(path);
  if (!file.isOpen()) {
    diags.error(SourceLoc(),
                fmt::format("{}: cannot open: {}", escapeForTerminal(path),
                            file.error()));
    return std::nullopt;
  }
  return importExportArchive(ctx, file.bytes(), path, options, diags);
}
