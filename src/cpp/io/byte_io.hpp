// Little-endian encoding and bounds-checked decoding of weights file fields, on any host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace lstmcore::detail {

// Byte-by-byte assembly is endian-independent; compilers turn it into one load on x86/ARM.
inline std::uint32_t load_le_u32(const unsigned char* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
         std::uint32_t(p[3]) << 24;
}

inline std::uint64_t load_le_u64(const unsigned char* p) {
  return std::uint64_t(load_le_u32(p)) | std::uint64_t(load_le_u32(p + 4)) << 32;
}

inline float load_le_f32(const unsigned char* p) {
  const std::uint32_t bits = load_le_u32(p);
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

inline double load_le_f64(const unsigned char* p) {
  const std::uint64_t bits = load_le_u64(p);
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

inline std::runtime_error weights_error(const std::string& source, const std::string& what) {
  return std::runtime_error("lstmcore weights file " + source + ": " + what);
}

class ByteWriter {
 public:
  void u8(std::uint8_t v) { buf_.push_back(v); }
  void u32(std::uint32_t v) {
    for (int k = 0; k < 4; ++k) buf_.push_back(static_cast<unsigned char>(v >> (8 * k)));
  }
  void u64(std::uint64_t v) {
    u32(static_cast<std::uint32_t>(v));
    u32(static_cast<std::uint32_t>(v >> 32));
  }
  void f32(float v) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u32(bits);
  }
  void f64(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u64(bits);
  }
  void bytes(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    buf_.insert(buf_.end(), p, p + n);
  }
  void pad8() { buf_.resize(buf_.size() + (8 - buf_.size() % 8) % 8, 0); }
  void put_u64_at(std::size_t offset, std::uint64_t v) {
    for (int k = 0; k < 8; ++k) buf_[offset + k] = static_cast<unsigned char>(v >> (8 * k));
  }
  std::size_t size() const { return buf_.size(); }
  std::vector<unsigned char>& buffer() { return buf_; }

 private:
  std::vector<unsigned char> buf_;
};

// Reads fields from [pos, end) of a buffer; every read past end fails with the field's name.
class ByteReader {
 public:
  ByteReader(const unsigned char* data, std::size_t pos, std::size_t end, std::string source)
      : data_(data), pos_(pos), end_(end), source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& what) const { throw weights_error(source_, what); }

  const unsigned char* take(std::size_t n, const std::string& what) {
    if (n > end_ - pos_) {
      fail(what + " needs " + std::to_string(n) + " bytes at offset " + std::to_string(pos_) +
           ", but the body ends at " + std::to_string(end_));
    }
    const unsigned char* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  std::uint8_t u8(const std::string& what) { return *take(1, what); }
  std::uint32_t u32(const std::string& what) { return load_le_u32(take(4, what)); }
  std::uint64_t u64(const std::string& what) { return load_le_u64(take(8, what)); }
  double f64(const std::string& what) { return load_le_f64(take(8, what)); }

  // Skips the zero bytes up to the next multiple of 8 (offsets count from the file's start).
  void padding(const std::string& what) {
    const std::size_t n = (8 - pos_ % 8) % 8;
    const unsigned char* p = take(n, "padding after " + what);
    for (std::size_t i = 0; i < n; ++i) {
      if (p[i] != 0) fail("non-zero padding bytes after " + what);
    }
  }

  std::size_t pos() const { return pos_; }
  std::size_t end() const { return end_; }
  const std::string& source() const { return source_; }

 private:
  const unsigned char* data_;
  std::size_t pos_;
  std::size_t end_;
  std::string source_;
};

}  // namespace lstmcore::detail
