// CRC-32 against the standard check value and zlib's results.
#include <cstring>

#include "check.hpp"
#include "io/crc32.hpp"

int main() {
  using lstmcore::detail::crc32;
  const char* text = "123456789";
  LC_CHECK_EQ(crc32(text, 9), 0xCBF43926u);  // the catalogued check value of CRC-32/ISO-HDLC
  LC_CHECK_EQ(crc32(text, 0), 0u);
  LC_CHECK_EQ(crc32(text + 4, 5, crc32(text, 4)), 0xCBF43926u);  // continuing a CRC
  const char* fox = "The quick brown fox jumps over the lazy dog";
  LC_CHECK_EQ(crc32(fox, std::strlen(fox)), 0x414FA339u);  // zlib.crc32 of the same bytes
  return lstmcore_test::finish("test_crc32");
}
