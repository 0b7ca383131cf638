//===- StateDictPickle.h - Tied tensors of a pickled state dict -*- C++ -*-===//
//
// Internal to lib/Import. The legacy torch.export archive (PyTorch 2.1 to
// 2.7) has no weights config: the only record of which parameter names are
// one tensor is the state dict that torch.save pickled into
// `serialized_state_dict.pt`. This reads that pickle (`<folder>/data.pkl`,
// names and storage references only; the storages themselves are other
// entries and are never opened).
//
//===----------------------------------------------------------------------===//

#ifndef MAV_LIB_IMPORT_STATEDICTPICKLE_H
#define MAV_LIB_IMPORT_STATEDICTPICKLE_H

#include <string>
#include <string_view>
#include <vector>

namespace mav::import {

/// Reads `pickle`, the data.pkl of a torch.save'd state dict (a dict of
/// qualified name -> tensor or parameter), and appends to `groups` each set
/// of two or more names that are the same tensor: the same storage, offset,
/// sizes and strides. Names are sorted within a group and groups by their
/// first name. The pickle is untrusted: it is interpreted, never executed,
/// and only the opcodes torch.save writes are accepted. Returns false with
/// `error` set on a pickle it cannot read.
bool readTiedTensors(std::string_view pickle,
                     std::vector<std::vector<std::string>> &groups,
                     std::string &error);

} // namespace mav::import

#endif // MAV_LIB_IMPORT_STATEDICTPICKLE_H
