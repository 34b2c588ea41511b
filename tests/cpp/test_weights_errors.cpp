// Damaged, foreign and inconsistent weights files fail with clear std::runtime_error messages.
// Usage: test_weights_errors <scratch directory>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "check.hpp"
#include "io/crc32.hpp"
#include "lstmcore/weights_file.hpp"

namespace {

using Bytes = std::vector<unsigned char>;
using lstmcore::WeightsDType;
using lstmcore::WeightsFile;

constexpr std::size_t kFirstRecord = 64;  // docs/weights_format.md: records start here

WeightsFile small_lstm() {
  WeightsFile file;
  file.spec.mode = lstmcore::Mode::lstm;
  file.spec.input_size = 2;
  file.spec.hidden_size = 3;
  file.dtype = WeightsDType::float32;
  float next = 0.5f;
  for (const auto& p : lstmcore::weights_param_shapes(file.spec)) {
    lstmcore::WeightsArray a;
    a.name = p.name;
    a.shape = p.shape;
    a.dtype = file.dtype;
    for (std::int64_t i = 0; i < a.numel(); ++i) a.f32.push_back(next -= 0.125f);
    file.params.push_back(a);
  }
  return file;
}

WeightsFile read(const Bytes& b) { return lstmcore::read_weights_buffer(b.data(), b.size(), "test"); }

void put_u32(Bytes& b, std::size_t offset, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) b[offset + k] = static_cast<unsigned char>(v >> (8 * k));
}

// Recomputes the checksum so that a deliberate edit reaches the checks behind it.
Bytes with_crc(Bytes b) {
  put_u32(b, b.size() - 4, lstmcore::detail::crc32(b.data(), b.size() - 4));
  return b;
}

Bytes patched(Bytes b, std::size_t offset, std::uint32_t v) {
  put_u32(b, offset, v);
  return with_crc(std::move(b));
}

void test_round_trip(const Bytes& good) {
  const WeightsFile original = small_lstm();
  const WeightsFile back = read(good);
  LC_CHECK(back.spec == small_lstm().spec);
  LC_CHECK_EQ(back.params.size(), std::size_t(4));
  for (std::size_t k = 0; k < back.params.size(); ++k) {
    LC_CHECK(back.params[k].f32 == original.params[k].f32);
  }
  LC_CHECK(lstmcore::write_weights_buffer(back) == good);
}

void test_every_truncation_fails(const Bytes& good) {
  int silent = 0;
  for (std::size_t n = 0; n < good.size(); ++n) {
    const Bytes cut(good.begin(), good.begin() + n);
    try {
      read(cut);
      ++silent;
    } catch (const std::runtime_error& e) {
      const std::string msg = e.what();
      const bool clear = msg.find(n < 8 ? "not an lstmcore weights file" : "truncated") != std::string::npos;
      if (!clear) lstmcore_test::fail(__FILE__, __LINE__, "cut at " + std::to_string(n) + ": " + msg);
    }
  }
  LC_CHECK_EQ(silent, 0);
  LC_CHECK_THROWS(std::runtime_error, read(Bytes(good.begin(), good.end() - 1)),
                  "truncated: the header says " + std::to_string(good.size()) + " bytes, the file has " +
                      std::to_string(good.size() - 1));
}

void test_every_flipped_byte_fails(const Bytes& good) {
  int silent = 0;
  for (std::size_t i = 0; i < good.size(); ++i) {
    Bytes bad = good;
    bad[i] ^= 0x20;
    try {
      read(bad);
      ++silent;
    } catch (const std::runtime_error&) {
    }
  }
  LC_CHECK_EQ(silent, 0);
  Bytes bad = good;
  bad[kFirstRecord + 20] ^= 1;
  LC_CHECK_THROWS(std::runtime_error, read(bad), "checksum mismatch");
  LC_CHECK_THROWS(std::runtime_error, read(bad), "the file is corrupted");
}

void test_foreign_and_versions(const Bytes& good) {
  Bytes png = good;
  png[1] = 'P';
  LC_CHECK_THROWS(std::runtime_error, read(png), "not an lstmcore weights file: expected the magic bytes 89 4c 43 57");
  LC_CHECK_THROWS(std::runtime_error, read(Bytes{}), "got an empty file");
  LC_CHECK_THROWS(std::runtime_error, read(patched(good, 8, 2)),
                  "format version 2 is not supported: this lstmcore reads version 1");
  LC_CHECK_THROWS(std::runtime_error, read(patched(good, 12, 7)), "reserved preamble field");
  Bytes longer = good;
  longer.push_back(0);
  LC_CHECK_THROWS(std::runtime_error, read(longer), "trailing bytes");
}

