// Reads and checks weights files: magic, version, size, checksum, spec, then each parameter.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>

#include "byte_io.hpp"
#include "crc32.hpp"
#include "lstmcore/weights_file.hpp"
#include "weights_format.hpp"

namespace lstmcore {

namespace {

using detail::ByteReader;
using detail::weights_error;

std::string hex_bytes(const unsigned char* p, std::size_t n) {
  std::string out;
  char buf[4];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", p[i]);
    out += (i ? " " : "") + std::string(buf);
  }
  return out;
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::string shape_string(const std::vector<Index>& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + (shape.size() == 1 ? ",)" : ")");
}

// Checks everything up to and including the checksum; returns the offset where the body ends.
std::size_t check_preamble(const unsigned char* data, std::size_t size, const std::string& source) {
  const std::size_t magic_size = sizeof detail::kWeightsMagic;
  if (size < magic_size || std::memcmp(data, detail::kWeightsMagic, magic_size) != 0) {
    const std::string got = size == 0 ? "an empty file" : hex_bytes(data, std::min(size, magic_size));
    throw weights_error(source, "not an lstmcore weights file: expected the magic bytes " +
                                    hex_bytes(detail::kWeightsMagic, magic_size) + ", got " + got);
  }
  const std::size_t minimum = detail::kPreambleSize + detail::kSpecSize + detail::kCrcSize;
  if (size < detail::kPreambleSize) {
    throw weights_error(source, "truncated: expected at least " + std::to_string(minimum) +
                                    " bytes, got " + std::to_string(size));
  }
  const std::uint32_t version = detail::load_le_u32(data + 8);
  const std::uint32_t reserved = detail::load_le_u32(data + 12);
  const std::uint64_t body_size = detail::load_le_u64(data + 16);
  if (version != kWeightsFormatVersion) {
    throw weights_error(source, "format version " + std::to_string(version) +
                                    " is not supported: this lstmcore reads version " +
                                    std::to_string(kWeightsFormatVersion) +
                                    " (was the file written by another lstmcore release?)");
  }
  if (reserved != 0) {
    throw weights_error(source,
                        "reserved preamble field: expected 0, got " + std::to_string(reserved));
  }
  // Compare before adding so that a huge body_size cannot overflow.
  const std::uint64_t overhead = detail::kPreambleSize + detail::kCrcSize;
  if (body_size > size || body_size + overhead != size) {
    const std::string expected = body_size > UINT64_MAX - overhead
                                     ? "more than 2^64"
                                     : std::to_string(body_size + overhead);
    const bool shorter = body_size > size || body_size + overhead > size;
    throw weights_error(source, std::string(shorter ? "truncated" : "trailing bytes") +
                                    ": the header says " + expected + " bytes, the file has " +
                                    std::to_string(size));
  }
  const std::size_t body_end = size - detail::kCrcSize;
  const std::uint32_t stored = detail::load_le_u32(data + body_end);
  const std::uint32_t computed = detail::crc32(data, body_end);
  if (stored != computed) {
    throw weights_error(source, "checksum mismatch (stored " + hex32(stored) + ", computed " +
                                    hex32(computed) + "): the file is corrupted");
  }
  return body_end;
}

// Head (8 bytes) plus a name padded to 8: the least a parameter record can take.
constexpr std::size_t kMinRecordSize = 16;

std::uint64_t implied_param_count(const RNNSpec& spec) {
  const std::uint64_t per_direction = 2 + (spec.bias ? 2 : 0) + (spec.proj_size > 0 ? 1 : 0) +
                                      (spec.peephole ? 1 : 0);
  return static_cast<std::uint64_t>(spec.num_layers) * (spec.bidirectional ? 2 : 1) * per_direction;
}

std::int64_t size_field(std::uint32_t v) { return static_cast<std::int64_t>(v); }

// The spec block; returns the dtype and the record count through the out-parameters.
RNNSpec read_spec(ByteReader& r, WeightsDType& dtype, std::uint32_t& num_params) {
  const std::uint8_t mode = r.u8("the spec block");
  const std::uint8_t nonlin = r.u8("the spec block");
  const std::uint8_t dtype_code = r.u8("the spec block");
  const std::uint8_t reserved0 = r.u8("the spec block");
  const std::uint32_t flags = r.u32("the spec block");
  RNNSpec spec;
  spec.input_size = size_field(r.u32("the spec block"));
  spec.hidden_size = size_field(r.u32("the spec block"));
  spec.num_layers = size_field(r.u32("the spec block"));
  spec.proj_size = size_field(r.u32("the spec block"));
  spec.dropout = r.f64("the spec block");
  num_params = r.u32("the spec block");
  const std::uint32_t reserved1 = r.u32("the spec block");

  if (mode >= std::size(detail::kModes)) {
    r.fail("mode: expected a code in 0..2, got " + std::to_string(mode));
  }
  if (nonlin >= std::size(detail::kNonlinearities)) {
    r.fail("nonlinearity: expected a code in 0..1, got " + std::to_string(nonlin));
  }
  if (dtype_code != 1 && dtype_code != 2) {
    r.fail("dtype: expected code 1 (float32) or 2 (float64), got " + std::to_string(dtype_code));
  }
  if (reserved0 != 0 || reserved1 != 0 || (flags & ~detail::kFlagsKnown) != 0) {
    r.fail("reserved spec bits: expected 0, got " + std::to_string(reserved0) + ", " +
           std::to_string(reserved1) + ", flags " + hex32(flags));
  }
  spec.mode = detail::kModes[mode];
  spec.nonlinearity = detail::kNonlinearities[nonlin];
  dtype = static_cast<WeightsDType>(dtype_code);
  spec.bias = flags & detail::kFlagBias;
  spec.batch_first = flags & detail::kFlagBatchFirst;
  spec.bidirectional = flags & detail::kFlagBidirectional;
  spec.peephole = flags & detail::kFlagPeephole;
  spec.coupled = flags & detail::kFlagCoupled;
  spec.linear_before_reset = flags & detail::kFlagLinearBeforeReset;
  try {
    spec.validate();
  } catch (const std::invalid_argument& e) {
    r.fail(std::string("invalid spec: ") + e.what());
  }
  return spec;
}

void read_values(ByteReader& r, WeightsArray& a) {
  const std::size_t item = a.dtype == WeightsDType::float32 ? 4 : 8;
  // Sizes come from the file: check against the bytes left before multiplying or allocating.
  const std::size_t left = r.end() - r.pos();
  std::size_t n = 1;
  for (const Index d : a.shape) {
    const auto dim = static_cast<std::size_t>(d);
    if (dim != 0 && n > left / item / dim) {
      r.fail("the data of '" + a.name + "' (shape " + shape_string(a.shape) +
             ") does not fit in the " + std::to_string(left) + " bytes left in the body");
    }
    n *= dim;
  }
  const unsigned char* p = r.take(n * item, "the data of '" + a.name + "'");
  if (a.dtype == WeightsDType::float32) {
    a.f32.resize(n);
    for (std::size_t i = 0; i < n; ++i) a.f32[i] = detail::load_le_f32(p + 4 * i);
  } else {
    a.f64.resize(n);
    for (std::size_t i = 0; i < n; ++i) a.f64[i] = detail::load_le_f64(p + 8 * i);
  }
}

}  // namespace

WeightsFile read_weights_buffer(const void* data, std::size_t size, const std::string& source) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  if (bytes == nullptr && size != 0) throw weights_error(source, "data is null");
  const std::size_t body_end = check_preamble(bytes, size, source);
  ByteReader r(bytes, detail::kPreambleSize, body_end, source);

