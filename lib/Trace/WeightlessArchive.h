//===- WeightlessArchive.h - An archive without its weights ----*- C++ -*-===//
//
// --shapes-only needs the shapes and dtypes of a model's tensors, not their
// values. libtorch 1.13 reads every tensor record of the archive even when
// loading onto the meta device (the unpickler reads the record, then moves
// the tensor): 330 MB for vit_b_16, most of its --shapes-only time. This
// adapter shows libtorch the archive with its tensor records empty, so that
// nothing of them is read. Private to lib/Trace.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_LIB_TRACE_WEIGHTLESSARCHIVE_H
#define MAV_LIB_TRACE_WEIGHTLESSARCHIVE_H

#include <caffe2/serialize/file_adapter.h>
#include <caffe2/serialize/read_adapter_interface.h>

#include <memory>
#include <string>
#include <vector>

namespace mav::trace {

/// A TorchScript zip archive read from disk whose tensor records
/// (`<archive>/data/<key>`, `<archive>/constants/<key>`) look empty: their
/// CRC-32 and sizes in the zip's central directory read as zero. Loaded with
/// `torch::jit::load(archive, c10::kMeta)`, every tensor gets its shape, dtype
/// and strides from the pickle and a meta storage of the right size, and no
/// byte of weights is read or copied (the unpickler takes a storage's size from
/// the pickle, reads the record, and moves the tensor to the meta device at
/// once, never looking at the data). Loading it onto the CPU would give
/// tensors without data: only for the meta device.
class WeightlessArchive final : public caffe2::serialize::ReadAdapterInterface {
public:
  /// The archive at `path`, or nullptr when it cannot be presented so (not
  /// a zip file, the legacy `model.json` format): load it normally then.
  static std::shared_ptr<WeightlessArchive> open(const std::string &path);

  size_t size() const override;
  size_t read(uint64_t pos, void *buf, size_t n,
              const char *what = "") const override;

  /// How many tensor records appear empty.
  size_t getNumHiddenRecords() const { return patches.size(); }

private:
  explicit WeightlessArchive(const std::string &path) : file(path) {}

  caffe2::serialize::FileAdapter file;
  /// File offsets of the 12 bytes (CRC-32, compressed size, uncompressed
  /// size) of each hidden record's central directory entry, sorted.
  std::vector<uint64_t> patches;
};

} // namespace mav::trace

#endif // MAV_LIB_TRACE_WEIGHTLESSARCHIVE_H