void test_inconsistent_contents(const Bytes& good) {
  // Spec block fields (offsets from docs/weights_format.md), each with a valid checksum.
  LC_CHECK_THROWS(std::runtime_error, read(patched(good, 24, 0x00010003u)), "mode: expected a code in 0..2, got 3");
  LC_CHECK_THROWS(std::runtime_error, read(patched(good, 24, 0x00030001u)), "dtype: expected code 1 (float32) or 2 (float64), got 3");
  LC_CHECK_THROWS(std::runtime_error, read(patched(good, 28, 1u << 9)), "reserved spec bits");
  LC_CHECK_THROWS(std::runtime_error, read(patched(good, 36, 0)), "invalid spec: spec: hidden_size must be >= 1, got 0");
  LC_CHECK_THROWS(std::runtime_error, read(patched(good, 44, 5)), "invalid spec: spec: proj_size must be 0 or in [1, hidden_size=3), got 5");
  LC_CHECK_THROWS(std::runtime_error, read(patched(good, 56, 3)), "num_params: the spec implies 4 parameters, got 3");
  // Forged sizes fail fast instead of allocating: 2^16 layers, and then a matching record count;
  // sizes past the spec's bounds are refused by the spec itself.
  LC_CHECK_THROWS(std::runtime_error, read(patched(good, 40, 1u << 16)), "num_params: the spec implies 262144 parameters, got 4");
  LC_CHECK_THROWS(std::runtime_error, read(patched(patched(good, 40, 1u << 16), 56, 1u << 18)), "262144 parameter records cannot fit");
  LC_CHECK_THROWS(std::runtime_error, read(patched(patched(good, 36, 1u << 24), 32, 1u << 24)), "expected shape (67108864, 16777216), got (12, 2)");
  LC_CHECK_THROWS(std::runtime_error, read(patched(good, 40, 1u << 20)), "invalid spec: spec: num_layers must be <= 65536, got 1048576");
  LC_CHECK_THROWS(std::runtime_error, read(patched(good, 32, 1u << 30)), "invalid spec: spec: input_size must be <= 16777216, got 1073741824");
  // Spec and records disagree: input_size 1 makes weight_ih_l0 (12, 1), the file has (12, 2).
  LC_CHECK_THROWS(std::runtime_error, read(patched(good, 32, 1)), "parameter 'weight_ih_l0': expected shape (12, 1), got (12, 2)");
  // Renaming the first record "weight_ih_l0" -> "weight_ih_l9".
  Bytes renamed = good;
  const std::size_t name_at = kFirstRecord + 8 + 2 * 8;
  renamed[name_at + 11] = '9';
  LC_CHECK_THROWS(std::runtime_error, read(with_crc(renamed)), "unexpected parameter 'weight_ih_l9' for this spec");
  // A huge name length stays inside the body check instead of reading out of bounds.
  LC_CHECK_THROWS(std::runtime_error, read(patched(good, kFirstRecord, 200)), "parameter record 0: the name is not printable ASCII");
  LC_CHECK_THROWS(std::runtime_error, read(patched(good, kFirstRecord, 1000)), "expected a name of 1..255 bytes");
}

void test_files_on_disk(const std::string& scratch, const Bytes& good) {
  const std::string missing = scratch + "/no_such_file.lcw";
  LC_CHECK_THROWS(std::runtime_error, lstmcore::read_weights_file(missing),
                  "lstmcore weights file '" + missing + "': cannot open it for reading");
  const std::string path = scratch + "/cut.lcw";
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(good.data()), static_cast<std::streamsize>(good.size() - 9));
  }
  LC_CHECK_THROWS(std::runtime_error, lstmcore::read_weights_file(path), "'" + path + "': truncated");
  const std::string whole = scratch + "/whole.lcw";
  lstmcore::write_weights_file(whole, small_lstm());
  LC_CHECK(lstmcore::read_weights_file(whole).params.size() == 4);
  std::remove(path.c_str());
  std::remove(whole.c_str());
}

void test_writer_and_accessors() {
  WeightsFile file = small_lstm();
  file.params[1].shape = {12, 4};
  LC_CHECK_THROWS(std::invalid_argument, lstmcore::write_weights_buffer(file), "'weight_hh_l0': shape does not fit");
  file = small_lstm();
  file.params[2].f32.pop_back();
  LC_CHECK_THROWS(std::invalid_argument, lstmcore::write_weights_buffer(file), "expected 12 values, got 11");
  file = small_lstm();
  std::swap(file.params[0], file.params[1]);
  LC_CHECK_THROWS(std::invalid_argument, lstmcore::write_weights_buffer(file), "expected parameter 'weight_ih_l0' here");
  file = small_lstm();
  file.spec.mode = lstmcore::Mode::gru;
  file.spec.peephole = true;
  LC_CHECK_THROWS(std::invalid_argument, lstmcore::write_weights_buffer(file), "LSTM options");
  file = small_lstm();
  file.spec.hidden_size = lstmcore::Index(1) << 40;  // size products would near the Index range
  LC_CHECK_THROWS(std::invalid_argument, file.spec.validate(), "hidden_size must be <= 16777216");
  file = small_lstm();
  file.spec.num_layers = lstmcore::Index(1) << 20;
  LC_CHECK_THROWS(std::invalid_argument, file.spec.validate(), "num_layers must be <= 65536");
  file = small_lstm();
  LC_CHECK_THROWS(std::runtime_error, file.at("weight_hr_l0"), "no parameter named weight_hr_l0");
  LC_CHECK(file.find("weight_hr_l0") == nullptr);
  LC_CHECK_THROWS(std::runtime_error, file.params[0].data<double>(), "holds float32");
  LC_CHECK_EQ(file.params[0].values<double>()[0], 0.375);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <scratch directory>\n", argv[0]);
    return 2;
  }
  const Bytes good = lstmcore::write_weights_buffer(small_lstm());
  test_round_trip(good);
  test_every_truncation_fails(good);
  test_every_flipped_byte_fails(good);
  test_foreign_and_versions(good);
  test_inconsistent_contents(good);
  test_files_on_disk(argv[1], good);
  test_writer_and_accessors();
  return lstmcore_test::finish("test_weights_errors");
}