  WeightsFile file;
  std::uint32_t num_params = 0;
  file.spec = read_spec(r, file.dtype, num_params);
  // Count before listing: a forged num_layers must not make us build billions of names.
  const std::uint64_t implied = implied_param_count(file.spec);
  if (num_params != implied) {
    r.fail("num_params: the spec implies " + std::to_string(implied) + " parameters, got " +
           std::to_string(num_params));
  }
  if (num_params > (r.end() - r.pos()) / kMinRecordSize) {
    r.fail(std::to_string(num_params) + " parameter records cannot fit in the " +
           std::to_string(r.end() - r.pos()) + " bytes left in the body");
  }
  const std::vector<WeightsParamShape> expected = weights_param_shapes(file.spec);
  std::map<std::string, std::size_t> slot;  // name -> canonical index
  for (std::size_t i = 0; i < expected.size(); ++i) slot[expected[i].name] = i;
  file.params.resize(expected.size());
  std::vector<bool> seen(expected.size(), false);

  for (std::uint32_t index = 0; index < num_params; ++index) {
    const std::string record = "parameter record " + std::to_string(index);
    const std::uint32_t name_len = r.u32(record);
    const std::uint32_t ndim = r.u32(record);
    if (name_len < 1 || name_len > detail::kMaxNameLength || ndim > detail::kMaxNdim) {
      r.fail(record + ": expected a name of 1.." + std::to_string(detail::kMaxNameLength) +
             " bytes and ndim <= " + std::to_string(detail::kMaxNdim) + ", got " +
             std::to_string(name_len) + " and " + std::to_string(ndim));
    }
    std::vector<Index> shape(ndim);
    for (std::uint32_t d = 0; d < ndim; ++d) {
      const std::uint64_t dim = r.u64("the shape of " + record);
      shape[d] = dim > static_cast<std::uint64_t>(INT64_MAX) ? -1 : static_cast<std::int64_t>(dim);
    }
    const unsigned char* name_bytes = r.take(name_len, "the name of " + record);
    const std::string name(reinterpret_cast<const char*>(name_bytes), name_len);
    for (const char ch : name) {
      if (ch < 0x20 || ch > 0x7E) r.fail(record + ": the name is not printable ASCII");
    }
    const auto it = slot.find(name);
    if (it == slot.end()) r.fail("unexpected parameter '" + name + "' for this spec");
    if (seen[it->second]) r.fail("parameter '" + name + "' appears twice");
    const WeightsParamShape& want = expected[it->second];
    if (shape != want.shape) {
      r.fail("parameter '" + name + "': expected shape " + shape_string(want.shape) + ", got " +
             shape_string(shape));
    }
    r.padding("the name of '" + name + "'");
    WeightsArray& a = file.params[it->second];
    a.name = name;
    a.shape = shape;
    a.dtype = file.dtype;
    read_values(r, a);
    r.padding("the data of '" + name + "'");
    seen[it->second] = true;
  }
  if (r.pos() != r.end()) {
    r.fail(std::to_string(r.end() - r.pos()) + " unread bytes after the last parameter record");
  }
  return file;  // num_params == expected.size() and no duplicates: every slot is filled
}

WeightsFile read_weights_file(const std::string& path) {
  const std::string source = "'" + path + "'";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw weights_error(source, "cannot open it for reading");
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  if (in.bad()) throw weights_error(source, "reading failed");
  return read_weights_buffer(bytes.data(), bytes.size(), source);
}

}  // namespace lstmcore
