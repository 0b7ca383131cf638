//===- FileUtils.cpp - Reading inputs and writing outputs safely ----------===//

#include "mav/Support/FileUtils.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

using namespace mav;

static bool readAll(int fd, std::string &out) {
  char chunk[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n == 0)
      return true;
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    out.append(chunk, static_cast<size_t>(n));
  }
}

std::shared_ptr<SourceBuffer> mav::readInputFile(const std::string &path,
                                                 DiagnosticEngine &diags) {
  std::string text;
  if (path == "-") {
    if (!readAll(STDIN_FILENO, text)) {
      diags.error(SourceLoc{}, fmt::format("cannot read standard input: {}",
                                           std::strerror(errno)));
      return nullptr;
    }
    return std::make_shared<SourceBuffer>("<stdin>", std::move(text));
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    diags.error(SourceLoc{}, fmt::format("cannot open '{}': {}", path,
                                         std::strerror(errno)));
    return nullptr;
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    diags.error(SourceLoc{},
                fmt::format("cannot read '{}': it is a directory", path));
    return nullptr;
  }
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
    text.reserve(static_cast<size_t>(st.st_size));
  bool ok = readAll(fd, text);
  int savedErrno = errno;
  ::close(fd);
  if (!ok) {
    diags.error(SourceLoc{}, fmt::format("cannot read '{}': {}", path,
                                         std::strerror(savedErrno)));
    return nullptr;
  }
  return std::make_shared<SourceBuffer>(path, std::move(text));
}

static bool writeAll(int fd, std::string_view content) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

std::unique_ptr<OutputFile> OutputFile::open(const std::string &path,
                                             DiagnosticEngine &diags) {
  std::unique_ptr<OutputFile> file(new OutputFile(path, diags));
  if (path == "-") {
    file->fd = STDOUT_FILENO;
    return file;
  }
  // Devices, FIFOs and the like (`-o /dev/null`, `-o /dev/stderr`) are
  // written in place: renaming a file over them would replace the device.
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    file->fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  } else {
    file->temp = fmt::format("{}.tmp.{}", path, ::getpid());
    file->fd = ::open(file->temp.c_str(),
                      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  }
  if (file->fd < 0) {
    file->temp.clear(); // nothing to remove
    file->fail(errno);
    return nullptr;
  }
  return file;
}

OutputFile::~OutputFile() {
  if (fd > STDOUT_FILENO)
    ::close(fd);
  if (!temp.empty())
    ::unlink(temp.c_str());
}

void OutputFile::fail(int error) {
  if (failed)
    return;
  failed = true;
  if (path == "-")
    diags.error(SourceLoc{}, fmt::format("cannot write standard output: {}",
                                         std::strerror(error)));
  else
    diags.error(SourceLoc{}, fmt::format("cannot write '{}': {}", path,
                                         std::strerror(error)));
}

bool OutputFile::write(std::string_view data) {
  if (!failed && !writeAll(fd, data))
    fail(errno);
  return !failed;
}

LogicalResult OutputFile::commit() {
  if (failed)
    return failure();
  if (fd > STDOUT_FILENO) {
    int status = ::close(fd);
    fd = -1;
    if (status != 0) {
      fail(errno);
      return failure();
    }
  }
  if (!temp.empty()) {
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      fail(errno);
      return failure();
    }
    temp.clear();
  }
  return success();
}

LogicalResult mav::writeOutputFile(const std::string &path,
                                   const std::string &content,
                                   DiagnosticEngine &diags) {
  std::unique_ptr<OutputFile> file = OutputFile::open(path, diags);
  if (!file || !file->write(content))
    return failure();
  return file->commit();
}

std::vector<std::shared_ptr<SourceBuffer>>
mav::splitInputBuffer(const SourceBuffer &buffer) {
  std::vector<std::shared_ptr<SourceBuffer>> chunks;
  const std::string &text = buffer.getText();
  size_t chunkStart = 0;
  unsigned chunkFirstLine = buffer.getFirstLine();
  unsigned line = buffer.getFirstLine();
  for (size_t pos = 0; pos <= text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos)
      end = text.size();
    std::string_view lineText(text.data() + pos, end - pos);
    while (!lineText.empty() &&
           (lineText.back() == ' ' || lineText.back() == '\r'))
      lineText.remove_suffix(1);
    if (lineText == kSplitMarker) {
      chunks.push_back(std::make_shared<SourceBuffer>(
          buffer.getName(), text.substr(chunkStart, pos - chunkStart),
          chunkFirstLine));
      chunkStart = end + 1;
      chunkFirstLine = line + 1;
    }
    if (end == text.size())
      break;
    pos = end + 1;
    ++line;
  }
  chunks.push_back(std::make_shared<SourceBuffer>(
      buffer.getName(),
      chunkStart <= text.size() ? text.substr(chunkStart) : std::string(),
      chunkFirstLine));
  return chunks;
}
