// Reading and writing lstmcore weights files (docs/weights_format.md): a layer stack's settings
// plus its named parameter arrays, written by Python's lstmcore.weights_file.save.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lstmcore/spec.hpp"
#include "lstmcore/types.hpp"

namespace lstmcore {

// The format version this library reads and writes.
inline constexpr std::uint32_t kWeightsFormatVersion = 1;

enum class WeightsDType : std::uint8_t { float32 = 1, float64 = 2 };

// One named parameter, owning its values in the file's dtype (row-major).
struct WeightsArray {
  std::string name;
  std::vector<Index> shape;
  WeightsDType dtype = WeightsDType::float32;
  std::vector<float> f32;   // the values when dtype is float32, else empty
  std::vector<double> f64;  // the values when dtype is float64, else empty

  Index numel() const;
  // The stored values; throws std::runtime_error when T is not the stored dtype.
  template <class T>
  const T* data() const;
  // A copy of the values converted to T (float or double).
  template <class T>
  std::vector<T> values() const;
};

struct WeightsFile {
  RNNSpec spec;
  WeightsDType dtype = WeightsDType::float32;
  std::vector<WeightsArray> params;  // in the canonical order of weights_param_shapes(spec)

  // The parameter called name; throws std::runtime_error naming it when there is none.
  const WeightsArray& at(const std::string& name) const;
  // The parameter called name, or nullptr.
  const WeightsArray* find(const std::string& name) const noexcept;
};

struct WeightsParamShape {
  std::string name;
  std::vector<Index> shape;
};

// Every parameter name and shape the spec implies (DESIGN.md section 4), in canonical order.
// Throws std::invalid_argument for an invalid spec (RNNSpec::validate).
std::vector<WeightsParamShape> weights_param_shapes(const RNNSpec& spec);

// Read and fully check a weights file. Throws std::runtime_error whose message names the file
// and says what was expected and what was found (bad magic, unknown version, truncation,
// checksum mismatch, a spec or parameter that does not fit).
WeightsFile read_weights_file(const std::string& path);
// The same from bytes in memory; source names them in error messages.
WeightsFile read_weights_buffer(const void* data, std::size_t size,
                                const std::string& source = "<memory>");

// Write a weights file. Throws std::invalid_argument for an invalid spec or a parameter whose
// name, order, shape, dtype or value count does not fit it; std::runtime_error when writing fails.
void write_weights_file(const std::string& path, const WeightsFile& file);
std::vector<unsigned char> write_weights_buffer(const WeightsFile& file);

extern template const float* WeightsArray::data<float>() const;
extern template const double* WeightsArray::data<double>() const;
extern template std::vector<float> WeightsArray::values<float>() const;
extern template std::vector<double> WeightsArray::values<double>() const;

}  // namespace lstmcore
