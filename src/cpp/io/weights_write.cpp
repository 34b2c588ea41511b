// Writes weights files (the same bytes as Python's lstmcore.weights_file.save).
#include <cstdint>
#include <iterator>
#include <fstream>
#include <limits>
#include <stdexcept>

#include "byte_io.hpp"
#include "crc32.hpp"
#include "lstmcore/weights_file.hpp"
#include "weights_format.hpp"

namespace lstmcore {

namespace {

std::uint32_t u32_field(const char* field, Index v) {
  if (v < 0 || v > std::int64_t(std::numeric_limits<std::uint32_t>::max())) {
    throw std::invalid_argument(std::string("write_weights: spec.") + field +
                             " does not fit the file's 32-bit field: " + std::to_string(v));
  }
  return static_cast<std::uint32_t>(v);
}

template <class E, std::size_t N>
std::uint8_t code_of(const E (&values)[N], E value) {
  for (std::size_t i = 0; i < N; ++i) {
    if (values[i] == value) return static_cast<std::uint8_t>(i);
  }
  throw std::invalid_argument("write_weights: spec holds an unknown enumerator");
}

void check_array(const WeightsArray& a, const WeightsParamShape& want, WeightsDType dtype) {
  const std::string where = "write_weights: parameter '" + want.name + "'";
  if (a.name != want.name) {
    throw std::invalid_argument("write_weights: expected parameter '" + want.name +
                             "' here (canonical order), got '" + a.name + "'");
  }
  if (a.shape != want.shape) throw std::invalid_argument(where + ": shape does not fit the spec");
  if (a.dtype != dtype) throw std::invalid_argument(where + ": dtype differs from the file's dtype");
  const std::size_t stored = dtype == WeightsDType::float32 ? a.f32.size() : a.f64.size();
  if (stored != static_cast<std::size_t>(a.numel())) {
    throw std::invalid_argument(where + ": expected " + std::to_string(a.numel()) + " values, got " +
                             std::to_string(stored));
  }
}

}  // namespace

std::vector<unsigned char> write_weights_buffer(const WeightsFile& file) {
  const RNNSpec& spec = file.spec;
  const std::vector<WeightsParamShape> expected = weights_param_shapes(spec);  // validates spec
  if (file.dtype != WeightsDType::float32 && file.dtype != WeightsDType::float64) {
    throw std::invalid_argument("write_weights: dtype must be float32 or float64");
  }
  if (file.params.size() != expected.size()) {
    throw std::invalid_argument("write_weights: the spec implies " + std::to_string(expected.size()) +
                             " parameters, got " + std::to_string(file.params.size()));
  }
  for (std::size_t i = 0; i < expected.size(); ++i) check_array(file.params[i], expected[i], file.dtype);

  detail::ByteWriter w;
  w.bytes(detail::kWeightsMagic, sizeof detail::kWeightsMagic);
  w.u32(kWeightsFormatVersion);
  w.u32(0);
  w.u64(0);  // body_size, patched below
  w.u8(code_of(detail::kModes, spec.mode));
  w.u8(code_of(detail::kNonlinearities, spec.nonlinearity));
  w.u8(static_cast<std::uint8_t>(file.dtype));
  w.u8(0);
  std::uint32_t flags = 0;
  if (spec.bias) flags |= detail::kFlagBias;
  if (spec.batch_first) flags |= detail::kFlagBatchFirst;
  if (spec.bidirectional) flags |= detail::kFlagBidirectional;
  if (spec.peephole) flags |= detail::kFlagPeephole;
  if (spec.coupled) flags |= detail::kFlagCoupled;
  if (spec.linear_before_reset) flags |= detail::kFlagLinearBeforeReset;
  w.u32(flags);
  w.u32(u32_field("input_size", spec.input_size));
  w.u32(u32_field("hidden_size", spec.hidden_size));
  w.u32(u32_field("num_layers", spec.num_layers));
  w.u32(u32_field("proj_size", spec.proj_size));
  w.f64(spec.dropout);
  w.u32(static_cast<std::uint32_t>(expected.size()));
  w.u32(0);
  for (const WeightsArray& a : file.params) {
    w.u32(static_cast<std::uint32_t>(a.name.size()));
    w.u32(static_cast<std::uint32_t>(a.shape.size()));
    for (Index d : a.shape) w.u64(static_cast<std::uint64_t>(d));
    w.bytes(a.name.data(), a.name.size());
    w.pad8();
    if (file.dtype == WeightsDType::float32) {
      for (float v : a.f32) w.f32(v);
    } else {
      for (double v : a.f64) w.f64(v);
    }
    w.pad8();
  }
  w.put_u64_at(16, w.size() - detail::kPreambleSize);
  const std::uint32_t crc = detail::crc32(w.buffer().data(), w.size());
  w.u32(crc);
  return std::move(w.buffer());
}

void write_weights_file(const std::string& path, const WeightsFile& file) {
  const std::vector<unsigned char> bytes = write_weights_buffer(file);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("write_weights_file: cannot open '" + path + "' for writing");
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw std::runtime_error("write_weights_file: writing '" + path + "' failed");
}

}  // namespace lstmcore
