//===- WeightlessArchive.cpp - A TorchScript archive without its weights --===//
//
// Finds the tensor records in the central directory of a TorchScript zip
// archive and zeroes their CRC-32 and sizes whenever libtorch's zip reader
// (miniz) reads that part of the file. miniz returns an empty record without
// touching the file, and its CRC check passes (the CRC of nothing is 0).
// Only the central directory is read here; the local headers and the data
// are never looked at.
//
//===----------------------------------------------------------------------===//

#include "WeightlessArchive.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>

using namespace mav::trace;

namespace {

// Zip format (APPNOTE.TXT), the fields used here.
constexpr uint32_t kEndOfCentralDirSignature = 0x06054b50;
constexpr uint32_t kZip64EndLocatorSignature = 0x07064b50;
constexpr uint32_t kZip64EndSignature = 0x06064b50;
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr size_t kEndOfCentralDirSize = 22;
constexpr size_t kZip64EndLocatorSize = 20;
constexpr size_t kZip64EndSize = 56;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kMaxCommentSize = 0xffff;
/// Where a central directory entry's CRC-32, compressed and uncompressed
/// sizes are (4 bytes each, contiguous).
constexpr size_t kCrcOffset = 16;
constexpr size_t kPatchSize = 12;
/// Far more than a TorchScript archive's central directory takes.
constexpr uint64_t kMaxCentralDirSize = uint64_t(1) << 30;

uint64_t readLittleEndian(const unsigned char *bytes, size_t size) {
  uint64_t value = 0;
  for (size_t i = size; i-- > 0;)
    value = (value << 8) | bytes[i];
  return value;
}
uint32_t read16(const unsigned char *bytes) {
  return static_cast<uint32_t>(readLittleEndian(bytes, 2));
}
uint32_t read32(const unsigned char *bytes) {
  return static_cast<uint32_t>(readLittleEndian(bytes, 4));
}
uint64_t read64(const unsigned char *bytes) {
  return readLittleEndian(bytes, 8);
}

/// `<archive>/data/<key>` or `<archive>/constants/<key>`: a tensor storage
/// written by torch.jit.save (the pickles are `<archive>/data.pkl` and
/// `<archive>/constants.pkl`).
bool isTensorRecord(std::string_view name) {
  size_t slash = name.find('/');
  if (slash == std::string_view::npos)
    return false;
  std::string_view rest = name.substr(slash + 1);
  for (std::string_view dir : {"data/", "constants/"}) {
    if (rest.substr(0, dir.size()) != dir)
      continue;
    std::string_view key = rest.substr(dir.size());
    return !key.empty() && key.find('/') == std::string_view::npos;
  }
  return false;
}

} // namespace

std::shared_ptr<WeightlessArchive>
WeightlessArchive::open(const std::string &path) {
  std::shared_ptr<WeightlessArchive> archive;
  try {
    archive.reset(new WeightlessArchive(path));
  } catch (const std::exception &) {
    return nullptr;
  }
  const caffe2::serialize::FileAdapter &file = archive->file;
  uint64_t fileSize = file.size();
  if (fileSize < kEndOfCentralDirSize)
    return nullptr;
  auto readAt = [&](uint64_t pos, size_t n, std::vector<unsigned char> &out) {
    out.resize(n);
    return pos <= fileSize && n <= fileSize - pos &&
           file.read(pos, out.data(), n, "zip directory") == n;
  };

  // The end-of-central-directory record ends the file, before an optional
  // comment of up to 64 KiB.
  size_t tailSize = static_cast<size_t>(
      std::min<uint64_t>(fileSize, kEndOfCentralDirSize + kMaxCommentSize));
  uint64_t tailStart = fileSize - tailSize;
  std::vector<unsigned char> tail;
  if (!readAt(tailStart, tailSize, tail))
    return nullptr;
  std::optional<size_t> found;
  for (size_t i = tailSize - kEndOfCentralDirSize + 1; i-- > 0 && !found;)
    if (read32(&tail[i]) == kEndOfCentralDirSignature)
      found = i;
  if (!found)
    return nullptr;
  size_t end = *found;
  uint64_t numEntries = read16(&tail[end + 10]);
  uint64_t dirSize = read32(&tail[end + 12]);
  uint64_t dirOffset = read32(&tail[end + 16]);
  if (numEntries == 0xffff || dirSize == 0xffffffff ||
      dirOffset == 0xffffffff) {
    // Zip64: the real values are in the zip64 end record, found through the
    // locator just before.
    uint64_t locator = tailStart + end;
    std::vector<unsigned char> bytes;
    if (locator < kZip64EndLocatorSize ||
        !readAt(locator - kZip64EndLocatorSize, kZip64EndLocatorSize, bytes) ||
        read32(bytes.data()) != kZip64EndLocatorSignature)
      return nullptr;
    uint64_t zip64End = read64(&bytes[8]);
    if (!readAt(zip64End, kZip64EndSize, bytes) ||
        read32(bytes.data()) != kZip64EndSignature)
      return nullptr;
    numEntries = read64(&bytes[32]);
    dirSize = read64(&bytes[40]);
    dirOffset = read64(&bytes[48]);
  }
  std::vector<unsigned char> dir;
  if (dirSize > kMaxCentralDirSize ||
      !readAt(dirOffset, static_cast<size_t>(dirSize), dir))
    return nullptr;

  size_t pos = 0;
  for (uint64_t i = 0; i < numEntries; ++i) {
    if (pos + kCentralHeaderSize > dir.size() ||
        read32(&dir[pos]) != kCentralHeaderSignature)
      return nullptr;
    uint32_t method = read16(&dir[pos + 10]);
    uint32_t compressedSize = read32(&dir[pos + 20]);
    uint32_t size = read32(&dir[pos + 24]);
    size_t nameSize = read16(&dir[pos + 28]);
    size_t extraSize = read16(&dir[pos + 30]);
    size_t commentSize = read16(&dir[pos + 32]);
    size_t next = pos + kCentralHeaderSize + nameSize + extraSize + commentSize;
    if (next > dir.size())
      return nullptr;
    std::string_view name(
        reinterpret_cast<const char *>(&dir[pos + kCentralHeaderSize]),
        nameSize);
    // The format before TorchScript's zip archives stored tensors otherwise.
    if (name.size() >= 10 && name.substr(name.size() - 10) == "model.json")
      return nullptr;
    // Stored (method 0) records with 32-bit sizes: a zip64 record keeps its
    // sizes in an extra field and is simply read.
    if (method == 0 && compressedSize != 0xffffffff && size != 0xffffffff &&
        isTensorRecord(name))
      archive->patches.push_back(dirOffset + pos + kCrcOffset);
    pos = next;
  }
  std::sort(archive->patches.begin(), archive->patches.end());
  return archive;
}

size_t WeightlessArchive::size() const { return file.size(); }

size_t WeightlessArchive::read(uint64_t pos, void *buf, size_t n,
                               const char *what) const {
  size_t got = file.read(pos, buf, n, what);
  // Zero the patched fields that overlap [pos, pos + got).
  uint64_t first = pos >= kPatchSize ? pos - kPatchSize + 1 : 0;
  for (auto it = std::lower_bound(patches.begin(), patches.end(), first);
       it != patches.end() && *it < pos + got; ++it) {
    uint64_t begin = std::max(*it, pos);
    uint64_t end = std::min(*it + kPatchSize, pos + got);
    std::memset(static_cast<char *>(buf) + (begin - pos), 0,
                static_cast<size_t>(end - begin));
  }
  return got;
}
