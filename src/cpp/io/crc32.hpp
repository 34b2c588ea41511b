// CRC-32 as zlib computes it (reflected polynomial 0xEDB88320), for the weights file checksum.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lstmcore::detail {

// Continue a CRC-32 over size more bytes; start with crc = 0. crc32("123456789") == 0xCBF43926.
std::uint32_t crc32(const void* data, std::size_t size, std::uint32_t crc = 0);

}  // namespace lstmcore::detail
